"""A local RFC 3161 time-stamping authority for tests, made with the ``openssl`` command (no network).

``LocalTSA(folder)`` makes a root CA and a TSA certificate (critical extendedKeyUsage timeStamping) signed by it,
an ``openssl ts`` configuration, and serves ``POST`` queries on 127.0.0.1 (a random port) by running
``openssl ts -reply``. Use it as a context manager::

    with LocalTSA(tmp_path) as tsa:
        token = request_timestamp(digest, tsa.url)
        check_timestamp(token, digest, tsa.ca_file)

``mode`` changes what the server answers: ``"ok"``, ``"garbage"`` (bytes that are not a response),
``"http_error"`` (HTTP 500), ``"other_nonce"`` (a genuine reply to a different query).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

OPENSSL = "/usr/bin/openssl"


def _run(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    done = subprocess.run([OPENSSL, *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args[:2])} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def _key_args(key: str) -> list[str]:
    return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"] if key == "ec" else ["-newkey", "rsa:2048"]


def make_pki(folder: Path, *, name: str = "Daybook Test", key: str = "rsa", eku_critical: bool = True, eku: str = "timeStamping") -> None:
    """A root CA (ca.crt) and a TSA certificate (tsa.crt, tsa.key) issued by it, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _run(
        "req",
        "-x509",
        "-nodes",
        *_key_args("rsa"),
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "3650",
        "-subj",
        f"/O={name}/CN={name} Root CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )
    _run("req", "-new", "-nodes", *_key_args(key), "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", f"/O={name}/CN={name} TSA", cwd=folder)
    (folder / "tsa.ext").write_text(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\n"
        f"extendedKeyUsage={'critical,' if eku_critical else ''}{eku}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
    )
    _run(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.crt",
        "-days",
        "3650",
        "-extfile",
        "tsa.ext",
        cwd=folder,
    )


CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
other_policies = 1.3.6.1.4.1.99999.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


class LocalTSA:
    """A time-stamping authority on 127.0.0.1 answering with ``openssl ts -reply``."""

    def __init__(
        self, folder: Path | None = None, *, name: str = "Daybook Test", key: str = "rsa", eku_critical: bool = True, eku: str = "timeStamping"
    ) -> None:
        self.folder = Path(folder or tempfile.mkdtemp(prefix="daybook-tsa-"))
        make_pki(self.folder, name=name, key=key, eku_critical=eku_critical, eku=eku)
        (self.folder / "serial").write_text("01\n")
        (self.folder / "tsa.cnf").write_text(CONFIG.format(dir=self.folder))
        self.ca_file = self.folder / "ca.crt"
        self.tsa_cert = self.folder / "tsa.crt"
        self.mode = "ok"
        self.queries = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the TSA first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/tsa"

    def reply(self, query: bytes) -> bytes:
        """The DER TimeStampResp for a DER TimeStampReq (what the server sends back)."""
        with self._lock:
            self.queries += 1
            fd, path = tempfile.mkstemp(dir=self.folder, suffix=".tsq")
            with os.fdopen(fd, "wb") as handle:
                handle.write(query)
            try:
                return _run("ts", "-reply", "-queryfile", path, "-config", "tsa.cnf", "-section", "tsa_config1", cwd=self.folder)
            finally:
                os.unlink(path)

    def query_for(self, data: bytes) -> bytes:
        """An ``openssl ts -query`` for some data (SHA-256, with a nonce and certReq)."""
        return _run("ts", "-query", "-sha256", "-cert", cwd=self.folder, stdin=data)

    def requery(self, query: bytes) -> bytes:
        """A new query for the same hash as ``query`` but with openssl's own nonce (a replayed or mixed-up answer)."""
        from asn1crypto import tsp  # noqa: PLC0415

        digest = tsp.TimeStampReq.load(query)["message_imprint"]["hashed_message"].native
        return _run("ts", "-query", "-sha256", "-digest", digest.hex(), "-cert", cwd=self.folder)

    def start(self) -> LocalTSA:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if tsa.mode == "http_error":
                    self.send_error(500, "TSA broken")
                    return
                if tsa.mode == "garbage":
                    answer = b"<html>not a time-stamp response</html>"
                elif tsa.mode == "other_nonce":
                    answer = tsa.reply(tsa.requery(body))
                else:
                    try:
                        answer = tsa.reply(body)
                    except RuntimeError:
                        self.send_error(400, "bad query")
                        return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-tsa", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalTSA:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
