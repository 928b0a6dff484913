"""Evidence ingest: ``make bench B=ingest``.

Bars (design brief, section 5): a 1 GiB file is ingested at no less than 70 % of this machine's SHA-256 +
AES-256-GCM limit measured in the same run; the server's peak memory is the same (within 64 MiB) for a
64 MiB and a 1 GiB upload.

1. **Limit**, in this process: SHA-256 of 1 GiB plus AES-256-GCM of the same bytes in the same 1 MiB segments,
   with the ``cryptography`` package, in memory, one thread (the same 8 random 1 MiB buffers, cycled).
2. **Ingest**, in this process: ``evidence.services.ingest`` of a 1 GiB stream of those buffers (hash, encrypt,
   write through Django's storage API to a local folder, register the exhibit in the case's chain), as Daybook
   runs it by default, including the fsync that makes the sealed file durable before it counts as saved.
   The time spent inside that fsync is reported on its own (``fsync_s``): it measures the disk, not Daybook.
   ``ratio_to_limit`` = ingest MB/s / limit MB/s; ``ratio_to_limit_before_fsync`` leaves the fsync out.
   Two anchors tell the disk from Daybook: ``disk_write_mb_s``, the same bytes written through the same storage
   with no hashing or encryption (with the fsync), and ``ingest_ram_mb_s`` / ``ratio_to_limit_ram``, the same
   ingest with the storage folder in RAM (/dev/shm), beside ``ram_write_mb_s``, plain bytes written there.
   The machine may be shared and its speed can swing from one second to the next, so each ingest is paired with
   the limit measured just before and just after it (their mean), and the best paired ratio of three rounds is
   reported.
3. **Memory**, through the real HTTP server: for 64 MiB, then 1 GiB, a fresh server started as ``make run``
   starts it (``scripts/run.sh``: gunicorn gthread plus the task worker; one web worker so there is one process
   to watch), a 1 MiB warm-up upload, then the file sent with the resumable protocol in the chunks the server
   asks for (8 MiB), on one kept-alive connection, and finished (sealed). The web worker's peak resident memory (VmHWM) is read after each;
   ``rss_delta_mib`` = peak for 1 GiB - peak for 64 MiB. The task worker then reads the sealed blob back in
   full (every tag checked, both hashes taken); its peak is reported too.
4. **Download**: the 1 GiB original downloaded through the server (decrypted on the fly), hashed by the client
   and compared with the SHA-256 of what was sent: ``download_mb_s``.
5. **Upload**: ``upload_mb_s`` is the 1 GiB upload of step 3 (chunks sealed in place, then finished: completed and
   read back once for the SHA-256); ``upload_ratio_to_disk`` compares it with ``disk_write_mb_s`` (bar: 0.6).
   ``upload_chunks_s`` and ``upload_finish_s`` split its time: sending the chunks, and the finish.
   ``upload_ratio_to_ingest`` compares it with step 2's ingest (the same sealing, without HTTP): where the disk is
   faster than the crypto (a page cache, a fast virtual disk), the disk anchor is out of any upload's reach and this
   ratio says what HTTP and the resumable protocol cost.
6. **S3**: a SeaweedFS server on 127.0.0.1 (ops/seaweed.py); ``s3_ingest_mb_s`` is step 2's ingest with the
   storage on S3 (best of two), ``s3_ratio_to_local`` its ratio to the local ingest (bar: 0.5); ``s3_server_mb_s``
   the same bytes sent plain (no sealing) as one multipart upload in the same parts through the same boto3 client,
   what the S3 server allows, and ``s3_ratio_to_server`` the ingest's ratio to it; then step 3 again
   with the server's storage on S3: ``s3_upload_mb_s`` and ``s3_rss_delta_mib`` (bar: 64).

Environment: BENCH_INGEST_MIB (1024), BENCH_SMALL_MIB (64), BENCH_KEEP=1 to keep the data folder.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks import common

NAME = "ingest"
MIB = 1 << 20
SEGMENTS = 8  # distinct random 1 MiB buffers, cycled (hashing and encryption cost the same for any bytes)


def buffers() -> list[bytes]:
    return [os.urandom(MIB) for _ in range(SEGMENTS)]


def source(bufs: list[bytes], size: int):  # noqa: ANN201
    sent = 0
    i = 0
    while sent < size:
        piece = bufs[i % SEGMENTS]
        if sent + len(piece) > size:
            piece = piece[: size - sent]
        yield piece
        sent += len(piece)
        i += 1


def expected_sha256(bufs: list[bytes], size: int) -> str:
    h = hashlib.sha256()
    for piece in source(bufs, size):
        h.update(piece)
    return h.hexdigest()


def measure_limit(bufs: list[bytes], size: int) -> float:
    """Seconds for SHA-256 + AES-256-GCM over ``size`` bytes in 1 MiB segments, in memory, one thread."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    aead = AESGCM(os.urandom(32))
    prefix = os.urandom(7)
    aad = os.urandom(48)
    h = hashlib.sha256()
    start = time.perf_counter()
    for i, piece in enumerate(source(bufs, size)):
        h.update(piece)
        aead.encrypt(prefix + i.to_bytes(4, "big") + b"\x00", piece, aad)
    h.hexdigest()
    return time.perf_counter() - start


