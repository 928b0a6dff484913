"""Synthetic exports for every format Daybook imports, with the ground truth to compare a parse against.

Every generator is deterministic for a given ``seed`` and returns a ``Sample`` (file name, bytes, ``Expected``).
The ``write_*`` functions stream a large export straight to disk (for the benchmarks: 200 000 WhatsApp messages or
SMS records in a few seconds) and return the ``Expected`` counts without keeping the records.

Nothing here is real data: names, numbers (Ofcom drama ranges 07700 900xxx) and texts are made up.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

NAMES = ["Alex Smith", "Jo", "Sam Taylor", "سارة", "דוד כהן", "Chris 🌸", "+44 7700 900123", "Zoë Brontë"]
TEXTS = [
    "Where are you?",
    "I saw you at the station today",
    "Answer your phone",
    "Why are you ignoring me 😡😡",
    "ok",
    "I know where you live",
    "مرحبا، كيف حالك؟",
    "שלום, מה שלומך?",
    "Thanks, see you tomorrow 👍🏽",
    "You can't hide from me",
    "Family 👨‍👩‍👧 dinner at 7?",
    "Call me back NOW",
    "Ça va? Grüße aus Köln — naïve café",
    "I'm outside",
]
CONTINUATIONS = ["and another thing", "   indented line", "- a dash line", "ps: I mean it", "😀", "line with: a colon"]


@dataclass(frozen=True)
class ExpectedRecord:
    kind: str  # "message" | "call"
    local_time: dt.datetime
    sender: str
    text: str = ""
    call_kind: str = ""
    attachments: tuple[str, ...] = ()
    system: bool = False
    utc_time: dt.datetime | None = None
    call_seconds: int | None = None


@dataclass
class Expected:
    messages: int = 0  # non-system messages
    calls: int = 0
    system: int = 0
    senders: Counter = field(default_factory=Counter)  # non-system records per sender
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    records: list[ExpectedRecord] | None = field(default_factory=list)  # None when not kept (big files)
    warnings: list[str] = field(default_factory=list)  # substrings expected in warnings

    @property
    def total(self) -> int:
        return self.messages + self.calls + self.system

    def add(self, record: ExpectedRecord) -> None:
        if record.system:
            self.system += 1
        else:
            if record.kind == "call":
                self.calls += 1
            else:
                self.messages += 1
            self.senders[record.sender] += 1
            if self.first is None or record.local_time < self.first:
                self.first = record.local_time
            if self.last is None or record.local_time > self.last:
                self.last = record.local_time
        if self.records is not None:
            self.records.append(record)


@dataclass
class Sample:
    name: str
    data: bytes
    expected: Expected


def _times(rng: random.Random, start: dt.datetime, step: tuple[int, int]) -> Iterator[dt.datetime]:
    when = start
    while True:
        yield when
        when += dt.timedelta(minutes=rng.randint(*step), seconds=rng.randint(0, 59))


# ------------------------------------------------------------------------------------------------ WhatsApp


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
    if s.os == "ios":
        return ("\u200e" if s.lrm else "") + f"[{date}, {clock}] "
    return f"{date}{'' if s.no_comma else ','} {clock} - "


_FORCED = (0.05, 0.12, 0.16, 0.19, 0.25, 0.02, 0.5)


def _wa_events(n: int, s: WhatsAppStyle, rng: random.Random, start: dt.datetime, step: tuple[int, int], variety: bool) -> Iterator[tuple[ExpectedRecord, str]]:
    """(expected record, text of its lines without the final newline)."""
    mark = "\u200e" if s.lrm else ""
    times = _times(rng, start, step)
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
            if s.os == "ios":
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
        buffer.append(text + newline)
        if len(buffer) >= 4096:
            yield "".join(buffer)
            buffer.clear()
    if buffer:
        yield "".join(buffer)


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


# ------------------------------------------------------------------------------------------------ SMS Backup & Restore


def _xml_attr(value: str, surrogates: bool) -> str:
    out = []
    for ch in value:
        cp = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "\n":
            out.append("&#10;")
        elif cp > 0xFFFF and surrogates:
            v = cp - 0x10000
            out.append(f"&#{0xD800 + (v >> 10)};&#{0xDC00 + (v & 0x3FF)};")
        else:
            out.append(ch)
    return "".join(out)


CONTACTS = [("+447700900123", "Alex Smith"), ("+447700900456", "(Unknown)"), ("07700900789", "Jo"), ("+447700900321", "סבתא")]


def _contact_display(number: str, name: str) -> str:
    return f"{name} ({number})" if name not in ("(Unknown)", "", "null") else number


def _sms_items(n: int, seed: int, surrogates: bool, mms_every: int, expected: Expected) -> Iterator[str]:
    rng = random.Random(seed)
    when = dt.datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
    for i in range(n):
        when += dt.timedelta(seconds=rng.randint(30, 4000))
        ms = int(when.timestamp() * 1000) + rng.randint(0, 999)
        utc = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
        local = utc.astimezone(LONDON).replace(tzinfo=None)
        number, name = CONTACTS[rng.randrange(len(CONTACTS))]
        readable = local.strftime("%d %b %Y %H:%M:%S")
        who = _contact_display(number, name)
        if mms_every and i % mms_every == mms_every - 1:
            inbound = rng.random() < 0.7
            text = TEXTS[rng.randrange(len(TEXTS))]
            pic = base64.b64encode(bytes(rng.randrange(256) for _ in range(48))).decode()
            box = "1" if inbound else "2"
            from_addr, to_addr = (number, "+447700900999") if inbound else ("insert-address-token", number)
            expected.add(ExpectedRecord("message", local, who if inbound else "", text, attachments=(f"IMG_{i}.jpg",), utc_time=utc))
            yield (
                f'<mms date="{ms}" ct_t="application/vnd.wap.multipart.related" msg_box="{box}" address="{number}" '
                f'sub="null" read="1" date_sent="{ms // 1000}" m_type="{132 if inbound else 128}" readable_date="{readable}" '
                f'contact_name="{_xml_attr(name, surrogates)}">\n'
                f'    <parts>\n      <part seq="-1" ct="application/smil" name="null" chset="null" cl="null" text="&lt;smil&gt;&lt;/smil&gt;" />\n'
                f'      <part seq="0" ct="image/jpeg" name="IMG_{i}.jpg" chset="null" cl="IMG_{i}.jpg" text="null" data="{pic}" />\n'
                f'      <part seq="0" ct="text/plain" name="null" chset="106" cl="txt000.txt" text="{_xml_attr(text, surrogates)}" />\n'
                f"    </parts>\n    <addrs>\n"
                f'      <addr address="{from_addr}" type="137" charset="106" />\n      <addr address="{to_addr}" type="151" charset="106" />\n'
                f"    </addrs>\n  </mms>\n"
            )
            continue
        inbound = rng.random() < 0.75
        text = TEXTS[rng.randrange(len(TEXTS))]
        if rng.random() < 0.1:
            text += "\n" + CONTINUATIONS[rng.randrange(len(CONTINUATIONS))] + " & <tags>"
        expected.add(ExpectedRecord("message", local, who if inbound else "", text, utc_time=utc))
        yield (
            f'  <sms protocol="0" address="{number}" date="{ms}" type="{1 if inbound else 2}" subject="null" '
            f'body="{_xml_attr(text, surrogates)}" toa="null" sc_toa="null" service_center="null" read="1" status="-1" locked="0" '
            f'date_sent="0" sub_id="1" readable_date="{readable}" contact_name="{_xml_attr(name, surrogates)}" />\n'
        )


def sms_xml(n: int = 40, *, seed: int = 2, surrogates: bool = True, mms_every: int = 7, truncate: bool = False, encoding: str = "utf-8") -> Sample:
    """An SMS Backup & Restore ``sms-*.xml`` with sms and mms; ``truncate`` cuts it inside the last record."""
    expected = Expected()
    body = "".join(_sms_items(n, seed, surrogates, mms_every, expected))
    text = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        "<!--File Created By SMS Backup & Restore v10.20.002 on 05/04/2024 10:12:43-->\n"
        '<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n'
        f'<smses count="{n}" backup_set="a1b2c3" backup_date="1712311963000" type="full">\n{body}</smses>\n'
    )
    if truncate:
        last_start = max(text.rfind("<sms "), text.rfind("<mms "))
        text = text[: last_start + 30]
        # The last record was cut: it is not expected.
        assert expected.records is not None
        last = expected.records.pop()
        expected.messages -= 1
        expected.senders[last.sender] -= 1
        expected.senders += Counter()
        expected.last = max((r.local_time for r in expected.records if not r.system), default=None)
        expected.warnings.append("stops part-way through")
    data = text.encode("utf-16") if encoding == "utf-16" else text.encode("utf-8")
    return Sample("sms-20240405101243.xml", data, expected)


def write_sms_xml(path: str | Path, n: int, *, seed: int = 2, mms_every: int = 25) -> Expected:
    """Stream an SMS backup with ``n`` records to ``path`` (counts only are kept)."""
    expected = Expected(records=None)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<smses count="{n}" backup_set="bench" backup_date="1712311963000" type="full">\n')
        buffer: list[str] = []
        for item in _sms_items(n, seed, True, mms_every, expected):
            buffer.append(item)
            if len(buffer) >= 2048:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))
        out.write("</smses>\n")
    return expected


CALL_KINDS = {"1": "incoming", "2": "outgoing", "3": "missed", "4": "voicemail", "5": "rejected", "6": "blocked"}


def calls_xml(n: int = 30, *, seed: int = 3) -> Sample:
    """An SMS Backup & Restore ``calls-*.xml`` with every call type and withheld numbers."""
    rng = random.Random(seed)
    expected = Expected()
    when = dt.datetime(2024, 3, 30, 22, 0, tzinfo=UTC)  # spans the clock change on 31 March 2024
    rows = []
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(5, 90))
        ms = int(when.timestamp() * 1000)
        local = when.astimezone(LONDON).replace(tzinfo=None)
        typ = str(i % 6 + 1)
        if i % 5 == 4:
            number, name, who = "-2", "(Unknown)", "Withheld number"
            presentation = "2"
        else:
            number, name = CONTACTS[rng.randrange(len(CONTACTS))]
            who = _contact_display(number, name)
            presentation = "1"
        duration = rng.randint(1, 900) if typ in ("1", "2") else 0
        kind = CALL_KINDS[typ]
        sender = "" if kind == "outgoing" else who
        expected.add(ExpectedRecord("call", local, sender, call_kind=kind, utc_time=when, call_seconds=duration))
        rows.append(
            f'  <call number="{number}" duration="{duration}" date="{ms}" type="{typ}" presentation="{presentation}" subscription_id="1" '
            f'post_dial_digits="" readable_date="{local:%d %b %Y %H:%M:%S}" contact_name="{_xml_attr(name, False)}" />\n'
        )
    text = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<calls count="{n}" backup_set="x" backup_date="1712311963000" type="full">\n' + "".join(rows) + "</calls>\n"
    )
    return Sample("calls-20240405101243.xml", text.encode("utf-8"), expected)


def xml_entity_bomb() -> bytes:
    """The "billion laughs" entity expansion, wrapped as an SMS backup."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE smses [", ' <!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1};" if i > 1 else "&lol;"
        lines.append(f' <!ENTITY lol{i} "{prev * 10}">')
    lines += ["]>", '<smses count="1"><sms address="1" date="1" type="1" body="&lol9;" /></smses>']
    return "\n".join(lines).encode()


