"""kill -9 mid-upload, for real: the production server (gunicorn, as scripts/run.sh starts it) on a throwaway
data folder and a free port on 127.0.0.1. The server is killed while a chunk is arriving and while a file is
being sealed; after a restart the upload resumes from the last committed byte, finishes, and the download is
byte-for-byte the original with the same SHA-256. A killed upload never produces an exhibit, and clean-up
removes what it left behind."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidence.testing import MIB, pseudo_random

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CSRF = "k" * 32  # an unmasked CSRF secret: accepted as cookie and header alike


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")},
            "DJANGO_SETTINGS_MODULE": "daybook.settings",
            "DAYBOOK_DATA_DIR": str(data_dir),
            "DAYBOOK_SECRET_KEY": "crash-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DAYBOOK_MASTER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            "DAYBOOK_ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300)  # noqa: S603
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        return out.stdout

    def commands(self, *commands: tuple[str, ...]) -> str:
        """Several management commands in one process (starting Django once is the slow part)."""
        calls = "; ".join(f"call_command{tuple(c)!r}" for c in commands)
        return self.manage("shell", "-c", f"from django.core.management import call_command; {calls}")

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(GUNICORN),
                "daybook.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],  # fmt: skip
            cwd=ROOT,
            env=self.env,
            start_new_session=True,  # its own process group: kill -9 reaches the master and every worker
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = self.request("GET", f"/cases/{getattr(self, 'case_id', 0)}/evidence/uploads/")
                if status in (200, 302, 404):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start")

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.kill9()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Cookie": f"sessionid={self.session}; csrftoken={CSRF}", "X-CSRFToken": CSRF, **(extra or {})}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=self.headers(headers) if hasattr(self, "session") else (headers or {}))
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def db(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.data_dir / "daybook.sqlite3") as conn:
            return conn.execute(sql).fetchall()


SETUP = """
import json
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
from django.contrib.auth import get_user_model
from django.test import Client
from cases.services import create_case
user = get_user_model().objects.create_user(username="k", email="k@example.com", password="a long passphrase for the crash test")
case = create_case(user, label="Crash")
client = Client()
client.force_login(user)
print(json.dumps({"case": case.pk, "session": client.cookies["sessionid"].value}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("crash-data")
    srv = Server(data_dir)
    info = json.loads(srv.manage("shell", "-c", SETUP).strip().splitlines()[-1])
    srv.case_id, srv.session = info["case"], info["session"]
    srv.start()
    yield srv
    srv.stop()


def make_file(size: int, seed: int) -> bytes:
    return b"".join(pseudo_random(size, seed=seed))


def start_upload(srv: Server, data: bytes, name: str) -> dict:
    status, body = srv.request("POST", f"/cases/{srv.case_id}/evidence/uploads/", json.dumps({"name": name, "size": len(data)}).encode(),
                               {"Content-Type": "application/json"})  # fmt: skip
    assert status == 201, body
    return json.loads(body)


def put(srv: Server, info: dict, data: bytes, offset: int, end: int) -> tuple[int, dict]:
    status, body = srv.request("PUT", info["url"], data[offset:end], {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)})
    return status, json.loads(body or b"{}")


def kill_while_sending(srv: Server, info: dict, data: bytes, offset: int, end: int, sent_before_kill: int) -> None:
    """Start sending a chunk, send part of it, then kill -9 the whole server while it is reading."""
    conn = srv.connection()
    conn.putrequest("PUT", info["url"])
    for name, value in srv.headers({"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)}).items():
        conn.putheader(name, value)
    conn.putheader("Content-Length", str(end - offset))
    conn.endheaders()
    conn.send(data[offset : offset + sent_before_kill])
    time.sleep(0.5)  # the worker is now inside the view, encrypting what has arrived
    srv.kill9()
    conn.close()


def test_kill_9_mid_upload_then_restart_resume_and_finish(server):
    srv = server
    data = make_file(10 * MIB + 12345, seed=7)
    info = start_upload(srv, data, "doorbell.mp4")
    status, body = put(srv, info, data, 0, 4 * MIB)
    assert status == 200 and body["offset"] == 4 * MIB

    kill_while_sending(srv, info, data, 4 * MIB, 8 * MIB, sent_before_kill=2 * MIB)
    assert srv.db("SELECT count(*) FROM evidence_exhibit") == [(0,)]
    srv.start()

    # After the restart the server says where to carry on: the chunk that was in flight is not committed.
    status, body = srv.request("GET", info["url"])
    assert status == 200
    assert json.loads(body)["offset"] == 4 * MIB
    assert srv.db(f"SELECT received, status FROM evidence_uploadsession WHERE uuid = '{info['id'].replace('-', '')}'") == [(4 * MIB, "open")]

    offset = 4 * MIB
    while offset < len(data):
        status, body = put(srv, info, data, offset, min(offset + 4 * MIB, len(data)))
        assert status == 200, body
        offset = body["offset"]
    status, body = srv.request("POST", info["finish_url"])
    assert status == 201, body
    result = json.loads(body)
    assert result["exhibit"]["sha256"] == hashlib.sha256(data).hexdigest()

    status, downloaded = srv.request("GET", result["exhibit"]["url"] + "download/")
    assert status == 200
    assert downloaded == data
    assert hashlib.sha256(downloaded).hexdigest() == hashlib.sha256(data).hexdigest()
    status, middle = srv.request("GET", result["exhibit"]["url"] + "download/", headers={"Range": f"bytes={5 * MIB}-{5 * MIB + 99}"})
    assert status == 206 and middle == data[5 * MIB : 5 * MIB + 100]
    assert "intact" in srv.manage("verify_case", "--all")


def test_a_killed_upload_never_makes_an_exhibit_and_cleanup_removes_it(server):
    srv = server
    before = srv.db("SELECT count(*) FROM evidence_exhibit")[0][0]
    data = make_file(9 * MIB, seed=8)
    info = start_upload(srv, data, "dashcam.mp4")
    assert put(srv, info, data, 0, 4 * MIB)[0] == 200
    kill_while_sending(srv, info, data, 4 * MIB, 8 * MIB, sent_before_kill=3 * MIB)
    assert srv.db("SELECT count(*) FROM evidence_exhibit")[0][0] == before
    # What was written is in place in the upload's blob (no staging copy); the blob row says "writing".
    (name,) = srv.db(f"SELECT b.name FROM evidence_blob b JOIN evidence_uploadsession u ON u.blob_id = b.id WHERE u.uuid = '{info['id'].replace('-', '')}'")[0]
    written = srv.data_dir / "files" / name
    assert written.exists() and written.stat().st_size >= 4 * MIB
    out = srv.manage("cleanup_uploads", "--older-than", "0")
    assert "Removed 1 abandoned upload" in out
    assert not written.exists()
    assert srv.db("SELECT count(*) FROM evidence_blob WHERE status = 'writing'")[0][0] == 0
    assert srv.db("SELECT count(*) FROM evidence_exhibit")[0][0] == before
    assert srv.db("SELECT count(*) FROM evidence_uploadpart")[0][0] == 0
    srv.start()


def test_kill_9_while_sealing_leaves_no_half_exhibit_and_finishing_again_works(server):
    srv = server
    before = srv.db("SELECT count(*) FROM evidence_exhibit")[0][0]
    data = make_file(32 * MIB + 5, seed=9)
    info = start_upload(srv, data, "cctv.mp4")
    offset = 0
    while offset < len(data):
        status, body = put(srv, info, data, offset, min(offset + 8 * MIB, len(data)))
        assert status == 200, body
        offset = body["offset"]
    conn = srv.connection()
    conn.putrequest("POST", info["finish_url"])
    for name, value in srv.headers({"Content-Length": "0"}).items():
        conn.putheader(name, value)
    conn.endheaders()
    time.sleep(0.3)  # finishing 32 MiB (complete the blob, read it back, hash) is under way
    srv.kill9()
    conn.close()
    # Whatever moment the kill hit: every exhibit points at a complete blob, and the record verifies.
    rows = srv.db("SELECT b.status FROM evidence_exhibit e JOIN evidence_blob b ON e.original_id = b.id")
    assert all(status == "complete" for (status,) in rows)
    srv.start()
    status, body = srv.request("POST", info["finish_url"])
    assert status in (200, 201), body
    assert json.loads(body)["exhibit"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert srv.db("SELECT count(*) FROM evidence_exhibit")[0][0] == before + 1
    # A half-written blob the kill may have left is removed by clean-up once it is old enough.
    leftovers = srv.db("SELECT name FROM evidence_blob WHERE status = 'writing'")
    srv.db("UPDATE evidence_blob SET created_at = datetime('now', '-2 hours') WHERE status = 'writing'")
    out = srv.commands(("cleanup_uploads",), ("verify_case", "--all"))
    assert "intact" in out and "BROKEN" not in out
    assert srv.db("SELECT count(*) FROM evidence_blob WHERE status = 'writing'") == [(0,)]
    for (name,) in leftovers:
        assert not (srv.data_dir / "files" / name).exists()
