"""The reference topology on one machine: two web nodes and two task workers against PostgreSQL, S3 and Redis.

``scripts/stack.sh`` (``make stack``) runs :func:`main`; ``tests/test_stack.py`` and ``benchmarks/stack.py`` drive
:class:`Stack` directly. Everything binds to 127.0.0.1:

* **S3**: a SeaweedFS server (``ops/seaweed.py``) on free ports, its data in ``<stack dir>/s3`` (or an S3 server given
  with ``DAYBOOK_S3_*``: then none is started).
* **PostgreSQL**: the database ``daybook_stack`` (``DAYBOOK_STACK_DATABASE_URL``), created if missing and migrated.
* **Redis**: one database number (``DAYBOOK_STACK_REDIS_URL``, default ``redis://127.0.0.1:6379/3``) for the cache
  (rate limits, lockout), sessions (``cached_db``) and the RQ task queue.
* **Two web nodes**: ``scripts/run.sh`` each (gunicorn, as ``make run`` starts it) on ports 8001 and 8002
  (``DAYBOOK_STACK_PORTS``), each with its own data folder (no shared disk) and without its own worker
  (``DAYBOOK_RUN_WORKER=0``); only the first runs the periodic jobs.
* **Two workers**: ``manage.py worker`` with ``DAYBOOK_TASKS_BACKEND=rq``.

There is no proxy in front: clients alternate between the node addresses (on 127.0.0.1 the loopback-only guard of
``DAYBOOK_EMAIL_VERIFICATION=optional`` refuses forwarded requests anyway). A real deployment puts a load balancer
there. The keys (``DAYBOOK_SECRET_KEY``, ``DAYBOOK_MASTER_KEY``) are made once into ``<stack dir>/secrets.json`` and
given to every process through the environment, as separate machines would get them.

This module imports nothing of Django: it starts processes and talks HTTP.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from ops import seaweed

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

# Inherited variables that would point a stack process somewhere else.
_NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR", "DAYBOOK_RQ_URL", "DAYBOOK_DATA_DIR")
_NOT_INHERITED_PREFIXES = ("DAYBOOK_S3_", "DAYBOOK_TEST_", "DAYBOOK_STACK_")


class StackError(Exception):
    """A part of the stack could not start (its server is absent, or it exited)."""


def python() -> str:
    return str(PYTHON) if PYTHON.exists() else sys.executable


@dataclass
class Config:
    folder: Path
    database_url: str = "postgres://postgres@127.0.0.1:5432/daybook_stack"
    redis_url: str = "redis://127.0.0.1:6379/3"
    ports: tuple[int, ...] = (8001, 8002)
    workers: int = 2
    web_workers: int = 2
    web_threads: int = 4
    s3: Mapping[str, str] | None = None  # DAYBOOK_S3_* of a server already running; None: start SeaweedFS
    s3_folder: Path | None = None  # keep SeaweedFS's data here (make stack); None: a temporary folder
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Config:
        environ = os.environ if environ is None else environ
        folder = Path(environ.get("DAYBOOK_STACK_DIR") or ROOT / "data" / "stack").resolve()
        s3 = {k: v for k, v in environ.items() if k.startswith("DAYBOOK_S3_")} or None
        ports = tuple(int(p) for p in environ.get("DAYBOOK_STACK_PORTS", "8001,8002").split(",") if p.strip())
        return cls(
            folder=folder,
            database_url=environ.get("DAYBOOK_STACK_DATABASE_URL", cls.database_url),
            redis_url=environ.get("DAYBOOK_STACK_REDIS_URL", cls.redis_url),
            ports=ports,
            workers=int(environ.get("DAYBOOK_STACK_WORKERS", "2")),
            web_workers=int(environ.get("DAYBOOK_WEB_WORKERS", "2")),
            web_threads=int(environ.get("DAYBOOK_WEB_THREADS", "4")),
            s3=s3 if s3 and s3.get("DAYBOOK_S3_BUCKET") else None,
            s3_folder=folder / "s3",
        )


def free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stack_secrets(folder: Path) -> dict[str, str]:
    """The keys every process of the stack shares: made once, kept in ``folder/secrets.json`` (mode 600)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    keys = {"secret_key": secrets.token_urlsafe(50), "master_key": base64.b64encode(secrets.token_bytes(32)).decode("ascii")}
    path.touch(mode=0o600)
    path.write_text(json.dumps(keys), encoding="utf-8")
    return keys