def _json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


# ------------------------------------------------------------------------------------------------ Telegram


def _tg_chat(chat_id: int, name: str, n: int, rng: random.Random, expected: Expected, start: dt.datetime, owner: str) -> dict:
    messages = []
    when = start
    other = name
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(1, 400), seconds=rng.randint(0, 59))
        unix = int(when.timestamp())
        local = when.astimezone(LONDON).replace(tzinfo=None)
        base = {"id": chat_id * 10_000 + i + 1, "date": local.isoformat(), "date_unixtime": str(unix)}
        roll = rng.random()
        sender = other if rng.random() < 0.7 else owner
        if roll < 0.06:
            reason = rng.choice(["missed", "hangup", "busy"])
            call = {**base, "type": "service", "actor": sender, "actor_id": "user1", "action": "phone_call", "discard_reason": reason, "text": ""}
            seconds = None
            if reason == "hangup":
                seconds = rng.randint(5, 600)
                call["duration_seconds"] = seconds
            kind = {"missed": "missed", "busy": "rejected"}.get(reason) or ("outgoing" if sender == owner else "incoming")
            messages.append(call)
            expected.add(ExpectedRecord("call", local, sender, call_kind=kind, utc_time=when, call_seconds=seconds if seconds is not None else 0))
        elif roll < 0.09:
            messages.append({**base, "type": "service", "actor": sender, "action": "pin_message", "message_id": 1, "text": ""})
            expected.add(ExpectedRecord("message", local, sender, "pin message", system=True, utc_time=when))
        elif roll < 0.20:
            text = TEXTS[rng.randrange(len(TEXTS))]
            entities = [text, {"type": "bold", "text": " NOW"}, " ", {"type": "link", "text": "https://example.org"}]
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "text": entities, "text_entities": []})
            expected.add(ExpectedRecord("message", local, sender, text + " NOW https://example.org", utc_time=when))
        elif roll < 0.28:
            photo = f"photos/photo_{i}@{local:%d-%m-%Y_%H-%M-%S}.jpg"
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "photo": photo, "width": 800, "height": 600, "text": ""})
            expected.add(ExpectedRecord("message", local, sender, "", attachments=(photo,), utc_time=when))
        else:
            text = TEXTS[rng.randrange(len(TEXTS))]
            if rng.random() < 0.1:
                text += "\n" + CONTINUATIONS[rng.randrange(len(CONTINUATIONS))]
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "text": text, "text_entities": [{"type": "plain", "text": text}]})
            expected.add(ExpectedRecord("message", local, sender, text, utc_time=when))
    return {"name": name, "type": "personal_chat", "id": chat_id, "messages": messages}