def measure_disk_write(bufs: list[bytes], size: int) -> float:
    """Seconds to write ``size`` plain bytes through the same storage (no hashing, no encryption), with the same
    fsync: what the disk alone allows."""
    from django.core.files.base import File  # noqa: PLC0415

    from vault import store  # noqa: PLC0415

    class Plain(File):
        def chunks(self, chunk_size: int | None = None):  # noqa: ANN202
            yield from source(bufs, size)

    st = store.storage()
    start = time.perf_counter()
    name = st.save("evidence/bench-plain.bin", Plain(None, name="bench-plain.bin"))
    store.fsync(name)
    elapsed = time.perf_counter() - start
    st.delete(name)
    return elapsed


def tmpfs_storage() -> Path | None:
    """A folder in RAM (/dev/shm) with room for the test, to measure ingest without the disk; None if there is none."""
    shm = Path("/dev/shm")
    if not shm.is_dir():
        return None
    try:
        free = os.statvfs(shm)
    except OSError:
        return None
    if free.f_bavail * free.f_frsize < 3 * 1024**3:
        return None
    path = shm / f"daybook-bench-{os.getpid()}"
    path.mkdir(exist_ok=True)
    return path


def measure_ingest(case: Any, user: Any, bufs: list[bytes], size: int, sha: str) -> tuple[float, float]:
    """(seconds for services.ingest of ``size`` bytes, of which seconds inside fsync)."""
    from evidence import services  # noqa: PLC0415
    from vault import store  # noqa: PLC0415

    spent = [0.0]
    real_fsync = store.fsync

    def timed_fsync(name: str) -> None:
        t = time.perf_counter()
        real_fsync(name)
        spent[0] += time.perf_counter() - t

    store.fsync = timed_fsync
    try:
        start = time.perf_counter()
        result = services.ingest(case, user, source(bufs, size), name="bench.bin")
        elapsed = time.perf_counter() - start
    finally:
        store.fsync = real_fsync
    exhibit = result.exhibit
    assert exhibit.sha256 == sha, "the ingested file's SHA-256 is wrong"
    assert exhibit.size == size
    # Remove it again (benchmark only): the next run must not be taken for a duplicate.
    from evidence.models import Blob, Exhibit, ExhibitEvent  # noqa: PLC0415

    blob = exhibit.original
    ExhibitEvent.objects.filter(exhibit=exhibit).delete()
    Exhibit.objects.filter(pk=exhibit.pk).delete()
    store.delete_quietly(blob.name)
    Blob.objects.filter(pk=blob.pk).delete()
    return elapsed, spent[0]


