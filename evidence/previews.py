"""Previews: small JPEG images derived from an original, with every bit of metadata (EXIF, GPS, ICC, XMP)
removed, sealed as their own blobs and kept apart from the original (which is never touched).

* Images: Pillow, reading through the decrypting reader; the orientation is applied, then the pixels are
  re-encoded into a fresh JPEG that carries nothing else.
* PDFs: the first page, rendered by ``pdftoppm`` (Debian's poppler-utils) fed the decrypted bytes on its
  standard input; its PNG is re-encoded by Pillow.
* Video: a poster frame by ``ffmpeg``, which reads the decrypted video over a loopback HTTP server that exists
  only while ffmpeg runs, answers only 127.0.0.1, one random path, and range requests (so ffmpeg can seek to
  the index at the end of a phone video). ffmpeg is limited to that one protocol and to the demuxer the
  content was sniffed as, so a hostile file cannot make it read anything else.

Plaintext never touches the disk. When a tool is missing or the file is damaged, the exhibit says so
honestly ("No preview") and the original is kept and can be downloaded.
"""

from __future__ import annotations

import http.server
import io
import secrets
import shutil
import subprocess
import threading
from collections.abc import Callable
from typing import IO

from cases.models import Case
from evidence import sniff
from evidence.models import Blob, Exhibit
from vault import store

PREVIEW_EDGE = 1200
MAX_PIXELS = 120_000_000
PDF_PREVIEW_MAX_BYTES = 200 * 1024 * 1024
TOOL_TIMEOUT = 90

_VIDEO_DEMUXERS = {
    sniff.MP4.media_type: "mov",
    sniff.MOV.media_type: "mov",
    sniff.M4V.media_type: "mov",
    sniff.GP3.media_type: "mov",
    sniff.WEBM.media_type: "matroska",
    sniff.MKV.media_type: "matroska",
    sniff.AVI.media_type: "avi",
    sniff.MPEGTS.media_type: "mpegts",
}
_PIL_IMAGES = {k.media_type for k in (sniff.JPEG, sniff.PNG, sniff.GIF, sniff.WEBP, sniff.BMP, sniff.TIFF)}


class NoPreview(Exception):
    """There is no preview for this file, for the reason given (shown to the person).

    ``status`` is "none" when the type never has one, "failed" when this file's could not be made."""

    def __init__(self, message: str, status: str = "failed") -> None:
        super().__init__(message)
        self.status = status


def tools() -> dict[str, bool]:
    return {"pdftoppm": shutil.which("pdftoppm") is not None, "ffmpeg": shutil.which("ffmpeg") is not None}


def clean_jpeg(image_file: IO[bytes]) -> bytes:
    """Decode an image and re-encode only its pixels as a JPEG of at most PREVIEW_EDGE pixels a side."""
    from PIL import Image, ImageOps  # noqa: PLC0415

    with Image.open(image_file) as img:
        if img.width * img.height > MAX_PIXELS:
            raise NoPreview("The picture is too large to make a preview.")
        img.draft("RGB", (PREVIEW_EDGE, PREVIEW_EDGE))
        img.seek(0)
        img = ImageOps.exif_transpose(img)
        img.thumbnail((PREVIEW_EDGE, PREVIEW_EDGE))
        if img.mode in ("RGBA", "LA", "P"):
            img = img.convert("RGBA")
            flat = Image.new("RGB", img.size, (255, 255, 255))
            flat.paste(img, mask=img.getchannel("A"))
            img = flat
        elif img.mode != "RGB":
            img = img.convert("RGB")
        pixels = Image.new("RGB", img.size)
        pixels.paste(img)
        out = io.BytesIO()
        pixels.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def render(case: Case, exhibit: Exhibit) -> bytes:
    """The preview JPEG for an exhibit, or NoPreview with the reason."""
    media = exhibit.media_type
    if media in _PIL_IMAGES:
        with store.open_reader(case, exhibit.original) as reader:
            try:
                return clean_jpeg(reader)
            except NoPreview:
                raise
            except Exception as exc:
                raise NoPreview("The picture could not be read to make a preview (it may be damaged).") from exc
    if media == sniff.PDF.media_type:
        return _pdf_first_page(case, exhibit)
    if media in _VIDEO_DEMUXERS:
        return _poster_frame(case, exhibit, _VIDEO_DEMUXERS[media])
    raise NoPreview("There is no preview for this type of file.", status="none")


