"""Several web nodes under load, one killed half-way: ``make bench B=stack`` (issue 18, item 4).

The reference topology of ``make stack`` (ops/stack.py) on this machine: two web nodes (``scripts/run.sh`` each:
gunicorn gthread, ``DAYBOOK_WEB_WORKERS`` x ``DAYBOOK_WEB_THREADS``, default 2 x 4 per node) and two
``manage.py worker`` processes on the RQ queue, against PostgreSQL (a fresh database, ``daybook_stack_bench``), a
SeaweedFS S3 server and Redis (cache, rate limits, sessions, queue), all on 127.0.0.1. No proxy: each client
alternates between the two node addresses, request by request.

* 20 clients (``BENCH_CLIENTS``) for 60 s (``BENCH_DURATION``). Two clients share each account and case, so every
  case's chain is written from both nodes at once. Each client signs in once through the real form on one node
  (at most 4 at a time); its session then serves it on both.
* Writers write quick notes (``POST /cases/<id>/quick/``, expecting the 302 to the saved note); uploaders (one in
  five, ``BENCH_UPLOADERS``, default 4) upload 64 MiB files (``BENCH_UPLOAD_MIB``) with the resumable protocol in
  8 MiB chunks and finish them, each file different (its first bytes carry a unique token).
* Half-way, node 2 is killed with SIGKILL (its whole process group: a machine lost) and started again at once;
  ``downtime_s`` is from the kill until it serves again. ``BENCH_KILL=0`` leaves it alone.

**The clients' retry policy** (what an app or the uploader does): a request that gets no answer (connection refused
or reset, timeout) or a 5xx is sent again, to the other node, after 0.2 s, then 0.4, 0.8, 1.6 s ... up to
``BENCH_RETRIES`` (6) attempts in all. A chunk is resent at the same offset; a 409 gives the committed offset to
carry on from (the protocol's own resume, not an error). A finish is sent again as is (finishing twice returns the
same exhibit). A quick note carries the form's one-time key (``submission``: the page makes one each time it shows
the form; an app makes its own), and its retry resends the same key, so a note whose answer was lost is saved once.
The words also carry the note's unique token: any second copy would still be found and counted as ``duplicates``
(bar 0), not hidden.

Figures: ``writes`` (notes acknowledged: the 302 arrived), ``uploads`` (finishes acknowledged with the file's
SHA-256), ``errors`` (operations that failed after every retry, or got an answer they should not: bar 0),
``lost`` (bar 0: every acknowledged note's token found in the database, every acknowledged upload an exhibit with
the same SHA-256 on a complete blob, plus every case whose chain does not verify with its stored files re-read),
``duplicates``, ``p95_ms`` (a quick note as the client saw it, retries included), chunk and upload figures, retries.

Environment: BENCH_DURATION (60), BENCH_CLIENTS (20), BENCH_UPLOADERS (4), BENCH_UPLOAD_MIB (64), BENCH_RETRIES (6),
BENCH_KILL (1), BENCH_VERIFY_FILES (1), BENCH_STACK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/daybook_stack_bench,
dropped and made again), BENCH_STACK_REDIS_URL (redis://127.0.0.1:6379/4, emptied), BENCH_KEEP=1 to keep the logs.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import http.client
import os
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from benchmarks import common
from ops import stack as topology

NAME = "stack"
MIB = 1 << 20
CHUNK = 8 * MIB
TOKEN = re.compile(r"\[(w[0-9a-f]+-\d+-\d+)\]")
SAVED = re.compile(r"^/cases/\d+/incidents/\d+/$")
WORDS = ["texts again", "car outside the house", "followed me from the station", "calls from a withheld number", "waiting outside work"]


class Retry(Exception):
    """An answer worth trying again (no answer, a 5xx)."""


class Failed(Exception):
    """An answer that is wrong whatever the retries."""


@dataclass
class Stats:
    writes: list[float] = field(default_factory=list)  # ms per acknowledged note, retries included
    chunks: list[float] = field(default_factory=list)
    uploads: list[float] = field(default_factory=list)  # s per acknowledged 64 MiB upload
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    resyncs: int = 0
    acked_notes: dict[str, int] = field(default_factory=dict)  # token -> case
    acked_uploads: list[tuple[int, str]] = field(default_factory=list)  # (case, sha256)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, index: int, urls: list[str], account: dict[str, Any], stats: Stats, retries: int) -> None:
        self.index = index
        self.urls = urls
        self.account = account
        self.case = account["case"]
        self.stats = stats
        self.retries = retries
        self.turn = index  # which node the next request goes to
        self.browser = topology.Browser(urls[index % 2])
        self.random = random.Random(index)
        self.run = secrets.token_hex(3)

    def call(self, what: str, send: Any) -> Any:
        """``send(base)`` on alternate nodes with the retry policy; its result, or Failed after the last attempt."""
        last = ""
        for attempt in range(self.retries):
            base = self.urls[self.turn % 2]
            self.turn += 1
            try:
                return send(base)
            except Retry as exc:
                last = str(exc)
            except (OSError, http.client.HTTPException) as exc:
                last = f"{type(exc).__name__}: {exc}"
            if attempt + 1 < self.retries:
                with self.stats.lock:
                    self.stats.retries += 1
                time.sleep(0.2 * 2**attempt)
        raise Failed(f"{what}: gave up after {self.retries} attempts ({last})")

    def check(self, status: int, headers: dict[str, str], what: str) -> None:
        if status >= 500:
            raise Retry(f"{what}: HTTP {status}")
        if status == 302 and headers.get("location", "").startswith("/account/login/"):
            raise Failed(f"{what}: signed out (the session was not found)")

    # --- quick notes ---

    def write_note(self, n: int) -> None:
        token = f"w{self.run}-{self.index}-{n}"
        when = dt.datetime.now() - dt.timedelta(minutes=self.random.randint(0, 180))
        form = {
            "description": f"{self.random.choice(WORDS).capitalize()} [{token}]",
            "date": when.strftime("%Y-%m-%d"),
            "time": when.strftime("%H:%M"),
            "submission": secrets.token_urlsafe(18),  # the same on every retry of this note
        }

        def send(base: str) -> None:
            status, headers, _ = self.browser.request("POST", f"/cases/{self.case}/quick/", form=form, base=base, timeout=60)
            self.check(status, headers, "quick note")
            if status != 302 or not SAVED.match(headers.get("location", "")):
                raise Failed(f"quick note: HTTP {status} to {headers.get('location')}")

        t0 = time.perf_counter()
        self.call("quick note", send)
        with self.stats.lock:
            self.stats.writes.append((time.perf_counter() - t0) * 1000)
            self.stats.acked_notes[token] = self.case

    # --- uploads ---

    def upload(self, n: int, size: int, buffers: list[bytes]) -> None:
        token = f"u{self.run}-{self.index}-{n}".encode().ljust(64, b".")

        def piece(i: int) -> bytes:
            buf = buffers[(i + n + self.index) % len(buffers)]
            return token + buf[len(token) :] if i == 0 else buf

        sha = hashlib.sha256()
        for i in range(size // MIB):
            sha.update(piece(i))
        digest = sha.hexdigest()
        began = time.perf_counter()

        def create(base: str) -> dict[str, Any]:
            status, body = self.browser.json(
                "POST", f"/cases/{self.case}/evidence/uploads/", {"name": f"cctv-{self.index}-{n}.mp4", "size": size, "last_modified": n + 1}, base=base
            )
            if status >= 500:
                raise Retry(f"upload: HTTP {status}")
            if status not in (200, 201):
                raise Failed(f"upload: HTTP {status} {body}")
            return body

        info = self.call("start an upload", create)
        offset = int(info.get("offset", 0))
        while True:
            while offset < size:
                end = min(offset + CHUNK, size)
                data = b"".join(piece(i) for i in range(offset // MIB, end // MIB))

                def put(base: str, data: bytes = data, offset: int = offset) -> int:
                    status, body = self.browser.json_put(info["url"], data, offset, base=base)
                    if status >= 500:
                        raise Retry(f"chunk: HTTP {status}")
                    if status == 409 and "offset" in body:
                        with self.stats.lock:
                            self.stats.resyncs += 1
                        return int(body["offset"])
                    if status != 200:
                        raise Failed(f"chunk: HTTP {status} {body}")
                    return int(body["offset"])

                t0 = time.perf_counter()
                offset = self.call("send a chunk", put)
                with self.stats.lock:
                    self.stats.chunks.append((time.perf_counter() - t0) * 1000)

            def finish(base: str) -> tuple[int, dict[str, Any]]:
                status, body = self.browser.json("POST", info["finish_url"], base=base)
                if status >= 500:
                    raise Retry(f"finish: HTTP {status}")
                return status, body

            status, body = self.call("finish an upload", finish)
            if status == 409 and "offset" in body:  # part of it must be sent again (the protocol says from where)
                offset = int(body["offset"])
                continue
            if status not in (200, 201) or body.get("exhibit", {}).get("sha256") != digest:
                raise Failed(f"finish: HTTP {status} {str(body)[:200]}")
            break
        with self.stats.lock:
            self.stats.uploads.append(time.perf_counter() - began)
            self.stats.acked_uploads.append((self.case, digest))

    def work(self, uploader: bool, deadline: list[float], start: threading.Barrier, sign_ins: threading.Semaphore, size: int) -> None:
        try:
            with sign_ins:
                status = self.browser.sign_in(self.account["email"], self.account["password"])
            if status != 302:
                raise Failed(f"sign-in: HTTP {status}")
        except (Failed, OSError) as exc:
            with self.stats.lock:
                self.stats.errors.append(f"client {self.index}: {exc}")
            start.wait()
            return
        buffers = [random.Random(self.index * 100 + i).randbytes(MIB) for i in range(8)] if uploader else []
        start.wait()
        n = 0
        while time.monotonic() < deadline[0]:
            n += 1
            try:
                if uploader:
                    self.upload(n, size, buffers)
                else:
                    self.write_note(n)
            except Failed as exc:
                with self.stats.lock:
                    self.stats.errors.append(str(exc))
                time.sleep(0.2)


def main() -> int:
    duration = float(os.environ.get("BENCH_DURATION", "60"))
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    uploaders = int(os.environ.get("BENCH_UPLOADERS", str(max(1, clients // 5))))
    size = int(os.environ.get("BENCH_UPLOAD_MIB", "64")) * MIB
    retries = int(os.environ.get("BENCH_RETRIES", "6"))
    kill = os.environ.get("BENCH_KILL", "1") not in ("", "0")
    path = common.data_dir(NAME)
    config = topology.Config(
        folder=path,
        database_url=os.environ.get("BENCH_STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/daybook_stack_bench"),
        redis_url=os.environ.get("BENCH_STACK_REDIS_URL", "redis://127.0.0.1:6379/4"),
        ports=(topology.free_port(), topology.free_port()),
        workers=2,
        web_workers=int(os.environ.get("DAYBOOK_WEB_WORKERS", "2")),
        web_threads=int(os.environ.get("DAYBOOK_WEB_THREADS", "4")),
    )
    stack = topology.Stack(config)
    status = 1
    try:
        status = _run(stack, duration, clients, uploaders, size, retries, kill)
        return status
    finally:
        stack.stop()
        common.cleanup(path, failed=status != 0)


def _setup_django(stack: topology.Stack) -> None:
    import sys  # noqa: PLC0415

    os.environ.update(stack.env("bench"))
    if str(common.ROOT) not in sys.path:
        sys.path.insert(0, str(common.ROOT))
    import django  # noqa: PLC0415

    django.setup()
    common.ensure_static()


def _run(stack: topology.Stack, duration: float, n_clients: int, n_uploaders: int, size: int, retries: int, kill: bool) -> int:  # noqa: PLR0913, PLR0915
    config = stack.config
    print(
        f"Stack: {n_clients} clients ({n_uploaders} uploading {size // MIB} MiB files, the rest writing quick notes) for {duration:.0f} s "
        f"across two web nodes{', node 2 killed (SIGKILL) and restarted half-way' if kill else ''}; data and logs in {config.folder}"
    )
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    topology.redis_ping(config.redis_url)
    topology.redis_flush(config.redis_url)
    t0 = time.monotonic()
    stack.start_services(fresh_database=True)
    _setup_django(stack)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    from cases.models import Case  # noqa: PLC0415
    from cases.services import create_case  # noqa: PLC0415
    from chain import verification  # noqa: PLC0415
    from diary.models import Incident  # noqa: PLC0415
    from evidence.models import Exhibit  # noqa: PLC0415

    accounts = []
    for i in range((n_clients + 1) // 2):
        password = f"a long benchmark passphrase number {i:02d}"
        user = get_user_model().objects.create_user(username=f"stack{i:02d}", email=f"stack{i:02d}@example.com", password=password)
        accounts.append({"email": user.email, "password": password, "case": create_case(user, label=f"Stack {i:02d}", relationship="unknown").pk})
    connections.close_all()
    stack.start_processes()
    print(
        f"  started in {time.monotonic() - t0:.1f} s: nodes {', '.join(stack.urls)} (gunicorn {config.web_workers} x {config.web_threads} each), "
        f"{config.workers} RQ workers, S3 {stack.s3_env.get('DAYBOOK_S3_ENDPOINT_URL')}, PostgreSQL {config.database_url}, Redis {config.redis_url}"
    )

    stats = Stats()
    # Uploaders: one client in five (the second of a pair), so each uploader's case is also written by a writer.
    uploader_ids = set(sorted(range(n_clients), key=lambda i: (i % 5 != 4, i))[:n_uploaders])
    workers = [Client(i, stack.urls, accounts[i // 2], stats, retries) for i in range(n_clients)]
    barrier = threading.Barrier(n_clients + 1)
    deadline = [float("inf")]
    sign_ins = threading.BoundedSemaphore(4)
    threads = [threading.Thread(target=c.work, args=(c.index in uploader_ids, deadline, barrier, sign_ins, size)) for c in workers]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.monotonic()
    deadline[0] = began + duration
    downtime = 0.0
    if kill:
        time.sleep(duration / 2)
        killed_at = time.monotonic()
        stack.kill_node(1)
        print(f"  {killed_at - began:.1f} s: node 2 killed (SIGKILL to its process group)")
        stack.start_node(1)
        downtime = time.monotonic() - killed_at
        print(f"  {time.monotonic() - began:.1f} s: node 2 serving again ({downtime:.1f} s after the kill)")
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    print(f"  clients done after {elapsed:.1f} s (an upload under way at the deadline is finished); load average {common.load()}")

    # --- What is in the database, read back ---
    t1 = time.monotonic()
    verify_files = os.environ.get("BENCH_VERIFY_FILES", "1") not in ("", "0")
    cases = list(Case.objects.filter(pk__in=[a["case"] for a in accounts]).order_by("pk"))
    found: collections.Counter[str] = collections.Counter()
    for incident in Incident.objects.filter(case__in=cases).select_related("case"):
        for token in TOKEN.findall(incident.description):
            found[token] += 1
    lost_notes = [t for t in stats.acked_notes if found[t] == 0]
    duplicates = sum(c - 1 for c in found.values() if c > 1)
    unacknowledged_saved = sum(1 for t in found if t not in stats.acked_notes)
    exhibits: set[tuple[int, str]] = set()
    for exhibit in Exhibit.objects.filter(case__in=cases, original__isnull=False).select_related("case", "original"):
        if exhibit.original.status == "complete":
            exhibits.add((exhibit.case_id, exhibit.sha256))
    lost_uploads = [u for u in stats.acked_uploads if u not in exhibits]
    broken = []
    for case in cases:
        result = verification.verify(case, files=verify_files)
        if not result.ok:
            broken.append(case.pk)
            print(f"  case {case.pk}: chain BROKEN: {result.problem}")
    lost = len(lost_notes) + len(lost_uploads) + len(broken)
    connections.close_all()
    print(f"  read back and verified {len(cases)} chains{' with every stored file re-read' if verify_files else ''} in {time.monotonic() - t1:.1f} s")

    logs = {p.name: p.read_text(errors="replace") for p in config.folder.glob("*.log")}
    tracebacks = sum(text.count("Traceback (most recent call last)") for text in logs.values())
    statuses: collections.Counter[str] = collections.Counter()
    for name, text in logs.items():
        if name.startswith("node"):
            statuses.update(re.findall(r'" (\d{3}) ', text))
    uploaded_mib = len(stats.uploads) * size / MIB

    print()
    print(f"  quick notes acknowledged {len(stats.writes)} ({len(stats.writes) / elapsed:.1f}/s); in the database: {sum(found.values())} ")
    print(f"    lost {len(lost_notes)}, saved twice after a retry {duplicates}, saved though the answer never arrived {unacknowledged_saved}")
    print(
        f"    latency ms (retries included): p50 {common.percentile(stats.writes, 50):.0f}, p95 {common.percentile(stats.writes, 95):.0f}, "
        f"p99 {common.percentile(stats.writes, 99):.0f}, max {max(stats.writes, default=0):.0f}"
    )
    print(
        f"  uploads acknowledged {len(stats.uploads)} x {size // MIB} MiB ({uploaded_mib / elapsed:.1f} MiB/s across {len(uploader_ids)} uploaders); "
        f"lost {len(lost_uploads)}; per upload s: median {common.median(stats.uploads or [0]):.1f}, max {max(stats.uploads, default=0):.1f}"
    )
    print(
        f"    8 MiB chunk ms: p50 {common.percentile(stats.chunks, 50):.0f}, p95 {common.percentile(stats.chunks, 95):.0f}; "
        f"resumed from the server's offset (409) {stats.resyncs}"
    )
    print(f"  retries {stats.retries}; errors {len(stats.errors)}; chains intact {len(cases) - len(broken)}/{len(cases)}")
    print(f"  node logs: statuses {dict(statuses)}, tracebacks in all logs {tracebacks}")
    for line, count in collections.Counter(stats.errors).most_common(10):
        print(f"    {line} (x{count})")
    print()
    print(
        common.result_line(
            NAME,
            writes=len(stats.writes),
            uploads=len(stats.uploads),
            errors=len(stats.errors),
            lost=lost,
            duplicates=duplicates,
            p95_ms=round(common.percentile(stats.writes, 95), 1),
            p50_ms=round(common.percentile(stats.writes, 50), 1),
            chunk_p95_ms=round(common.percentile(stats.chunks, 95), 1),
            upload_mib_s=round(uploaded_mib / elapsed, 1),
            retries=stats.retries,
            resyncs=stats.resyncs,
            downtime_s=round(downtime, 1),
            chains_intact=f"{len(cases) - len(broken)}/{len(cases)}",
            clients=n_clients,
            duration_s=round(elapsed, 1),
        )
    )
    return 0 if not stats.errors and lost == 0 else 1