def ensure_database(database_url: str, fresh: bool = False) -> None:
    """Create the PostgreSQL database of ``database_url`` if it is missing (``fresh``: drop it first)."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise StackError(f"PostgreSQL is not reachable at {parts.hostname}:{parts.port or 5432}: {exc}") from exc
    with conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str) -> None:
    """Remove the PostgreSQL database of ``database_url`` (tests only: a database made for one run)."""
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    parts = urllib.parse.urlsplit(database_url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/"))))


def redis_ping(redis_url: str) -> None:
    import redis  # noqa: PLC0415

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise StackError(f"Redis is not reachable at {redis_url}: {exc}") from exc


def redis_flush(redis_url: str) -> None:
    """Empty the stack's own Redis database (tests and benchmarks only: never a database number shared with others)."""
    import redis  # noqa: PLC0415

    redis.Redis.from_url(redis_url).flushdb()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path


class Stack:
    """Start, kill, restart and stop the parts of the topology. Processes run in their own process groups."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.folder = config.folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.s3: seaweed.S3Server | None = None
        self.s3_env: dict[str, str] = dict(config.s3 or {})
        self.nodes: dict[int, Process] = {}
        self.workers: dict[int, Process] = {}
        self.keys = stack_secrets(self.folder)
        self._lock = threading.Lock()

    # --- the shared services ---

    def start_s3(self) -> None:
        if self.s3_env:
            return
        try:
            self.s3 = seaweed.start(bucket="daybook-stack", folder=self.config.s3_folder)
        except seaweed.CannotStart as exc:
            raise StackError(f"The S3 server (SeaweedFS) could not start: {exc}") from exc
        self.s3_env = {
            "DAYBOOK_S3_BUCKET": self.s3.bucket,
            "DAYBOOK_S3_ENDPOINT_URL": self.s3.endpoint_url,
            "DAYBOOK_S3_ACCESS_KEY": self.s3.access_key,
            "DAYBOOK_S3_SECRET_KEY": self.s3.secret_key,
            "DAYBOOK_S3_REGION": seaweed.REGION,
        }

    def prepare_database(self, fresh: bool = False) -> None:
        """PostgreSQL database created if missing (or anew), migrated, with the cache table; Redis reachable. The
        static files are collected in the same go (quick when nothing changed): the nodes render pages through the
        manifest storage, which must list every static file in the tree."""
        redis_ping(self.config.redis_url)
        ensure_database(self.config.database_url, fresh=fresh)
        self.shell(
            "from django.core.management import call_command; call_command('migrate', interactive=False, verbosity=0); "
            "call_command('createcachetable'); call_command('collectstatic', interactive=False, verbosity=0)"
        )

    # --- processes ---

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """The environment of one process of the stack: the same database, Redis, S3 and keys for all."""
        base = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith(_NOT_INHERITED_PREFIXES)}
        data = self.folder / name
        (data / "metrics").mkdir(parents=True, exist_ok=True)
        base.update(
            {
                "DJANGO_SETTINGS_MODULE": "daybook.settings",
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": self.config.database_url,
                "REDIS_URL": self.config.redis_url,
                "DAYBOOK_TASKS_BACKEND": "rq",
                "DAYBOOK_DATA_DIR": str(data),
                "DAYBOOK_SECRET_KEY": self.keys["secret_key"],
                "DAYBOOK_MASTER_KEY": self.keys["master_key"],
                "DAYBOOK_EMAIL_VERIFICATION": os.environ.get("DAYBOOK_EMAIL_VERIFICATION", "optional"),
                "PROMETHEUS_MULTIPROC_DIR": str(data / "metrics"),
                **self.s3_env,
                **self.config.extra_env,
                **extra,
            }
        )
        return base

    def shell(self, code: str, timeout: float = 300) -> str:
        """Run Python inside Django against the stack (``manage.py shell -c``); its standard output."""
        done = subprocess.run(  # noqa: S603
            [python(), "manage.py", "shell", "-c", code], cwd=ROOT, env=self.env("manage"), capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise StackError(f"manage.py shell failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
        return done.stdout

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([python(), "manage.py", *args], cwd=ROOT, env=self.env("manage"), capture_output=True, text=True, timeout=timeout)  # noqa: S603
        if done.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
        return done.stdout

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.config.ports[index]}"

    @property
    def urls(self) -> list[str]:
        return [self.url(i) for i in range(len(self.config.ports))]

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        return Process(name, popen, log)

    def start_node(self, index: int, wait: bool = True) -> None:
        """Web node ``index`` (0, 1, ...): ``scripts/run.sh`` on its port, without a task worker."""
        name = f"node{index + 1}"
        env = self.env(
            name,
            HOST="127.0.0.1",
            PORT=str(self.config.ports[index]),
            DAYBOOK_RUN_WORKER="0",
            DAYBOOK_RUN_PERIODIC="1" if index == 0 else "0",
            DAYBOOK_WEB_WORKERS=str(self.config.web_workers),
            DAYBOOK_WEB_THREADS=str(self.config.web_threads),
        )
        with self._lock:
            self.nodes[index] = self._spawn(name, ["bash", str(ROOT / "scripts" / "run.sh")], env)
        if wait:
            self.wait_for_node(index)

    def wait_for_node(self, index: int, timeout: float = 120) -> float:
        """Wait until node ``index`` serves its sign-in page; the seconds it took."""
        began = time.monotonic()
        node = self.nodes[index]
        while time.monotonic() - began < timeout:
            if node.popen.poll() is not None:
                raise StackError(f"{node.name} exited with {node.popen.returncode}; see {node.log}:\n{_tail(node.log)}")
            try:
                status, _, _ = Browser(self.url(index)).request("GET", "/account/login/", timeout=10)
                if status == 200:
                    return time.monotonic() - began
            except OSError:
                pass
            time.sleep(0.2)
        raise StackError(f"{node.name} did not answer within {timeout:.0f} s; see {node.log}:\n{_tail(node.log)}")

    def kill_node(self, index: int) -> None:
        """SIGKILL the whole node at once (the run.sh shell, gunicorn's master and every worker): a machine lost."""
        with self._lock:
            node = self.nodes.pop(index)
        _signal_group(node.popen, signal.SIGKILL)
        node.popen.wait(timeout=30)

    def start_worker(self, index: int) -> None:
        name = f"worker{index + 1}"
        with self._lock:
            self.workers[index] = self._spawn(name, [python(), "manage.py", "worker"], self.env(name))

    def start_services(self, fresh_database: bool = False) -> None:
        """S3 and the database (created, migrated) side by side: the slow part of starting."""
        failures: list[BaseException] = []

        def s3() -> None:
            try:
                self.start_s3()
            except BaseException as exc:  # noqa: BLE001 - raised below, in the caller's thread
                failures.append(exc)

        thread = threading.Thread(target=s3)
        thread.start()
        try:
            self.prepare_database(fresh=fresh_database)
        finally:
            thread.join()
        if failures:
            raise failures[0]

    def start_processes(self, wait: bool = True) -> None:
        """The workers and the web nodes (started side by side); ``wait``: until every node answers."""
        for i in range(self.config.workers):
            self.start_worker(i)
        for i in range(len(self.config.ports)):
            self.start_node(i, wait=False)
        if wait:
            self.wait_for_nodes()

    def wait_for_nodes(self) -> None:
        for i in range(len(self.config.ports)):
            self.wait_for_node(i)

    def start(self, fresh_database: bool = False) -> None:
        """Everything: S3, the database, the workers and the web nodes."""
        self.start_services(fresh_database)
        self.start_processes()

    def stop(self) -> None:
        """Stop every process this stack started (SIGTERM to each group, then SIGKILL), then the S3 server."""
        with self._lock:
            processes = list(self.nodes.values()) + list(self.workers.values())
            self.nodes.clear()
            self.workers.clear()
        for proc in processes:
            _signal_group(proc.popen, signal.SIGTERM)
        for proc in processes:
            try:
                proc.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                _signal_group(proc.popen, signal.SIGKILL)
                proc.popen.wait(timeout=10)
        if self.s3 is not None:
            if not self.s3.keep and self.s3.process is not None:
                self.s3.process.kill()  # its data is thrown away with its folder: no need to wait for a clean stop
                self.s3.process.wait(timeout=10)
            self.s3.stop()
            self.s3 = None


def _signal_group(popen: subprocess.Popen[bytes], sig: int) -> None:
    if popen.poll() is None:
        try:
            os.killpg(popen.pid, sig)
        except ProcessLookupError:
            pass


def _tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


CSRF = "k" * 32  # an unmasked CSRF secret: accepted as cookie and form token alike until sign-in rotates it


@dataclass
class Browser:
    """A minimal HTTP client for the stack: a cookie jar shared by every node it talks to, the CSRF token taken from
    its cookie, a fresh connection per request, no redirects followed."""

    base: str
    cookies: dict[str, str] = field(default_factory=lambda: {"csrftoken": CSRF})

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        base: str | None = None,
        timeout: float = 120,
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urllib.parse.urlsplit(base or self.base)
        sent = {"User-Agent": "daybook-stack/1.0", "Accept": "text/html", "X-CSRFToken": self.cookies.get("csrftoken", CSRF)}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", CSRF), **form}).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            content = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            conn.close()

    def json(self, method: str, path: str, data: Any = None, base: str | None = None) -> tuple[int, Any]:
        body = json.dumps(data).encode() if data is not None else None
        status, _, content = self.request(method, path, body=body, headers={"Content-Type": "application/json", "Accept": "application/json"}, base=base)
        try:
            return status, json.loads(content or b"{}")
        except ValueError:
            return status, {"raw": content[:500].decode("utf-8", "replace")}

    def json_put(self, url: str, data: bytes, offset: int, base: str | None = None) -> tuple[int, Any]:
        """One chunk of a resumable upload (evidence/views.py): the bytes from ``offset``; the answer's JSON."""
        headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset), "Accept": "application/json"}
        status, _, content = self.request("PUT", url, body=data, headers=headers, base=base)
        try:
            return status, json.loads(content or b"{}")
        except ValueError:
            return status, {"raw": content[:500].decode("utf-8", "replace")}

    def sign_in(self, email: str, password: str, base: str | None = None) -> int:
        """Sign in through the real form; the status (302 when signed in)."""
        status, _, _ = self.request("POST", "/account/login/", form={"login": email, "password": password}, base=base)
        return status


