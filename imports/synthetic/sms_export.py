"""Synthetic SMS Backup & Restore exports: messages (SMS and MMS) and calls, and an XML entity bomb."""

from __future__ import annotations

import base64
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from imports.synthetic.common import CONTINUATIONS, LONDON, TEXTS, UTC, Expected, ExpectedRecord, Sample


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


def _sms_items(
    n: int, seed: int, surrogates: bool, mms_every: int, expected: Expected, start: dt.datetime | None = None, bad_base64: bool = False
) -> Iterator[str]:
    rng = random.Random(seed)
    damaged = bad_base64
    when = start or dt.datetime(2024, 3, 1, 7, 0, tzinfo=UTC)
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
            if damaged:  # the first MMS: its picture's data is not valid base64 (a warning, its size unknown)
                pic, damaged = "not*base64*at all!", False
                expected.warnings.append("not valid base64")
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


def sms_xml(
    n: int = 40,
    *,
    seed: int = 2,
    surrogates: bool = True,
    mms_every: int = 7,
    truncate: bool = False,
    encoding: str = "utf-8",
    declared: int | None = None,
    bad_base64: bool = False,
) -> Sample:
    """An SMS Backup & Restore ``sms-*.xml`` with sms and mms; ``truncate`` cuts it inside the last record; ``declared``
    puts another count on the root than the records written; ``bad_base64`` damages the first MMS picture's data."""
    expected = Expected()
    body = "".join(_sms_items(n, seed, surrogates, mms_every, expected, bad_base64=bad_base64))
    if declared is not None and declared != n:
        expected.warnings.append(f"says it holds {declared:,} records but {n:,} were found")
    text = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        "<!--File Created By SMS Backup & Restore v10.20.002 on 05/04/2024 10:12:43-->\n"
        '<?xml-stylesheet type="text/xsl" href="sms.xsl"?>\n'
        f'<smses count="{n if declared is None else declared}" backup_set="a1b2c3" backup_date="1712311963000" type="full">\n{body}</smses>\n'
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


def write_sms_xml(path: str | Path, n: int, *, seed: int = 2, mms_every: int = 25, start: dt.datetime | None = None) -> Expected:
    """Stream an SMS backup with ``n`` records to ``path`` (counts only are kept). Records are about 34 minutes apart
    from ``start`` (1 March 2024 when not given): 200 000 of them span about 12.8 years, so a large file that must lie
    in the past (the diary refuses incidents in the future) needs an earlier ``start``."""
    expected = Expected(records=None)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n")
        out.write(f'<smses count="{n}" backup_set="bench" backup_date="1712311963000" type="full">\n')
        buffer: list[str] = []
        for item in _sms_items(n, seed, True, mms_every, expected, start):
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
