"""Log lines as JSON, one object a line, that never carry what a person typed.

What a line holds: the time, level, logger, the message and, for a request, the route's *pattern*
(``cases/<int:case_id>/incidents/<int:number>/``, never the address with its numbers or query), the method, status,
duration and body size. An exception is logged as its type and the place it happened (file, line, function), never
its message or local values, which can hold a person's words. ``tests/test_ops_logs.py`` types marked text into
every form and finds none of it in any line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from typing import Any

MAX_MESSAGE = 300
# Attributes a caller may attach with ``extra=`` and that are safe to write out (numbers and route patterns).
SAFE_EXTRA = ("route", "method", "status", "ms", "bytes", "task", "state", "worker")


def _frames(exc: BaseException | None) -> list[str]:
    if exc is None:
        return []
    return [f"{f.filename.rsplit('/', 2)[-2:][-1]}:{f.lineno}:{f.name}" for f in traceback.extract_tb(exc.__traceback__)][-12:]


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": _event(record),
        }
        for name in SAFE_EXTRA:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            line["exception"] = {"type": f"{type(exc).__module__}.{type(exc).__qualname__}", "where": _frames(exc)}
        return json.dumps(line, ensure_ascii=False, default=str)


def _event(record: logging.LogRecord) -> str:
    """The message. Django's request loggers put the full address in theirs; only its route pattern is kept."""
    request = getattr(record, "request", None)
    if request is not None:
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "(no route)"
        reason = record.args[0] if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str) else "request"
        return f"{reason}: {route}"[:MAX_MESSAGE]  # Django's "Not Found: <address>" becomes "Not Found: <route>"
    try:
        text = record.getMessage()
    except (TypeError, ValueError):
        text = str(record.msg)
    return text[:MAX_MESSAGE]