# ---------------------------------------------------------------- the real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int, session: str, csrf: str) -> None:
        self.port = port
        self.cookie = f"sessionid={session}; csrftoken={csrf}"
        self.csrf = csrf
        self.conn: http.client.HTTPConnection | None = None
        self.phases: dict[str, float] = {}  # seconds of the last upload: sending chunks, finishing

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One request on a kept-alive connection (as a browser sends an upload's chunks), reconnecting if needed."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self.connect()
            try:
                self.conn.request(method, path, body=body, headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf, **(headers or {})})
                response = self.conn.getresponse()
                data = response.read()
                if response.will_close:
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def upload(self, case_id: int, name: str, chunks: Any, size: int) -> dict:
        start = json.dumps({"name": name, "size": size})
        status, body = self.request("POST", f"/cases/{case_id}/evidence/uploads/", start, {"Content-Type": "application/json"})
        if status not in (200, 201):
            raise RuntimeError(f"starting the upload answered {status}: {body[:300]!r}")
        info = json.loads(body)
        chunk = info["chunk_size"]
        offset = 0
        began = time.perf_counter()
        # Each chunk is sent as the source's pieces, one after the other (http.client sends a list piece by piece),
        # not joined first: a browser sends a slice of the File it was given, with no copy in JavaScript either.
        for part, length in _parts(chunks, chunk):
            headers = {"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset), "Content-Length": str(length)}
            status, body = self.request("PUT", info["url"], part, headers)
            if status != 200:
                raise RuntimeError(f"chunk at {offset} answered {status}: {body[:300]!r}")
            offset = json.loads(body)["offset"]
        sent = time.perf_counter()
        status, body = self.request("POST", info["finish_url"])
        self.phases = {"chunks_s": sent - began, "finish_s": time.perf_counter() - sent}
        if status not in (200, 201):
            raise RuntimeError(f"finishing answered {status}: {body[:300]!r}")
        return json.loads(body)["exhibit"]

    def download(self, path: str) -> tuple[int, str, float]:
        conn = self.connect()
        try:
            start = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": self.cookie})
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"download answered {response.status}")
            h = hashlib.sha256()
            total = 0
            while piece := response.read(MIB):
                h.update(piece)
                total += len(piece)
            return total, h.hexdigest(), time.perf_counter() - start
        finally:
            conn.close()


def _parts(pieces: Any, chunk: int) -> Any:
    """The source's pieces grouped into chunks of ``chunk`` bytes (the last may be shorter): (pieces, length)."""
    group: list[Any] = []
    length = 0
    for piece in pieces:
        view = memoryview(piece)
        while view:
            take = view[: chunk - length]
            group.append(take)
            length += len(take)
            view = view[len(take) :]
            if length == chunk:
                yield group, length
                group, length = [], 0
    if group:
        yield group, length


