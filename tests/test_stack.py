"""Several web nodes, for real (issue 18, item 4): two gunicorn nodes (scripts/run.sh, as ops/stack.py starts them)
against one PostgreSQL database, one S3 server (SeaweedFS) and one Redis, on 127.0.0.1. Nothing may depend on a
single node: an upload started on one node is finished on the other, a report's progress page answers from the node
that did not take the request, concurrent notes on both nodes leave one unbroken chain, a session made on one node
works (and is ended) on the other, and rate-limit counts made on one node hold on the other.

Needs PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379): locally the tests skip when either is absent; under
CI=true they fail. Databases: DAYBOOK_TEST_STACK_DATABASE_URL (postgres://postgres@127.0.0.1:5432/daybook_stack_test,
created if missing and migrated; kept between runs, each run makes its own accounts) and DAYBOOK_TEST_STACK_REDIS_URL
(redis://127.0.0.1:6379/13, emptied at the start).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import threading
import time

import pytest

from ops import stack as topology

MIB = 1 << 20
PASSPHRASE = "a long passphrase for the stack test"
LOCKED = "Too many attempts. Try again in 15 minutes"

SETUP = """
import json
from django.contrib.auth import get_user_model
from cases.services import create_case
out = {}
for name in NAMES:
    user = get_user_model().objects.create_user(username=name, email=name + "@example.com", password=PASSPHRASE)
    out[name] = {"email": user.email, "case": create_case(user, label="Stack " + name).pk}
