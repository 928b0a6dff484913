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


def undated_mbox(*, seed: int = 8) -> Sample:
    """An mbox whose messages have no Date, an impossible Date, or headers running straight into the body: the first
    two fall back to the date on their ``From `` line; a single .eml of the same kind keeps its date unknown."""
    expected = Expected()
    parts = []
    rng = random.Random(seed)
    bad_dates = [None, "Tue, 12 Mar 2024 25:61:00 +0000", "not a date at all"]
    when = dt.datetime(2024, 3, 12, 21, 5, 33)
    for i, bad in enumerate(bad_dates):
        when += dt.timedelta(hours=rng.randint(1, 30))
        sender = "Alex Smith <alex@example.net>"
        text = TEXTS[rng.randrange(len(TEXTS))]
        headers = f"From: {sender}\nTo: Pat Doe <pat@example.org>\nSubject: note {i}\n" + (f"Date: {bad}\n" if bad else "")
        body = f"\n{text}\n" if i < 2 else f"{text}\n"  # the last: no blank line, the body runs on from the headers
        parts.append(f"From alex@example.net {when:%a %b %d %H:%M:%S %Y}\n{headers}{body}\n".encode())
        expected.add(ExpectedRecord("message", when, sender, f"Subject: note {i}\n\n{text}"))
        expected.warnings.append("date on the mailbox's From line was used")
    return Sample("Undated.mbox", b"".join(parts), expected)


def undated_eml() -> Sample:
    """One e-mail with a sender and no Date and no Received header: kept, its date unknown, with a warning."""
    expected = Expected()
    expected.add(ExpectedRecord("message", dt.datetime(1970, 1, 1), "Alex Smith <alex@example.net>", "Subject: you\n\nI'm outside", time_known=False))
    expected.warnings.append("no readable date")
    data = b"From: Alex Smith <alex@example.net>\nTo: pat@example.org\nSubject: you\n\nI'm outside\n"
    return Sample("no-date.eml", data, expected)


def multipart_eml() -> Sample:
    """A multipart/mixed e-mail whose text is in three parts (quoted-printable, base64, HTML) and one attachment."""
    expected = Expected()
    when = dt.datetime(2024, 3, 12, 21, 5, tzinfo=UTC)
    text = "Subject: parts\n\nI know where you live, café\n\nI'm outside\n\nYou can't hide from me"
    expected.add(
        ExpectedRecord("message", when.astimezone(LONDON).replace(tzinfo=None), "Alex Smith <alex@example.net>", text, attachments=("car.jpg",), utc_time=when)
    )
    data = (
        b"From: Alex Smith <alex@example.net>\nTo: pat@example.org\nSubject: parts\nDate: Tue, 12 Mar 2024 21:05:00 +0000\n"
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b1"\n\n'
        b"--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nI know where you live, caf=C3=A9\n"
        b"--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSSdtIG91dHNpZGU=\n"
        b"--b1\nContent-Type: text/html; charset=utf-8\n\n<p>You can&#39;t <b>hide</b> from me</p><script>x()</script>\n"
        b'--b1\nContent-Type: image/jpeg\nContent-Disposition: attachment; filename="car.jpg"\nContent-Transfer-Encoding: base64\n\n/9j/4AAQ\n'
        b"--b1--\n"
    )
    return Sample("parts.eml", data, expected)


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
