"""A synthetic police daily file for tests and the intake benchmark (casework/feed.py): many variants of good rows
(names in several scripts, right-to-left text, phone formats, optional fields present or not, yes/no/true/1,
updates, repeats and withdrawals) and bad rows of every kind, each with the outcome expected of it.

Nothing here is real: names are drawn from short lists, numbers from Ofcom's drama ranges (07700 900xxx).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from casework.feed import COLUMNS

GIVEN = ["Alice", "Zoë", "Siobhán", "Łucja", "Mohammed", "Priya", "Chen", "Oluwaseun", "Dafydd", "Agnieszka", "فاطمة", "יעל", "李娜", "Ana-María"]
FAMILY = ["Example", "O'Brien", "Nowak", "Khan", "Patel", "Wei", "Adeyemi", "ap Rhys", "Kowalska", "الحسن", "כהן", "王", "García López"]
OFFENCES = ["stalking", "harassment", "malicious_communications", "criminal_damage", "threats"]
RELATIONSHIPS = ["acquaintance", "colleague", "neighbour", "stranger", "online", "unknown"]
TRUE_WORDS = ["true", "yes", "1", "TRUE", "Yes"]

# Bad rows: (name, what is wrong with the row). Each is rejected with a message naming the field.
BAD_KINDS = (
    "empty_name",
    "huge_name",
    "markup_name",
    "bidi_name",
    "impossible_date",
    "future_date",
    "unknown_offence",
    "unknown_risk",
    "wrong_bool",
    "bad_reference",
    "opted_out",
    "domestic_without_consent",
    "unknown_column_value",
    "update_unknown",
    "wrong_type",
)


@dataclass
class Row:
    line_values: dict[str, Any]
    expect: str  # created, repeated, updated, withdrawn, rejected


def generate(n: int, *, seed: int = 1, bad_every: int = 0, repeats_every: int = 0, updates_every: int = 0, withdraw_every: int = 0) -> list[Row]:
    """``n`` rows. Every ``bad_every``-th row is bad (cycling through :data:`BAD_KINDS`); every ``repeats_every``-th
    good row is followed by a repeat of it, every ``updates_every``-th by an update and a replay of that update,
    every ``withdraw_every``-th by its withdrawal. 0 turns a variant off."""
    rng = random.Random(seed)
    rows: list[Row] = []
    today = dt.date(2026, 1, 1)
    bad_index = 0
    i = 0
    while len(rows) < n:
        i += 1
        if bad_every and i % bad_every == 0:
            rows.append(Row(_bad(BAD_KINDS[bad_index % len(BAD_KINDS)], i, rng), "rejected"))
            bad_index += 1
            continue
        row = _good(i, rng, today)
        rows.append(Row(row, "created"))
        key = {"crime_reference": row["crime_reference"], "full_name": row["full_name"]}
        if repeats_every and i % repeats_every == 0:
            rows.append(Row(dict(row), "repeated"))
        if updates_every and i % updates_every == 0:
            update = {"message": "update", **key, "kind": "new_officer", "sent_at": f"2026-01-02T09:{i % 60:02d}:00+00:00", "officer": f"PC {i}"}
            rows.append(Row(update, "updated"))
            rows.append(Row(dict(update), "repeated"))
        if withdraw_every and i % withdraw_every == 0:
            rows.append(Row({"message": "withdrawal", **key, "reason": "late_opt_out"}, "withdrawn"))
    return rows[:n]


def _good(i: int, rng: random.Random, today: dt.date) -> dict[str, Any]:
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    row: dict[str, Any] = {
        "message": "referral",
        "crime_reference": f"{rng.choice(['KP', 'AB', '43'])}/{i:07d}/26",
        "consent": rng.choice(["opt_out_notice", "explicit"]),
        "full_name": f"{given} {family} {i}",
    }
    if rng.random() < 0.8:
        row["date_of_birth"] = (today - dt.timedelta(days=rng.randint(16 * 365, 80 * 365))).isoformat()
    if rng.random() < 0.9:
        number = f"{rng.randint(0, 999):03d}"
        row["phones"] = [rng.choice([f"07700 900{number}", f"+44 7700 900{number}", f"(07700) 900-{number}"])]
    if rng.random() < 0.5:
        row["safe_numbers"] = row.get("phones", ["07700 900000"])[0]
        row["voicemail_ok"] = rng.random() < 0.3
        row["code_word"] = rng.choice(["bluebird", "kestrel", "سلام", "梅花"])
    row["offences"] = rng.sample(OFFENCES, rng.randint(1, 2))
    row["suspect_relationship"] = rng.choice(RELATIONSHIPS)
    row["police_risk"] = rng.choice(["high", "medium", "standard", "unknown"])
    row["date_reported"] = (today - dt.timedelta(days=rng.randint(0, 30))).isoformat()
    if rng.random() < 0.6:
        row["suspect_name"] = f"{rng.choice(GIVEN)} Suspect {i}"
    if rng.random() < 0.4:
        row["account"] = rng.choice(["Follows her to work.", "Messages every night; שלום", "يتبعها إلى العمل", "Turns up at the school gate."])
    row["enhanced_rights"] = rng.random() < 0.3
    return row


def _bad(kind: str, i: int, rng: random.Random) -> dict[str, Any]:
    row = _good(i, rng, dt.date(2026, 1, 1))
    match kind:
        case "empty_name":
            row["full_name"] = " "
        case "huge_name":
            row["full_name"] = "N" * 5000
        case "markup_name":
            row["full_name"] = "<script>alert(1)</script>"
        case "bidi_name":
            row["full_name"] = "Alice \u202eelpmaxE"
        case "impossible_date":
            row["date_of_birth"] = "2001-02-30"
        case "future_date":
            row["date_reported"] = "2999-01-01"
        case "unknown_offence":
            row["offences"] = ["jaywalking"]
        case "unknown_risk":
            row["police_risk"] = "extreme"
        case "wrong_bool":
            row["enhanced_rights"] = "maybe"
        case "bad_reference":
            row["crime_reference"] = "$$$"
        case "opted_out":
            row["consent"] = "opted_out"
        case "domestic_without_consent":
            row["consent"], row["suspect_relationship"] = "opt_out_notice", "ex_partner"
        case "unknown_column_value":
            row["message"] = "hello"
        case "update_unknown":
            return {
                "message": "update",
                "crime_reference": f"ZZ/{i}/99",
                "full_name": "Nobody Known",
                "kind": "charged",
                "sent_at": "2026-01-02T10:00:00+00:00",
            }
        case "wrong_type":
            row["date_of_birth"] = 19900101
    return row


def as_jsonl(rows: list[Row]) -> bytes:
    return "".join(json.dumps(r.line_values, ensure_ascii=False) + "\n" for r in rows).encode()


def as_csv(rows: list[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([_cell(r.line_values.get(c)) for c in COLUMNS])
    return out.getvalue().encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return random.choice(TRUE_WORDS) if value else random.choice(["false", "no", "0"])  # noqa: S311
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


def expected(rows: list[Row]) -> dict[str, int]:
    out = {"created": 0, "repeated": 0, "updated": 0, "withdrawn": 0, "rejected": 0}
    for r in rows:
        out[r.expect] += 1
    return out


def lines(rows: list[Row]) -> Iterator[tuple[int, Row]]:
    """(line number in the file, row), the same for CSV (after its header) and JSON Lines."""
    yield from enumerate(rows, start=1)