def telegram(n: int = 50, *, seed: int = 4, whole_account: bool = False, chats: int = 3) -> Sample:
    """A Telegram Desktop ``result.json``: one chat, or the whole-account export with several chats."""
    rng = random.Random(seed)
    expected = Expected()
    owner = "Pat Doe"
    start = dt.datetime(2024, 3, 29, 20, 0, tzinfo=UTC)  # spans the clock change
    if not whole_account:
        chat = _tg_chat(4001, "Alex Smith", n, rng, expected, start, owner)
        return Sample("result.json", _json_dumps(chat).encode(), expected)
    lists = [_tg_chat(4001 + c, NAMES[c % len(NAMES)], n, rng, expected, start, owner) for c in range(chats)]
    document = {
        "about": "Here is the data you requested. Remember: Telegram is ad free...",
        "personal_information": {"user_id": 1, "first_name": "Pat", "last_name": "Doe", "phone_number": "+44 7700 900000", "bio": ""},
        "contacts": {
            "about": "contacts",
            "list": [{"first_name": "Alex", "last_name": "Smith", "phone_number": "+447700900123", "date": "2023-01-01T10:00:00"}],
        },
        "chats": {"about": "This is the list of all chats", "list": lists},
        "other_data": {"about": "misc", "changes_log": [{"a": [1, 2, {"b": None}], "c": True, "d": 1.5e3}]},
    }
    return Sample("result.json", _json_dumps(document).encode(), expected)


