"""First-contact deadlines in working days, across weekends and the bank holidays of each nation.

Expected dates are written out by hand from the published UK bank holidays (gov.uk/bank-holidays), not computed
with the ``holidays`` package, so a wrong subdivision or counting rule fails here."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from casework.deadlines import add_working_days, due_at, working_days_between

LONDON = zoneinfo.ZoneInfo("Europe/London")
D = dt.date

CASES = [
    # (received, working days, nation, deadline day, why)
    (D(2026, 11, 6), 1, "ENG", D(2026, 11, 9), "Friday + 1 skips the weekend"),
    (D(2026, 11, 7), 1, "ENG", D(2026, 11, 9), "a Saturday referral: Monday is the first working day after it"),
    (D(2026, 11, 7), 0, "ENG", D(2026, 11, 9), "zero days on a Saturday: the next working day"),
    (D(2026, 11, 6), 0, "ENG", D(2026, 11, 6), "zero days on a working day: the same day"),
    (D(2026, 11, 9), 2, "ENG", D(2026, 11, 11), "Monday + 2"),
    (D(2026, 4, 2), 1, "ENG", D(2026, 4, 7), "Good Friday and Easter Monday"),
    (D(2026, 4, 2), 1, "WLS", D(2026, 4, 7), "Wales has Easter Monday too"),
    (D(2026, 4, 2), 1, "NIR", D(2026, 4, 7), "Northern Ireland has Easter Monday too"),
    (D(2026, 4, 2), 1, "SCT", D(2026, 4, 6), "Scotland has no Easter Monday bank holiday"),
    (D(2025, 12, 31), 1, "ENG", D(2026, 1, 2), "England: 2 January is a working day"),
    (D(2025, 12, 31), 1, "SCT", D(2026, 1, 5), "Scotland: 2 January is a bank holiday"),
    (D(2026, 3, 16), 1, "NIR", D(2026, 3, 18), "St Patrick's Day"),
    (D(2026, 3, 16), 1, "ENG", D(2026, 3, 17), "St Patrick's Day is a working day in England"),
    (D(2026, 7, 10), 1, "NIR", D(2026, 7, 14), "Battle of the Boyne (12 July, a Sunday) observed on Monday 13"),
    (D(2026, 7, 10), 1, "SCT", D(2026, 7, 13), "not a holiday in Scotland"),
    (D(2026, 7, 31), 1, "SCT", D(2026, 8, 4), "Scotland's summer bank holiday, first Monday of August"),
    (D(2026, 7, 31), 1, "ENG", D(2026, 8, 3), "not a holiday in England"),
    (D(2026, 8, 28), 1, "ENG", D(2026, 9, 1), "England's late summer bank holiday, last Monday of August"),
    (D(2026, 8, 28), 1, "SCT", D(2026, 8, 31), "not a holiday in Scotland"),
    (D(2026, 11, 27), 1, "SCT", D(2026, 12, 1), "St Andrew's Day, Monday 30 November"),
    (D(2026, 11, 27), 1, "WLS", D(2026, 11, 30), "not a holiday in Wales"),
    (D(2026, 12, 24), 1, "ENG", D(2026, 12, 29), "Christmas Day (Friday) and Boxing Day observed on Monday 28"),
    (D(2026, 12, 24), 1, "SCT", D(2026, 12, 29), "the same in Scotland"),
    (D(2026, 12, 30), 5, "ENG", D(2027, 1, 7), "across the new year: 1 January 2027 (Friday)"),
    (D(2026, 12, 30), 5, "SCT", D(2027, 1, 8), "Scotland: 2 January 2027 (a Saturday) observed on Monday 4"),
]


@pytest.mark.parametrize(("received", "days", "nation", "expected", "why"), CASES, ids=[c[4] for c in CASES])
def test_working_day_deadline(received, days, nation, expected, why):
    assert add_working_days(received, days, nation) == expected, why


def test_deadline_is_the_end_of_the_day_in_london_time():
    # Received late on a Friday in British Summer Time; the deadline is the end of Monday.
    received = dt.datetime(2026, 6, 5, 22, 30, tzinfo=dt.UTC)  # 23:30 in London
    due = due_at(received, 1, "ENG").astimezone(LONDON)
    assert (due.date(), due.hour, due.minute) == (D(2026, 6, 8), 23, 59)
    # 23:30 UTC on 31 March is already 1 April in London (BST): counting starts from the London date.
    due = due_at(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC), 1, "ENG").astimezone(LONDON)
    assert due.date() == D(2026, 4, 2)


def test_working_days_between_counts_like_the_deadline():
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 7), "ENG") == 1
    assert working_days_between(D(2026, 4, 2), D(2026, 4, 7), "SCT") == 2