def processes_in_group(pgid: int) -> list[tuple[int, int, str]]:
    """(pid, parent pid, command line) of every process in a process group."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ppid, pgrp = int(fields[1]), int(fields[2])
            if pgrp == pgid:
                out.append((int(entry.name), ppid, (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")))
        except (OSError, ValueError):
            continue
    return out


def web_worker(pgid: int) -> int:
    procs = processes_in_group(pgid)
    gunicorns = {pid: ppid for pid, ppid, cmd in procs if "gunicorn" in cmd}
    workers = [pid for pid, ppid in gunicorns.items() if ppid in gunicorns]
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {workers}")
    return workers[0]


def task_worker(pgid: int) -> int | None:
    for pid, _ppid, cmd in processes_in_group(pgid):
        if "db_worker" in cmd or "manage.py worker" in cmd:
            return pid
    return None


def vm(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} for {pid}")


def start_server(path: Path, port: int, log: Any, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DAYBOOK_DEBUG"} and not k.startswith("DAYBOOK_S3_")}
    env.update(HOST="127.0.0.1", PORT=str(port), DAYBOOK_DATA_DIR=str(path), DJANGO_SETTINGS_MODULE="daybook.settings", DAYBOOK_WEB_WORKERS="1")
    env.update(extra_env or {})
    server = subprocess.Popen(["bash", "scripts/run.sh"], cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ready_by = time.monotonic() + 120
    while time.monotonic() < ready_by:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up; see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            web_worker(server.pid)
            return server
        except (OSError, RuntimeError):
            time.sleep(0.25)
    stop_server(server)
    raise RuntimeError("the server did not start within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_for_read_back(exhibit_number: int, case: Any, server: subprocess.Popen, timeout: float = 900) -> tuple[bool | None, float]:
    """Wait until the task worker has read the sealed blob back; returns (its result, the task worker's peak MiB)."""
    from evidence.models import Exhibit  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    peak = 0.0
    while time.monotonic() < deadline:
        pid = task_worker(server.pid)
        if pid:
            try:
                peak = max(peak, vm(pid, "VmHWM"))
            except (OSError, RuntimeError):
                pass
        blob = Exhibit.objects.select_related("original").get(case=case, number=exhibit_number).original
        if blob.checked_at is not None:
            return blob.check_ok, peak
        time.sleep(0.5)
    return None, peak


def server_run(path: Path, case: Any, session: str, bufs: list[bytes], size: int, log: Any, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    port = free_port()
    server = start_server(path, port, log, extra_env)
    client = None
    try:
        client = Client(port, session, "b" * 32)
        worker = web_worker(server.pid)
        client.upload(case.pk, f"warm-up-{size}.bin", [os.urandom(MIB)], MIB)
        baseline = vm(worker, "VmHWM")
        sha = expected_sha256(bufs, size)
        start = time.perf_counter()
        exhibit = client.upload(case.pk, f"upload-{size}.bin", source(bufs, size), size)
        upload_s = time.perf_counter() - start
        phases = client.phases
        if exhibit["sha256"] != sha:
            raise RuntimeError("the server's SHA-256 differs from the client's")
        peak = vm(worker, "VmHWM")
        check_ok, task_peak = wait_for_read_back(exhibit["number"], case, server)
        total, got_sha, download_s = client.download(exhibit["url"] + "download/")
        if total != size or got_sha != sha:
            raise RuntimeError("the download differs from what was uploaded")
        peak_after_download = vm(worker, "VmHWM")
        return {
            "baseline": baseline,
            "peak": peak,
            "peak_after_download": peak_after_download,
            "upload_s": upload_s,
            "chunks_s": phases["chunks_s"],
            "finish_s": phases["finish_s"],
            "download_s": download_s,
            "read_back_ok": check_ok,
            "task_peak": task_peak,
        }
    finally:
        if client is not None:
            client.close()
        stop_server(server)


def main() -> int:
    size = int(os.environ.get("BENCH_INGEST_MIB", "1024")) * MIB
    small = int(os.environ.get("BENCH_SMALL_MIB", "64")) * MIB
    path = common.data_dir(NAME)
    status = 1
    try:
        status = _run(path, size, small)
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _run(path: Path, size: int, small: int) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client as DjangoClient  # noqa: PLC0415

    from cases.services import create_case  # noqa: PLC0415
    from vault import stream  # noqa: PLC0415

    print(f"Machine: {common.machine()}; load {common.load()}; revision {common.revision()}")
    user = get_user_model().objects.create_user(username="bench", email="bench@example.com", password="a long benchmark passphrase")
    case = create_case(user, label="Benchmark")
    bufs = buffers()
    sha = expected_sha256(bufs, size)
    mb = size / 1e6

    from django.conf import settings  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    # The machine may be shared, and its speed can swing between one second and the next: every ingest is paired
    # with the limit measured just before and just after it, and the best paired ratio of three rounds is kept.
    rounds = []
    shm = tmpfs_storage()
    in_ram = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(shm)}}}
    for _ in range(3):
        r: dict[str, float] = {}
        before = measure_limit(bufs, size)
        r["ingest_s"], r["fsync_s"] = measure_ingest(case, user, bufs, size, sha)
        after = measure_limit(bufs, size)
        r["limit_mb_s"] = (mb / before + mb / after) / 2
        r["disk_s"] = measure_disk_write(bufs, size)
        if shm is not None:
            before = measure_limit(bufs, size)
            with override_settings(STORAGES=in_ram):
                r["ram_s"] = measure_ingest(case, user, bufs, size, sha)[0]
                after = measure_limit(bufs, size)
                r["ram_write_s"] = measure_disk_write(bufs, size)
            r["ram_limit_mb_s"] = (mb / before + mb / after) / 2
        rounds.append(r)
        print(
            f"round: limit {r['limit_mb_s']:.0f} MB/s, ingest {mb / r['ingest_s']:.0f} MB/s (fsync {r['fsync_s']:.2f} s), "
            f"disk alone {mb / r['disk_s']:.0f} MB/s"
            + (f", ingest into RAM {mb / r['ram_s']:.0f} MB/s (limit {r['ram_limit_mb_s']:.0f}, RAM folder alone {mb / r['ram_write_s']:.0f})" if shm else ""),
            flush=True,
        )
    if shm is not None:
        import shutil  # noqa: PLC0415

        shutil.rmtree(shm, ignore_errors=True)
    best = max(rounds, key=lambda r: mb / r["ingest_s"] / r["limit_mb_s"])
    limit_mb_s = best["limit_mb_s"]
    ingest_s, fsync_s = best["ingest_s"], best["fsync_s"]
    ingest_mb_s = mb / ingest_s
    before_fsync_mb_s = mb / (ingest_s - fsync_s)
    disk_mb_s = mb / min(r["disk_s"] for r in rounds)
    if shm is not None:
        best_ram = max(rounds, key=lambda r: mb / r["ram_s"] / r["ram_limit_mb_s"])
        ram_mb_s, ram_ratio = mb / best_ram["ram_s"], mb / best_ram["ram_s"] / best_ram["ram_limit_mb_s"]
        ram_write_mb_s = mb / best_ram["ram_write_s"]
    else:
        ram_mb_s = ram_ratio = ram_write_mb_s = float("nan")
    seg = stream.SEGMENT_SIZE // MIB
    print(f"limit (SHA-256 + AES-256-GCM, {seg} MiB segments, in memory), around the best ingest: {limit_mb_s:.0f} MB/s")
    print(f"ingest of {size // MIB} MiB through the storage layer: {ingest_mb_s:.0f} MB/s, fsync {fsync_s:.2f} s ({before_fsync_mb_s:.0f} MB/s before it)")
    print(f"the disk alone (the same bytes written through the same storage, no crypto, with fsync): {disk_mb_s:.0f} MB/s")
    print(f"ingest with the storage folder in RAM (/dev/shm): {ram_mb_s:.0f} MB/s, {ram_ratio:.2f} of the limit around it; "
          f"the same bytes written there without crypto: {ram_write_mb_s:.0f} MB/s")  # fmt: skip

    client = DjangoClient()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    log_path = path / "server.log"
    with log_path.open("a") as log:
        runs = {}
        for label, n in (("small", small), ("large", size)):
            runs[label] = server_run(path, case, session, bufs, n, log)
            r = runs[label]
            print(f"HTTP {n // MIB} MiB: web worker peak {r['peak']:.1f} MiB (baseline {r['baseline']:.1f}, after download {r['peak_after_download']:.1f}), "
                  f"upload+seal {n / 1e6 / r['upload_s']:.0f} MB/s, download {n / 1e6 / r['download_s']:.0f} MB/s, "
                  f"task worker read-back {'ok' if r['read_back_ok'] else r['read_back_ok']} (peak {r['task_peak']:.1f} MiB)")  # fmt: skip
    upload_mb_s = size / 1e6 / runs["large"]["upload_s"]
    print(f"upload through the server: {upload_mb_s:.0f} MB/s, {upload_mb_s / disk_mb_s:.2f} of the disk alone "
          f"(chunks {runs['large']['chunks_s']:.2f} s, finish {runs['large']['finish_s']:.2f} s)", flush=True)  # fmt: skip
    # A case of its own: the same bytes in the first case would be found as duplicates of files kept on local disk.
    s3 = s3_run(path, create_case(user, label="Benchmark on S3"), user, session, bufs, size, small, sha, ingest_mb_s, log_path)
    log_text = log_path.read_text(errors="replace")
    tracebacks = len(re.findall(r"Traceback", log_text))
    rss_delta = runs["large"]["peak"] - runs["small"]["peak"]
    download_delta = runs["large"]["peak_after_download"] - runs["small"]["peak_after_download"]
    ok = (
        ingest_mb_s / limit_mb_s >= 0.7
        and rss_delta <= 64
        and not tracebacks
        and runs["large"]["read_back_ok"]
        and upload_mb_s / disk_mb_s >= 0.6
        and s3.get("s3_ratio_to_local", 0) >= 0.5
        and s3.get("s3_rss_delta_mib", 1e9) <= 64
    )
    print(
        common.result_line(
            NAME,
            size_mib=size // MIB,
            limit_mb_s=limit_mb_s,
            ingest_mb_s=ingest_mb_s,
            ratio_to_limit=ingest_mb_s / limit_mb_s,
            fsync_s=fsync_s,
            ratio_to_limit_before_fsync=before_fsync_mb_s / limit_mb_s,
            disk_write_mb_s=disk_mb_s,
            ratio_to_disk=ingest_mb_s / disk_mb_s,
            ingest_ram_mb_s=ram_mb_s,
            ratio_to_limit_ram=ram_ratio,
            ram_write_mb_s=ram_write_mb_s,
            rss_64_mib=runs["small"]["peak"],
            rss_1g_mib=runs["large"]["peak"],
            rss_delta_mib=rss_delta,
            rss_delta_with_download_mib=download_delta,
            task_worker_peak_mib=runs["large"]["task_peak"],
            upload_mb_s=upload_mb_s,
            upload_ratio_to_disk=upload_mb_s / disk_mb_s,
            upload_ratio_to_ingest=upload_mb_s / ingest_mb_s,
            upload_chunks_s=runs["large"]["chunks_s"],
            upload_finish_s=runs["large"]["finish_s"],
            download_mb_s=size / 1e6 / runs["large"]["download_s"],
            **s3,
            read_back_ok=runs["large"]["read_back_ok"],
            server_tracebacks=tracebacks,
            bars_met=ok,
        )
    )
    return 0 if not tracebacks else 1


