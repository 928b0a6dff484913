"""The message ``scripts/run.sh`` prints when Daybook starts: where the data is and which file holds the key.

Run as ``python -m daybook.startup HOST PORT``; it reads the same environment as the settings (DAYBOOK_DATA_DIR,
DAYBOOK_MASTER_KEY) without starting Django, so it names the real secrets file wherever the data is kept."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def data_dir(environ: Mapping[str, str]) -> Path:
    """The data directory as daybook.settings resolves it."""
    return Path(environ.get("DAYBOOK_DATA_DIR") or str(BASE_DIR / "data")).resolve()


def message(host: str, port: str, environ: Mapping[str, str]) -> str:
    where = data_dir(environ)
    if environ.get("DAYBOOK_MASTER_KEY"):
        key = "The master key comes from DAYBOOK_MASTER_KEY: keep a copy of it apart from the data; without it the data cannot be read."
    else:
        key = f"Back up {where / 'secrets.json'}: without its master key the data cannot be read."
    return "\n".join(
        [
            "",
            f"  Daybook is starting. Open http://{host}:{port}/ in your browser.",
            f"  Data is kept in {where}. {key}",
            "  Press Ctrl+C to stop.",
            "",
        ]
    )


if __name__ == "__main__":
    args = sys.argv[1:] + ["127.0.0.1", "8000"][len(sys.argv[1:]) :]
    print(message(args[0], args[1], os.environ))
