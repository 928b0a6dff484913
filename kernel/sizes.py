"""File sizes in words, as phones and computers show them (1 KB = 1024 bytes)."""

from __future__ import annotations


def human_size(n: int) -> str:
    """ "512 bytes", "1 KB", "3.5 MB", "4 GB"."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"