def _run(args: list[str], feed: Callable[[IO[bytes]], None] | None = None) -> bytes:
    process = subprocess.Popen(args, stdin=subprocess.PIPE if feed else subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # noqa: S603
    writer = None
    if feed is not None:

        def pump() -> None:
            try:
                feed(process.stdin)  # type: ignore[arg-type]
            except (BrokenPipeError, OSError, ValueError):
                pass
            finally:
                try:
                    process.stdin.close()  # type: ignore[union-attr]
                except OSError:
                    pass

        writer = threading.Thread(target=pump, daemon=True)
        writer.start()
    try:
        out, _ = process.communicate(timeout=TOOL_TIMEOUT) if feed is None else (_read_all(process), None)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.wait()
        raise NoPreview("Making the preview took too long.") from exc
    if writer is not None:
        writer.join(timeout=5)
    if process.returncode != 0 or not out:
        raise NoPreview("The file could not be read to make a preview (it may be damaged).")
    return out


def _read_all(process: subprocess.Popen) -> bytes:
    timer = threading.Timer(TOOL_TIMEOUT, process.kill)
    timer.start()
    try:
        out = process.stdout.read()  # type: ignore[union-attr]
        process.wait()
    finally:
        timer.cancel()
    if process.returncode and process.returncode < 0:
        raise NoPreview("Making the preview took too long.")
    return out


def _pdf_first_page(case: Case, exhibit: Exhibit) -> bytes:
    if not tools()["pdftoppm"]:
        raise NoPreview("Previews of PDFs need poppler-utils, which is not installed on this server.")
    if (exhibit.size or 0) > PDF_PREVIEW_MAX_BYTES:
        raise NoPreview("This PDF is too large to make a preview.")

    def feed(pipe: IO[bytes]) -> None:
        for piece in store.iter_plaintext(case, exhibit.original):
            pipe.write(piece)

    png = _run(["pdftoppm", "-f", "1", "-l", "1", "-png", "-singlefile", "-scale-to", str(PREVIEW_EDGE)], feed)
    try:
        return clean_jpeg(io.BytesIO(png))
    except Exception as exc:
        raise NoPreview("The PDF's first page could not be made into a preview.") from exc


class _OneFileServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, open_reader: Callable[[], IO[bytes]], size: int, content_type: str) -> None:
        self.path_token = "/" + secrets.token_urlsafe(24)
        self.open_reader = open_reader
        self.size = size
        self.content_type = content_type
        super().__init__(("127.0.0.1", 0), _RangeHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{self.path_token}"


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    server: _OneFileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        if self.path != self.server.path_token or self.client_address[0] != "127.0.0.1":
            self.send_error(404)
            return
        size = self.server.size
        start, end = 0, size - 1
        header = self.headers.get("Range", "")
        if header.startswith("bytes="):
            first, _, last = header[6:].split(",")[0].partition("-")
            try:
                start = int(first) if first else max(0, size - int(last))
                end = min(int(last), size - 1) if first and last else size - 1
            except ValueError:
                start, end = 0, size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        reader = self.server.open_reader()
        try:
            for piece in reader.iter_range(start, end):  # type: ignore[attr-defined]
                self.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            reader.close()


def _poster_frame(case: Case, exhibit: Exhibit, demuxer: str) -> bytes:
    if not tools()["ffmpeg"]:
        raise NoPreview("Previews of videos need ffmpeg, which is not installed on this server.")
    blob: Blob = exhibit.original  # type: ignore[assignment]
    server = _OneFileServer(lambda: store.open_reader(case, blob), exhibit.size or 0, exhibit.media_type)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        last_error: NoPreview | None = None
        for seek in ("1", "0"):
            args = [
                "ffmpeg",
                "-hide_banner",
                "-loglevel",
                "error",
                "-nostdin",
                "-protocol_whitelist",
                "http,tcp",
                "-f",
                demuxer,
                "-ss",
                seek,
                "-i",
                server.url,
                "-frames:v",
                "1",
                "-vf",
                f"scale='min({PREVIEW_EDGE},iw)':-2",
                "-f",
                "image2pipe",
                "-vcodec",
                "png",
                "pipe:1",
            ]
            try:
                png = _run(args)
                return clean_jpeg(io.BytesIO(png))
            except NoPreview as exc:
                last_error = exc
            except Exception:
                last_error = NoPreview("The video could not be read to make a preview (it may be damaged).")
        raise last_error or NoPreview("The video could not be read to make a preview.")
    finally:
        server.shutdown()
        server.server_close()
