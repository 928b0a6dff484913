"""Synthetic generic CSV exports (the columns Daybook's CSV reader accepts)."""

from __future__ import annotations

import datetime as dt
import random

from imports.synthetic.common import NAMES, TEXTS, Expected, ExpectedRecord, Sample


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
