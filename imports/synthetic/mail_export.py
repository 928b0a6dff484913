"""Synthetic e-mail: one .eml message, or an .mbox of many."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from email.utils import format_datetime

from imports.synthetic.common import LONDON, TEXTS, UTC, Expected, ExpectedRecord, Sample


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