# ------------------------------------------------------------------------------------------------ Messenger / Instagram


def _mojibake(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: _mojibake(v) for k, v in value.items()}
    return value


def messenger(n: int = 40, *, seed: int = 5, mojibake: bool = True, instagram: bool = False) -> Sample:
    """A ``message_1.json`` thread (newest first) with calls, photos, unsent messages, reactions; mis-encoded by default."""
    rng = random.Random(seed)
    expected = Expected()
    me, them = "Pat Doe", "Zoë Brontë 🌸"
    when = dt.datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    messages = []
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(1, 700))
        ms = int(when.timestamp() * 1000) + rng.randint(0, 999)
        utc = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
        local = utc.astimezone(LONDON).replace(tzinfo=None)
        sender = them if rng.random() < 0.7 else me
        roll = rng.random()
        if roll < 0.08:
            seconds = 0 if rng.random() < 0.5 else rng.randint(10, 900)
            content = f"You missed a call from {them}." if seconds == 0 else f"{sender} called you."
            messages.append(
                {"sender_name": sender, "timestamp_ms": ms, "content": content, "call_duration": seconds, "type": "Call", "is_geoblocked_for_viewer": False}
            )
            expected.add(ExpectedRecord("call", local, sender, content, call_kind="missed" if seconds == 0 else "", utc_time=utc, call_seconds=seconds))
        elif roll < 0.16:
            uri = f"messages/inbox/zoe_123/photos/{1000 + i}.jpg"
            messages.append({"sender_name": sender, "timestamp_ms": ms, "photos": [{"uri": uri, "creation_timestamp": ms // 1000}], "type": "Generic"})
            expected.add(ExpectedRecord("message", local, sender, "", attachments=(uri,), utc_time=utc))
        elif roll < 0.20:
            messages.append({"sender_name": sender, "timestamp_ms": ms, "content": "", "is_unsent": True, "type": "Generic"})
            expected.add(ExpectedRecord("message", local, sender, "", utc_time=utc))
        else:
            text = TEXTS[rng.randrange(len(TEXTS))]
            item: dict = {"sender_name": sender, "timestamp_ms": ms, "content": text, "type": "Generic", "is_geoblocked_for_viewer": False}
            if rng.random() < 0.2:
                item["reactions"] = [{"reaction": "😢", "actor": me}]
            messages.append(item)
            expected.add(ExpectedRecord("message", local, sender, text, utc_time=utc))
    messages.reverse()  # newest first, as the export writes them
    if expected.records is not None:
        expected.records.reverse()
    thread = {
        "participants": [{"name": them}, {"name": me}],
        "messages": messages,
        "title": them,
        "is_still_participant": True,
        "thread_path": "inbox/zoebronte_123" if not instagram else "inbox/zoe.bronte_17841400000000000",
        "magic_words": [],
    }
    if mojibake:
        thread = _mojibake(thread)  # type: ignore[assignment]
    data = json.dumps(thread, ensure_ascii=True, indent=2).encode()
    name = "your_instagram_activity_message_1.json" if instagram else "message_1.json"
    return Sample(name, data, expected)


# ------------------------------------------------------------------------------------------------ E-mail


def _email_bytes(i: int, when: dt.datetime, sender: str, subject: str, body: str, *, html: bool, attachment: str | None) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Pat Doe <pat@example.org>"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<msg{i}@example.net>"
    if html:
        markup = (
            "<html><head><style>p{color:red}</style></head><body><p>"
            + body.replace("&", "&amp;").replace("<", "&lt;")
            + "</p><script>x()</script></body></html>"
        )
        msg.set_content(markup, subtype="html")
    else:
        msg.set_content(body)
    if attachment:
        msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename=attachment)
    return msg.as_bytes()


def _emails(n: int, seed: int, expected: Expected) -> Iterator[tuple[dt.datetime, bytes]]:
    rng = random.Random(seed)
    when = dt.datetime(2024, 10, 26, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # across the October clock change
    senders = ["Alex Smith <alex@example.net>", "Zoë Brontë <zoe@example.net>", "noreply@example.com"]
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(5, 300))
        sender = senders[rng.randrange(len(senders))]
        subject = rng.choice(["Re: us", "Why won't you answer", "Ça va?", "From the station"])
        body = TEXTS[rng.randrange(len(TEXTS))] + "\nFrom here on\n>From quoted"
        html = rng.random() < 0.3
        attachment = "photo of your car.pdf" if rng.random() < 0.2 else None
        utc = when.astimezone(UTC)
        expected.add(
            ExpectedRecord(
                "message",
                utc.astimezone(LONDON).replace(tzinfo=None),
                sender,
                f"Subject: {subject}",
                attachments=(attachment,) if attachment else (),
                utc_time=utc,
            )
        )
        yield when, _email_bytes(i, when, sender, subject, body, html=html, attachment=attachment)


def eml(*, seed: int = 6) -> Sample:
    expected = Expected()
    (_, data), *_ = list(_emails(1, seed, expected))
    return Sample("message.eml", data, expected)


def mbox(n: int = 30, *, seed: int = 7) -> Sample:
    """An mbox (mboxrd quoting) with ``n`` messages, some HTML-only, some with attachments, bodies with 'From ' lines."""
    expected = Expected()
    parts = []
    for when, data in _emails(n, seed, expected):
        body = data.replace(b"\r\n", b"\n")
        lines = [(b">" + line if line.lstrip(b">").startswith(b"From ") else line) for line in body.split(b"\n")]
        parts.append(b"From alex@example.net " + when.strftime("%a %b %d %H:%M:%S %Y").encode() + b"\n" + b"\n".join(lines).rstrip(b"\n") + b"\n\n")
    return Sample("Inbox.mbox", b"".join(parts), expected)


# ------------------------------------------------------------------------------------------------ CSV


def csv_generic(n: int = 30, *, seed: int = 8, bom: bool = True, uk_dates: bool = False, delimiter: str = ",", encoding: str = "utf-8") -> Sample:
    """Daybook's documented CSV (date,time,from,to,channel,text,kind,duration_seconds) with quoting and calls."""
    import csv
    import io

    rng = random.Random(seed)
    expected = Expected()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["date", "time", "from", "to", "channel", "text", "kind", "duration_seconds"])
    when = dt.datetime(2024, 5, 1, 6, 30)
    for _ in range(n):
        when += dt.timedelta(minutes=rng.randint(3, 500))
        date = when.strftime("%d/%m/%Y") if uk_dates else when.strftime("%Y-%m-%d")
        sender = NAMES[rng.randrange(len(NAMES))]
        if rng.random() < 0.2:
            kind = rng.choice(["missed call", "incoming call"])
            seconds = 0 if kind == "missed call" else rng.randint(5, 500)
            writer.writerow([date, when.strftime("%H:%M"), sender, "Pat", "phone", "", kind, seconds])
            expected.add(ExpectedRecord("call", when, sender, "", call_kind=kind.split()[0], call_seconds=seconds))
        else:
            text = TEXTS[rng.randrange(len(TEXTS))] + (', "quoted", and\nmulti-line' if rng.random() < 0.2 else "")
            writer.writerow([date, when.strftime("%H:%M:%S"), sender, "Pat", "instagram", text, "message", ""])
            expected.add(ExpectedRecord("message", when, sender, text))
    text = out.getvalue()
    if encoding == "utf-16":
        return Sample("messages.csv", text.encode("utf-16"), expected)
    return Sample("messages.csv", (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), expected)


__all__ = [
    "csv_generic",
    "eml",
    "mbox",
    "messenger",
    "telegram",
    "Expected",
    "ExpectedRecord",
    "Sample",
    "WhatsAppStyle",
    "calls_xml",
    "sms_xml",
    "whatsapp",
    "write_sms_xml",
    "write_whatsapp",
    "xml_entity_bomb",
]
