"""Small typed helpers that read settings from the environment, with safe defaults."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def load_local_secrets(data_dir: Path) -> dict[str, str]:
    """Return SECRET_KEY and the master key, generating them into a git-ignored file on first run.

    The file is ``<data_dir>/secrets.json``, readable by its owner only. Values given in the
    environment (DAYBOOK_SECRET_KEY, DAYBOOK_MASTER_KEY) always win and are never written.
    """
    path = data_dir / "secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    if not os.environ.get("DAYBOOK_SECRET_KEY") and "secret_key" not in stored:
        stored["secret_key"] = secrets.token_urlsafe(50)
        changed = True
    if not os.environ.get("DAYBOOK_MASTER_KEY") and "master_key" not in stored:
        stored["master_key"] = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        changed = True
    if changed:
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stored, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    return {
        "secret_key": os.environ.get("DAYBOOK_SECRET_KEY") or stored["secret_key"],
        "master_key": os.environ.get("DAYBOOK_MASTER_KEY") or stored["master_key"],
    }
