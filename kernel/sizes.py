"""File sizes in words, as phones and computers show them (1 KB = 1024 bytes)."""

from __future__ import annotations


def human_size(n: int) -> str:
    """ "512 bytes", "1 KB", "3.5 MB", "4 GB"."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return "1 byte" if int(value) == 1 else f"{int(value):,} bytes"
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"


def size_with_bytes(n: int) -> str:
    """ "3.5 MB (3,670,016 bytes)" for a record that needs the exact figure; "108 bytes" once, never twice."""
    rounded = human_size(n)
    return rounded if n < 1024 else f"{rounded} ({n:,} bytes)"
