"""Synthetic WhatsApp chat exports (.txt, or .zip with media), in the styles of Android and iOS phones."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from imports.synthetic.common import CONTINUATIONS, NAMES, TEXTS, Expected, ExpectedRecord, Sample, times_from


@dataclass(frozen=True)
class WhatsAppStyle:
    os: str = "android"  # "android" | "ios"
    clock: int = 24  # 24 | 12
    order: str = "dmy"  # "dmy" | "mdy" | "ymd"
    sep: str = "/"  # "/" | "." | "-"
    year_digits: int = 4
    pad: bool = True
    ampm_space: str = "\u202f"  # U+202F narrow no-break space (2023+), " " or ""
    lower_ampm: bool = False
    no_comma: bool = False  # Czech Android: "23.03.22 13:31 - "
    crlf: bool = False
    lrm: bool = False  # U+200E before iOS headers and media/system bodies
    bom: bool = True
    mid_boms: bool = False  # stray U+FEFF at some line starts
    locale: str = "en"  # "en" | "de"
    encoding: str = "utf-8"  # "utf-8" | "utf-16"
    rtl: bool = False  # a right-to-left locale: U+200F inside dates (after "[", before each separator), the Arabic comma
    #                    U+060C, and stray U+200F/U+200E/U+061C marks anywhere in lines (never left in what is read)
    odd: bool = False  # empty messages, view-once "null", and (12-hour clocks) an impossible "13:04 AM"
    final_newline: bool = True


def _wa_header(when: dt.datetime, s: WhatsAppStyle) -> str:
    y = when.year if s.year_digits == 4 else when.year % 100
    d, m = when.day, when.month
    fmt = "{:02d}" if s.pad else "{}"
    ys = f"{y:04d}" if s.year_digits == 4 else f"{y:02d}"
    if s.order == "dmy":
        date = s.sep.join((fmt.format(d), fmt.format(m), ys))
    elif s.order == "mdy":
        date = s.sep.join((fmt.format(m), fmt.format(d), ys))
    else:
        date = s.sep.join((ys, f"{m:02d}", f"{d:02d}"))
    if s.clock == 24:
        clock = f"{when.hour:02d}:{when.minute:02d}"
    else:
        h = when.hour % 12 or 12
        ap = "AM" if when.hour < 12 else "PM"
        if s.lower_ampm:
            ap = ap.lower()
        clock = f"{h}:{when.minute:02d}"
    if s.os == "ios":
        clock += f":{when.second:02d}"
    if s.clock == 12:
        clock += s.ampm_space + ap
    comma = "\u060c" if s.rtl else ","
    if s.rtl:
        date = date.replace(s.sep, "\u200f" + s.sep)
    if s.os == "ios":
        return ("\u200e" if s.lrm else "") + ("[\u200f" if s.rtl else "[") + f"{date}{comma} {clock}] "
    return ("\u200f" if s.rtl else "") + f"{date}{'' if s.no_comma else comma} {clock} - "


_FORCED = (0.05, 0.12, 0.16, 0.19, 0.25, 0.02, 0.5)


def _wa_events(n: int, s: WhatsAppStyle, rng: random.Random, start: dt.datetime, step: tuple[int, int], variety: bool) -> Iterator[tuple[ExpectedRecord, str]]:
    """(expected record, text of its lines without the final newline)."""
    mark = "\u200e" if s.lrm else ""
    times = times_from(rng, start, step)
    # Seconds only exist in iOS headers.
    counter = 0
    for i in range(n):
        when = next(times)
        if s.os != "ios":
            when = when.replace(second=0)
        header = _wa_header(when, s)
        sender = NAMES[rng.randrange(len(NAMES))] if variety else NAMES[i % 2]
        roll = rng.random() if variety else 1.0
        if variety and i <= len(_FORCED):
            roll = _FORCED[i - 1]  # every kind of line appears early, whatever the seed
        if i == 0 and variety:
            text = "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them."
            if s.os == "ios":
                yield ExpectedRecord("message", when, "Group chat", text, system=True), f"{header}Group chat: \u200e{text}"
            else:
                yield ExpectedRecord("message", when, "", text, system=True), f"{header}{text}"
            continue
        if s.odd and i % 11 == 4:
            yield ExpectedRecord("message", when, sender, ""), f"{header}{sender}:"  # an empty message keeps its sender
            continue
        if s.odd and i % 11 == 7:
            yield ExpectedRecord("message", when, sender, ""), f"{header}{sender}: null"  # view-once media
            continue
        if s.odd and s.clock == 12 and i % 11 == 9:
            odd = when.replace(hour=13)  # "13:04 AM": read as 13:04, with a warning naming the line
            yield (
                ExpectedRecord("message", odd, sender, "ok"),
                f"{_wa_header(odd, WhatsAppStyle(**{**s.__dict__, 'clock': 24})).rstrip()[:-1].rstrip()}{_odd_suffix(s)}{sender}: ok",
            )
            continue
        if roll < 0.04:
            text = f"{sender} added Jo"
            if s.os == "ios":
                yield ExpectedRecord("message", when, "Group chat", text, system=True), f"{header}Group chat: \u200e{text}"
            else:
                yield ExpectedRecord("message", when, "", text, system=True), f"{header}{text}"
        elif roll < 0.10:
            counter += 1
            if s.os == "ios":
                name = f"{counter:08d}-PHOTO-{when:%Y-%m-%d-%H-%M-%S}.jpg"
                body = f"{mark}<attached: {name}>"
            else:
                name = f"IMG-{when:%Y%m%d}-WA{counter:04d}.jpg"
                body = f"{name} ({'Datei angehängt' if s.locale == 'de' else 'file attached'})"
            yield ExpectedRecord("message", when, sender, body.lstrip("\u200e"), attachments=(name,)), f"{header}{sender}: {body}"
        elif roll < 0.14:
            if s.os == "ios" and s.rtl:
                body = "document omitted"
                yield ExpectedRecord("message", when, sender, body), f"{header}{sender}: \u200e{body}"
            elif s.os == "ios":
                body = "Bild weggelassen" if s.locale == "de" else "image omitted"
                yield ExpectedRecord("message", when, sender, body), f"{header}{sender}: {mark}{body}"
            else:
                body = "<Medien ausgeschlossen>" if s.locale == "de" else "<Media omitted>"
                yield ExpectedRecord("message", when, sender, body), f"{header}{sender}: {body}"
        elif roll < 0.18:
            body = "Missed voice call" if rng.random() < 0.7 else "Missed video call"
            yield ExpectedRecord("call", when, sender, body, call_kind="missed"), f"{header}{sender}: {mark}{body}"
        elif roll < 0.20:
            body = "This message was deleted"
            yield ExpectedRecord("message", when, sender, body), f"{header}{sender}: {body}"
        elif roll < 0.32:
            lines = [TEXTS[rng.randrange(len(TEXTS))] for _ in range(rng.randint(2, 4))]
            lines[1:] = [CONTINUATIONS[rng.randrange(len(CONTINUATIONS))] for _ in lines[1:]]
            newline = "\r\n" if s.crlf else "\n"
            yield ExpectedRecord("message", when, sender, "\n".join(lines)), f"{header}{sender}: " + newline.join(lines)
        else:
            text = TEXTS[rng.randrange(len(TEXTS))] if variety else TEXTS[i % len(TEXTS)]
            yield ExpectedRecord("message", when, sender, text), f"{header}{sender}: {text}"


def _wa_chunks(n: int, s: WhatsAppStyle, seed: int, start: dt.datetime, step: tuple[int, int], variety: bool, expected: Expected) -> Iterator[str]:
    rng = random.Random(seed)
    newline = "\r\n" if s.crlf else "\n"
    buffer: list[str] = []
    if s.bom and s.encoding == "utf-8":
        buffer.append("\ufeff")
    for i, (record, text) in enumerate(_wa_events(n, s, rng, start, step, variety)):
        expected.add(record)
        if s.mid_boms and i % 7 == 3:
            text = "\ufeff" + text
        if s.rtl and i % 3 == 1:
            at = rng.randrange(len(text.split("\n", 1)[0].rstrip("\r")) + 1)
            text = text[:at] + "\u200f\u061c"[i % 2] + text[at:]  # a stray mark anywhere: never left in a name or text
        buffer.append(text + (newline if s.final_newline or i < n - 1 else ""))
        if len(buffer) >= 4096:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


def _odd_suffix(s: WhatsAppStyle) -> str:
    """The end of a header whose 12-hour clock shows an impossible hour: " AM] " (iOS) or " AM - " (Android)."""
    return f"{s.ampm_space}AM] " if s.os == "ios" else f"{s.ampm_space}AM - "


def whatsapp(
    n: int = 60, *, style: WhatsAppStyle | None = None, seed: int = 1, start: dt.datetime | None = None, step: tuple[int, int] = (1, 600), zipped: bool = False
) -> Sample:
    """A WhatsApp chat export; ``zipped`` wraps it with its media as WhatsApp does ("_chat.txt" for iOS)."""
    s = style or WhatsAppStyle()
    expected = Expected()
    text = "".join(_wa_chunks(n, s, seed, start or dt.datetime(2024, 1, 5, 8, 0), step, True, expected))
    data = text.encode("utf-16") if s.encoding == "utf-16" else text.encode("utf-8")
    chat_name = "_chat.txt" if s.os == "ios" else "WhatsApp Chat with Alex Smith.txt"
    if not zipped:
        return Sample(chat_name, data, expected)
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(chat_name, data)
        for record in expected.records or ():
            for name in record.attachments:
                archive.writestr(name, b"\xff\xd8\xff\xe0 fake jpeg " + name.encode())
        if s.os == "ios":
            archive.writestr("__MACOSX/._chat.txt", b"\x00\x05\x16\x07 AppleDouble")
    return Sample("WhatsApp Chat - Alex Smith.zip", out.getvalue(), expected)


def write_whatsapp(path: str | Path, n: int, *, style: WhatsAppStyle | None = None, seed: int = 1) -> Expected:
    """Stream ``n`` WhatsApp messages to ``path`` (counts only are kept)."""
    s = style or WhatsAppStyle()
    expected = Expected(records=None)
    encoding = "utf-16-le" if s.encoding == "utf-16" else "utf-8"
    with open(path, "wb") as out:
        if s.encoding == "utf-16":
            out.write(b"\xff\xfe")
        for chunk in _wa_chunks(n, s, seed, dt.datetime(2020, 1, 5, 8, 0), (1, 20), True, expected):
            out.write(chunk.encode(encoding))
    return expected