def measure_s3_alone(bufs: list[bytes], size: int) -> float:
    """Seconds to send ``size`` plain bytes to the S3 storage as one multipart upload of the storage's parts, one
    after the other, through the storage's own boto3 client: what the S3 server (and boto3) allow, with no sealing."""
    from vault import s3, store  # noqa: PLC0415

    st = store.storage()
    client = st.connection.meta.client
    key = st._normalize_name("bench-plain.bin")  # noqa: SLF001
    part = b"".join(bufs)
    part = (part * (1 + s3.PART_SIZE // len(part)))[: s3.PART_SIZE]
    start = time.perf_counter()
    upload_id = client.create_multipart_upload(Bucket=st.bucket_name, Key=key)["UploadId"]
    done, sent = [], 0
    while sent < size:
        body = part[: min(len(part), size - sent)]
        number = len(done) + 1
        etag = client.upload_part(Bucket=st.bucket_name, Key=key, UploadId=upload_id, PartNumber=number, Body=body)["ETag"]
        done.append({"PartNumber": number, "ETag": etag})
        sent += len(body)
    client.complete_multipart_upload(Bucket=st.bucket_name, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done})
    elapsed = time.perf_counter() - start
    client.delete_object(Bucket=st.bucket_name, Key=key)
    return elapsed


def s3_run(  # noqa: PLR0913
    path: Path, case: Any, user: Any, session: str, bufs: list[bytes], size: int, small: int, sha: str, local_mb_s: float, log_path: Path
) -> dict[str, Any]:
    """The same ingest with the storage on S3 (SeaweedFS on 127.0.0.1, as the tests start it), then the server's
    memory for a small and a large upload with S3 as its storage."""
    from django.conf import settings  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    from tests import s3server  # noqa: PLC0415

    try:
        server = s3server.start(volume_mb=1024)  # volumes of 1 GB: the benchmark writes gigabytes (ops/seaweed.py)
    except s3server.CannotStart as exc:
        print(f"no S3 server, S3 figures skipped: {exc}")
        return {}
    try:
        options = server.storage_options()
        on_s3 = {**settings.STORAGES, "default": {"BACKEND": "vault.s3.S3Storage", "OPTIONS": options}}
        mb = size / 1e6
        with override_settings(STORAGES=on_s3, EVIDENCE_STORAGE="default"):
            best = min(measure_ingest(case, user, bufs, size, sha)[0] for _ in range(2))
            server_mb_s = mb / min(measure_s3_alone(bufs, size) for _ in range(2))
        s3_mb_s = mb / best
        print(f"ingest of {size // MIB} MiB onto S3 (SeaweedFS on 127.0.0.1): {s3_mb_s:.0f} MB/s, {s3_mb_s / local_mb_s:.2f} of the local ingest; "
              f"the S3 server alone (the same bytes, plain, in the same parts, through the same client): {server_mb_s:.0f} MB/s")  # fmt: skip
        env = {
            "DAYBOOK_S3_BUCKET": server.bucket,
            "DAYBOOK_S3_ENDPOINT_URL": server.endpoint_url,
            "DAYBOOK_S3_ACCESS_KEY": server.access_key,
            "DAYBOOK_S3_SECRET_KEY": server.secret_key,
            "DAYBOOK_S3_REGION": s3server.REGION,
        }
        runs = {}
        with log_path.open("a") as log:
            for label, n in (("small", small), ("large", size)):
                runs[label] = r = server_run(path, case, session, bufs, n, log, env)
                print(f"HTTP on S3 {n // MIB} MiB: web worker peak {r['peak']:.1f} MiB, upload+finish {n / 1e6 / r['upload_s']:.0f} MB/s, "
                      f"read-back {'ok' if r['read_back_ok'] else r['read_back_ok']}", flush=True)  # fmt: skip
        return {
            "s3_ingest_mb_s": s3_mb_s,
            "s3_ratio_to_local": s3_mb_s / local_mb_s,
            "s3_server_mb_s": server_mb_s,
            "s3_ratio_to_server": s3_mb_s / server_mb_s,
            "s3_upload_mb_s": size / 1e6 / runs["large"]["upload_s"],
            "s3_rss_delta_mib": runs["large"]["peak"] - runs["small"]["peak"],
            "s3_read_back_ok": runs["large"]["read_back_ok"],
        }
    finally:
        server.stop()