def main() -> int:
    """``scripts/stack.sh``: start everything, print the addresses, stop everything on Ctrl+C."""
    config = Config.from_environment()
    stack = Stack(config)
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:  # noqa: ARG001
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Starting the stack in {config.folder}: S3, PostgreSQL ({config.database_url}), Redis ({config.redis_url}) ...", flush=True)
    try:
        stack.start()
    except StackError as exc:
        print(f"The stack could not start: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    print(
        "\n".join(
            [
                "",
                "  Daybook is running on two web nodes (open either; clients may alternate between them):",
                *(f"    node {i + 1}: {url}/" for i, url in enumerate(stack.urls)),
                f"  {config.workers} task workers (RQ on {config.redis_url}); S3 at {stack.s3_env.get('DAYBOOK_S3_ENDPOINT_URL', 'AWS')}, "
                f"bucket {stack.s3_env.get('DAYBOOK_S3_BUCKET')}; PostgreSQL {config.database_url}",
                f"  Logs: {config.folder}/*.log. Press Ctrl+C to stop everything.",
                "",
            ]
        ),
        flush=True,
    )
    try:
        while not stopping.wait(1.0):
            for proc in list(stack.nodes.values()) + list(stack.workers.values()):
                if proc.popen.poll() is not None:
                    print(f"{proc.name} stopped (exit {proc.popen.returncode}); see {proc.log}. Stopping the stack.", file=sys.stderr)
                    stopping.set()
    finally:
        print("Stopping the stack ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
