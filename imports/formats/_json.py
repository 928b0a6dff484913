"""A small incremental JSON reader: walk a big document's structure and decode only one element at a time.

The standard library cannot stream JSON, so this reader keeps a text buffer filled in 1 MiB chunks. It handles the
structure (objects, arrays, keys) itself and hands every value it is asked to ``load`` to ``json.JSONDecoder.raw_decode``
(fast C code). A whole-account Telegram export of several GB is therefore read one message at a time; a single value
larger than ``max_value_chars`` (default 64 Mi characters) is refused with a clear error instead of filling memory.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from imports.formats._text import CHUNK, sniff_encoding
from imports.records import ImportFormatError

MAX_VALUE_CHARS = 64 << 20
_WS = " \t\r\n"


class JsonStream:
    def __init__(self, source: BinaryIO, *, what: str = "JSON file", max_value_chars: int = MAX_VALUE_CHARS) -> None:
        start = source.tell()
        encoding, bom = sniff_encoding(source.read(4096))
        source.seek(start)
        self.source = source
        self.what = what
        self.max_value = max_value_chars
        if encoding == "binary":
            raise ImportFormatError(f"This {what} holds binary data, not JSON.", "at the start")
        self._decoder = codecs.getincrementaldecoder("utf-8" if encoding == "cp1252" else encoding)(errors="replace")
        self._raw = json.JSONDecoder(strict=False).raw_decode
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters dropped from the front of the buffer
        self._skip_bom = bom

    # -- buffer

    def _more(self, grow: bool = False) -> bool:
        """Read another chunk; ``grow`` reads as much again as is buffered (so one big value costs linear time)."""
        if self.eof:
            return False
        raw = self.source.read(max(CHUNK, len(self.buf) - self.pos) if grow else CHUNK)
        if self._skip_bom:
            raw, self._skip_bom = raw[self._skip_bom :], 0
        text = self._decoder.decode(raw, final=not raw)
        if not raw:
            self.eof = True
        if self.pos > CHUNK:
            self.consumed += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        if text:
            self.buf += text
        return bool(text) or not self.eof

    def where(self) -> str:
        offset = self.consumed + self.pos
        return f"character {offset:,}"

    def error(self, message: str) -> ImportFormatError:
        return ImportFormatError(message, self.where())

    def peek(self) -> str:
        """The next non-space character without consuming it ('' at the end)."""
        while True:
            buf, pos, n = self.buf, self.pos, len(self.buf)
            while pos < n and buf[pos] in _WS:
                pos += 1
            self.pos = pos
            if pos < n:
                return buf[pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        got = self.peek()
        if got != char:
            if not got:
                raise self.error(f"The {self.what} stops part-way through (expected '{char}').")
            raise self.error(f"The {self.what} is not valid JSON here (expected '{char}', found '{got}').")
        self.pos += 1

    # -- values

    def load(self) -> Any:
        """Decode the next complete value."""
        if not self.peek():
            raise self.error(f"The {self.what} stops part-way through.")
        while True:
            try:
                value, end = self._raw(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self.error(f"The {self.what} is not valid JSON here ({exc.msg}).") from None
                if len(self.buf) - self.pos > self.max_value:
                    raise self.error(f"One item in this {self.what} is larger than Daybook accepts.") from None
                self._more(grow=True)
                continue
            except RecursionError:
                raise self.error(f"The {self.what} is nested too deeply.") from None
            if end >= len(self.buf) and not self.eof and not isinstance(value, dict | list | str):
                # A number or literal may continue in the next chunk.
                self._more()
                continue
            self.pos = end
            return value

    def skip(self, depth: int = 0) -> None:
        """Consume the next value without keeping it (descends into containers, so it never loads a big one)."""
        if depth > 200:
            raise self.error(f"The {self.what} is nested too deeply.")
        char = self.peek()
        if char == "{":
            for _ in self.object():
                self.skip(depth + 1)
        elif char == "[":
            for _ in self.array():
                self.skip(depth + 1)
        else:
            self.load()

    def object(self) -> Iterator[str]:
        """Yield each key of the next object; the caller must consume (load/skip/descend) the value each time."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.error(f"The {self.what} is not valid JSON here (expected a key).")
            key = self.load()
            self.expect(":")
            yield key
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return
            if not char:
                raise self.error(f"The {self.what} stops part-way through.")
            raise self.error(f"The {self.what} is not valid JSON here (expected ',' or '}}').")

    def array(self) -> Iterator[int]:
        """Yield the index of each element of the next array; the caller must consume each element."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "]":
                self.pos += 1
                return
            if not char:
                raise self.error(f"The {self.what} stops part-way through.")
            raise self.error(f"The {self.what} is not valid JSON here (expected ',' or ']').")

    def finish(self) -> None:
        if self.peek():
            raise self.error(f"The {self.what} has unexpected data after its end.")
