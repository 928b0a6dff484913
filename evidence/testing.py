"""Helpers for the evidence tests and benchmark: sample files made on the spot, and the upload protocol as a client."""

from __future__ import annotations

import io
import json
import os
import struct
from collections.abc import Iterator
from typing import Any

MIB = 1 << 20


def jpeg_with_exif(width: int = 64, height: int = 48, gps: bool = True, when: str = "2025:03:14 21:05:09") -> bytes:
    """A real JPEG with a camera, a capture time and (optionally) a GPS position in its EXIF."""
    from PIL import Image  # noqa: PLC0415

    img = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[271] = "Acme"
    exif[272] = "Phone 9"
    exif[306] = when
    exif.get_ifd(0x8769)[36867] = when
    exif.get_ifd(0x8769)[36881] = "+00:00"
    if gps:
        g = exif.get_ifd(0x8825)
        g[1] = "N"
        g[2] = (51.0, 30.0, 4.91)
        g[3] = "W"
        g[4] = (0.0, 8.0, 30.8)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image  # noqa: PLC0415

    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def pdf() -> bytes:
    from PIL import Image  # noqa: PLC0415

    out = io.BytesIO()
    Image.new("RGB", (200, 120), (250, 250, 250)).save(out, "PDF")
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_with_mvhd(created_unix: int = 1_700_000_000, duration_s: int = 42, location: str | None = "+51.5012-000.1419/") -> bytes:
    """A minimal MP4 (ftyp, mdat, then moov at the end like a phone recording) with a creation time."""
    created = created_unix + 2_082_844_800  # seconds since 1904-01-01
    mvhd = box(b"mvhd", b"\x00\x00\x00\x00" + struct.pack(">IIII", created, created, 1000, duration_s * 1000) + b"\x00" * 80)
    udta = box(b"udta", box(b"\xa9xyz", struct.pack(">HH", len(location or ""), 0) + (location or "").encode())) if location else b""
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + box(b"mdat", os.urandom(256)) + box(b"moov", mvhd + udta)


def eml() -> bytes:
    return (
        b"Return-Path: <him@example.net>\r\n"
        b"Received: from mx.example.net by mail.example.org; Tue, 4 Mar 2025 22:10:03 +0000\r\n"
        b"From: Him <him@example.net>\r\n"
        b"To: Me <me@example.org>\r\n"
        b"Subject: =?utf-8?q?I_know_where_you_are?=\r\n"
        b"Date: Tue, 4 Mar 2025 22:10:00 +0000\r\n"
        b"Message-ID: <abc123@example.net>\r\n"
        b"\r\n"
        b"You can't hide.\r\n"
    )


def video_mp4(seconds: int = 2) -> bytes | None:
    """A real H.264 MP4 from ffmpeg's test source, or None when ffmpeg is not installed."""
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "clip.mp4")
        subprocess.run(  # noqa: S603 - a fixed argument list
            [
                ffmpeg,
                "-hide_banner",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc=duration={seconds}:size=160x120:rate=10",
                "-pix_fmt",
                "yuv420p",
                "-y",
                path,
            ],  # fmt: skip
            check=True,
            timeout=60,
        )
        with open(path, "rb") as handle:
            return handle.read()


def pseudo_random(size: int, seed: int = 1, piece: int = MIB) -> Iterator[bytes]:
    """Deterministic, incompressible bytes without holding them all (a few random blocks, rotated)."""
    import hashlib  # noqa: PLC0415

    block = b"".join(hashlib.sha256(f"{seed}:{i}".encode()).digest() for i in range(piece // 32 + 1))[:piece]
    sent = 0
    n = 0
    while sent < size:
        take = min(piece, size - sent)
        rot = (n * 4099) % piece
        chunk = (block[rot:] + block[:rot])[:take]
        yield chunk
        sent += take
        n += 1


def upload_with_client(client: Any, case_id: int, data: bytes, name: str = "file.bin", chunk: int | None = None, **extra: Any) -> Any:
    """Drive the resumable protocol with Django's test client; returns the finish response."""
    start = client.post(f"/cases/{case_id}/evidence/uploads/", json.dumps({"name": name, "size": len(data), **extra}), content_type="application/json")
    assert start.status_code in (200, 201), start.content
    info = start.json()
    offset = info["offset"]
    step = chunk or info["chunk_size"]
    while offset < len(data):
        piece = data[offset : offset + step]
        response = client.put(info["url"], piece, content_type="application/offset+octet-stream", headers={"Upload-Offset": str(offset)})
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
    return client.post(info["finish_url"])