print("JSON" + json.dumps(out))
"""


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"The multi-node stack could not start: {reason}")
    pytest.skip(f"no multi-node stack: {reason}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):  # noqa: ANN201
    config = topology.Config(
        folder=tmp_path_factory.mktemp("stack"),
        # A database of this run only, made fresh and dropped at the end: one kept between runs would carry the
        # schema of whichever checkout migrated it last (a newer checkout's column made an older one's notes fail).
        database_url=os.environ.get("DAYBOOK_TEST_STACK_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/daybook_stack_test_{os.getpid()}"),
        redis_url=os.environ.get("DAYBOOK_TEST_STACK_REDIS_URL", "redis://127.0.0.1:6379/13"),
        ports=(topology.free_port(), topology.free_port()),
        workers=0,  # the report test starts the one it needs
        web_workers=1,
        web_threads=4,
    )
    running = topology.Stack(config)
    run = secrets.token_hex(3)
    names = [f"{who}{run}" for who in ("upload", "report", "chain", "session", "limit")]
    try:
        topology.redis_ping(config.redis_url)
        topology.redis_flush(config.redis_url)
        running.start_services(fresh_database=True)
        running.start_processes(wait=False)
        # The accounts are made while the nodes start.
        output = running.shell(f"NAMES = {names!r}; PASSPHRASE = {PASSPHRASE!r}\n" + SETUP)
        running.wait_for_nodes()
    except topology.StackError as exc:
        running.stop()
        with contextlib.suppress(Exception):
            topology.drop_database(config.database_url)
        _fail_or_skip(str(exc))
    running.people = {name[: -len(run)]: info for name, info in json.loads(output.split("JSON", 1)[1]).items()}
    yield running
    running.stop()
    topology.drop_database(config.database_url)


def signed_in(stack: topology.Stack, who: str, node: int = 0) -> topology.Browser:
    browser = topology.Browser(stack.url(node))
    assert browser.sign_in(stack.people[who]["email"], PASSPHRASE) == 302
    assert "sessionid" in browser.cookies
    return browser


def quick_note(browser: topology.Browser, case: int, text: str, node: str) -> int:
    now = dt.datetime.now()
    status, headers, _ = browser.request(
        "POST", f"/cases/{case}/quick/", form={"description": text, "date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M")}, base=node
    )
    assert status == 302, status
    return int(re.search(r"/incidents/(\d+)/$", headers["location"]).group(1))


def test_an_upload_started_on_one_node_is_resumed_and_finished_on_the_other(stack):  # noqa: ANN001
    a, b = stack.urls
    case = stack.people["upload"]["case"]
    browser = signed_in(stack, "upload")
    data = os.urandom(5 * MIB) + os.urandom(5 * MIB) + os.urandom(12345)  # on S3 every part but the last is >= 5 MiB
    status, info = browser.json("POST", f"/cases/{case}/evidence/uploads/", {"name": "doorbell.mp4", "size": len(data), "last_modified": 1}, base=a)
    assert status == 201, info
    status, body = browser.json_put(info["url"], data[: 5 * MIB], 0, base=a)
    assert status == 200 and body["offset"] == 5 * MIB
    # Node B knows where to carry on (nothing about the upload lives in node A's memory).
    status, body = browser.json("GET", info["url"], base=b)
    assert status == 200 and body["offset"] == 5 * MIB
    # A chunk sent again to B at the old offset is told the right one.
    status, body = browser.json_put(info["url"], data[: 5 * MIB], 0, base=b)
    assert status == 409 and body["offset"] == 5 * MIB
    status, body = browser.json_put(info["url"], data[5 * MIB :], 5 * MIB, base=b)
    assert status == 200 and body["offset"] == len(data)
    status, result = browser.json("POST", info["finish_url"], base=b)
    assert status == 201, result
    assert result["exhibit"]["sha256"] == hashlib.sha256(data).hexdigest()
    # Downloaded from node A, byte for byte; the bucket holds only sealed bytes.
    status, _, downloaded = browser.request("GET", result["exhibit"]["url"] + "download/", base=a)
    assert status == 200 and downloaded == data
    client = stack.s3.client()
    names = [o["Key"] for o in client.list_objects_v2(Bucket=stack.s3.bucket).get("Contents", [])]
    assert names and all(data[:4096] not in client.get_object(Bucket=stack.s3.bucket, Key=n)["Body"].read(8 * MIB) for n in names)


def test_a_reports_progress_page_answers_from_the_other_node(stack):  # noqa: ANN001
    a, b = stack.urls
    case = stack.people["report"]["case"]
    browser = signed_in(stack, "report", node=1)
    quick_note(browser, case, "He was outside the station", a)
    status, headers, _ = browser.request("POST", f"/cases/{case}/reports/new/", form={}, base=a)
    assert status == 302, status
    detail = headers["location"]
    # Queued on Redis by node A; node B shows its progress before any worker has taken it...
    status, _, page = browser.request("GET", detail, base=b)
    assert status == 200
    status, progress = browser.json("GET", detail + "status/", base=b)
    assert status == 200 and progress["status"] == "queued"
    # ...and as a worker (another process, on the shared RQ queue) makes it.
    stack.start_worker(0)
    deadline = time.monotonic() + 120
    seen = set()
    while time.monotonic() < deadline:
        status, progress = browser.json("GET", detail + "status/", base=(a, b)[len(seen) % 2])
        assert status == 200
        seen.add(progress["status"])
        if progress["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    assert progress["status"] == "done", progress
    status, _, page = browser.request("GET", detail, base=b)
    assert status == 200 and b"download" in page.lower()


def test_concurrent_notes_on_both_nodes_into_one_case_leave_one_unbroken_chain(stack):  # noqa: ANN001
    case = stack.people["chain"]["case"]
    browsers = [signed_in(stack, "chain", node=i % 2) for i in range(4)]
    numbers: list[int] = []
    problems: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for n in range(6):
                node = stack.urls[(index + n) % 2]
                numbers.append(quick_note(browsers[index], case, f"note {index}-{n}", node))
        except BaseException as exc:  # noqa: BLE001
            problems.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not problems, problems
    assert sorted(numbers) == list(range(1, 25))  # every note got its own number: no two writers took the same one
    out = stack.shell(
        "from cases.models import Case; from chain.models import ChainEntry; from chain import verification\n"
        f"case = Case.objects.get(pk={case})\n"
        "seqs = list(ChainEntry.objects.filter(case=case).order_by('seq').values_list('seq', 'prev_hash', 'entry_hash'))\n"
        "notes = ChainEntry.objects.filter(case=case, kind='incident.version').count()\n"
        "print('RESULT', verification.verify(case).ok, notes, [s for s, *_ in seqs] == list(range(1, len(seqs) + 1)),"
        " all(seqs[i][1] == seqs[i - 1][2] for i in range(1, len(seqs))))"
    )
    # 24 notes on one line: every entry links to the one before (no fork), no gap in the numbers, and it verifies.
    assert out.split("RESULT", 1)[1].split() == ["True", "24", "True", "True"], out


def test_a_session_made_on_one_node_works_on_the_other_and_ends_everywhere(stack):  # noqa: ANN001
    import redis

    a, b = stack.urls
    phone = signed_in(stack, "session", node=0)
    status, _, _ = phone.request("GET", "/account/settings/", base=b)
    assert status == 200  # signed in on A, recognised by B
    # The session is in Redis (cached_db), which every node reads.
    keys = redis.Redis.from_url(stack.config.redis_url).keys("*django.contrib.sessions.cached_db*")
    assert any(phone.cookies["sessionid"].encode() in k for k in keys)
    # Signing out everywhere else from a second device on B ends the first device's session on A too.
    laptop = signed_in(stack, "session", node=1)
    status, _, _ = laptop.request("POST", "/account/sessions/", form={}, base=b)
    assert status == 302
    status, headers, _ = phone.request("GET", "/account/settings/", base=a)
    assert status == 302 and headers["location"].startswith("/account/login/")
    assert laptop.request("GET", "/account/settings/", base=a)[0] == 200


def test_rate_limit_counts_made_on_one_node_hold_on_the_other(stack):  # noqa: ANN001
    a, b = stack.urls
    email = stack.people["limit"]["email"]
    for _ in range(5):
        browser = topology.Browser(a)
        status, _, page = browser.request("POST", "/account/login/", form={"login": email, "password": "not the right passphrase"})
        assert status == 200 and b"The email address or passphrase is not right" in page
    # Five failures on A lock the account on B, even for the right passphrase.
    browser = topology.Browser(b)
    status, _, page = browser.request("POST", "/account/login/", form={"login": email, "password": PASSPHRASE})
    assert status == 200 and LOCKED in page.decode()
    assert "sessionid" not in browser.cookies
