"""Daybook's WhatsApp reader beside the Python peers (``make bench B=peers``): the same 200 000-message export read by
Daybook's parser (``imports.formats.whatsapp``), by ``whatstk`` (pandas-based) and by ``chat-miner``.

* The export is written once by ``imports.synthetic.write_whatsapp`` (Android, 24-hour, day first, no byte-order mark
  so that every reader can open it; media, calls, deleted and multi-line messages and system lines as in real chats).
* The peers are installed by this benchmark into its own throwaway virtual environment (``python3 -m venv`` in a
  temporary folder, ``pip install whatstk chat-miner`` from the configured package registry), never into the
  project's. BENCH_PEERS_VENV=/path reuses (or creates and keeps) one instead.
* Each reader runs in its own process, timed as a whole process (start-up and imports included: what a person waits
  for) and also from just before its parse to just after (``parse_s``); each process reports its own peak RSS.
* Several runs (BENCH_RUNS, default 5), paired: in each run the three readers go one after another (in a rotating
  order), and the ratio is taken within the run; the medians over runs are reported.
* ``ratio_to_whatstk`` and ``ratio_to_chatminer``: Daybook's time over the peer's (bar: at most 0.7 for both);
  ``rss_mib_*`` the peak memory of each; ``records_*`` how many records each read (Daybook: messages and calls, system
  lines apart), so a faster reader that drops messages is visible; ``expected`` the generator's count.

Environment: BENCH_MESSAGES (default 200000), BENCH_RUNS (default 5), BENCH_PEERS_VENV.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import common

NAME = "peers"
PEERS = ("whatstk", "chat-miner")
BAR = 0.7

DAYBOOK = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from imports.formats import whatsapp
from imports.records import ParseOptions, Record
start = time.perf_counter()
records = system = 0
with open(sys.argv[1], "rb") as source:
    for item in whatsapp.parse(source, ParseOptions()):
        if type(item) is Record:
            if item.system:
                system += 1
            else:
                records += 1
parse_s = time.perf_counter() - start
print(json.dumps({"records": records, "system": system, "parse_s": parse_s, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

WHATSTK = """
import json, resource, sys, time
from whatstk import df_from_whatsapp
start = time.perf_counter()
df = df_from_whatsapp(sys.argv[1])
parse_s = time.perf_counter() - start
print(json.dumps({"records": len(df), "parse_s": parse_s, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHATMINER = """
import json, logging, os, resource, sys, time
os.environ["TQDM_DISABLE"] = "1"
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser
start = time.perf_counter()
parser = WhatsAppParser(sys.argv[1])
parser.parse_file()
count = len(parser.parsed_messages.get_df())
parse_s = time.perf_counter() - start
print(json.dumps({"records": count, "parse_s": parse_s, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _venv(folder: Path) -> Path:
    """A virtual environment with the peers in ``folder`` (made when missing); its python."""
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([shutil.which("python3") or "python3", "-m", "venv", str(folder)], check=True)
    check = subprocess.run([str(python), "-c", "import whatstk, chatminer"], capture_output=True)
    if check.returncode != 0:
        print(f"Installing {', '.join(PEERS)} into {folder} ...", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEERS], check=True)
    return python


def _one(python: str, script: str, export: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env["TQDM_DISABLE"] = "1"
    start = time.perf_counter()
    done = subprocess.run([python, "-c", script, str(export), str(common.ROOT)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{python} failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["wall_s"] = wall
    return figures


def main() -> int:
    n = int(os.environ.get("BENCH_MESSAGES", "200000"))
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    keep_venv = os.environ.get("BENCH_PEERS_VENV")
    work = Path(tempfile.mkdtemp(prefix="daybook-bench-peers-"))
    try:
        sys.path.insert(0, str(common.ROOT))
        from imports.synthetic import WhatsAppStyle, write_whatsapp

        export = work / "WhatsApp Chat with Alex Smith.txt"
        expected = write_whatsapp(export, n, style=WhatsAppStyle(bom=False))
        print(
            f"Export: {n:,} messages, {export.stat().st_size / 2**20:.1f} MiB "
            f"({expected.messages + expected.calls:,} messages and calls, {expected.system:,} system lines)"
        )
        peers_python = _venv(Path(keep_venv) if keep_venv else work / "venv")
        readers = {"daybook": (sys.executable, DAYBOOK), "whatstk": (str(peers_python), WHATSTK), "chatminer": (str(peers_python), CHATMINER)}
        results: dict[str, list[dict]] = {name: [] for name in readers}
        order = list(readers)
        for run in range(runs):
            for name in order[run % 3 :] + order[: run % 3]:
                python, script = readers[name]
                results[name].append(_one(python, script, export))
            row = "  ".join(f"{name} {results[name][-1]['wall_s']:.2f}s" for name in readers)
            print(f"run {run + 1}: {row}", flush=True)
        ratios = {
            peer: statistics.median(d["wall_s"] / p["wall_s"] for d, p in zip(results["daybook"], results[peer], strict=True))
            for peer in ("whatstk", "chatminer")
        }
        parse_ratios = {
            peer: statistics.median(d["parse_s"] / p["parse_s"] for d, p in zip(results["daybook"], results[peer], strict=True))
            for peer in ("whatstk", "chatminer")
        }
        figures: dict[str, object] = {
            "messages": n,
            "runs": runs,
            "ratio_to_whatstk": ratios["whatstk"],
            "ratio_to_chatminer": ratios["chatminer"],
            "parse_ratio_to_whatstk": parse_ratios["whatstk"],
            "parse_ratio_to_chatminer": parse_ratios["chatminer"],
        }
        for name in readers:
            figures[f"s_{name}"] = statistics.median(r["wall_s"] for r in results[name])
            figures[f"parse_s_{name}"] = statistics.median(r["parse_s"] for r in results[name])
            figures[f"rss_mib_{name}"] = max(r["rss_mib"] for r in results[name])
            figures[f"records_{name}"] = results[name][-1]["records"]
        figures["rss_mib"] = figures["rss_mib_daybook"]
        figures["expected"] = expected.messages + expected.calls
        figures["system_daybook"] = results["daybook"][-1]["system"]
        figures["bar"] = BAR
        figures["ok"] = int(ratios["whatstk"] <= BAR and ratios["chatminer"] <= BAR)
        figures["load"] = common.load().replace(" ", "/")
        print(f"Machine: {common.machine()}; load {common.load()}")
        print(common.result_line(NAME, **figures))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)
