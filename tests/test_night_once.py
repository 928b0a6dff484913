"""Night is defined once (kernel.night) and every page says it the same way: the pattern page (diary and imported
findings, "How Daybook decides"), the import's page and the day incidents an import writes."""

from __future__ import annotations

import re

from imports import flags
from insights import thresholds as T
from kernel import night
from tests.test_imports_flow import HIM, chat, do_import, incidents

OTHER_DEFINITIONS = re.compile(r"midnight (?:to|and) 6am|00:00 to 05:59|5:59am")


def test_the_one_definition_agrees_with_its_words():
    assert (night.FROM_HOUR, night.TO_HOUR) == (23, 6) and night.WORDS == "between 11pm and 6am" and night.SPAN == "11pm to 6am"
    assert [h for h in range(24) if night.is_night_hour(h)] == [0, 1, 2, 3, 4, 5, 23]
    assert (T.NIGHT_START_HOUR.value, T.NIGHT_END_HOUR.value) == (flags.NIGHT_FROM_HOUR, flags.NIGHT_TO_HOUR) == (night.FROM_HOUR, night.TO_HOUR)
    assert not hasattr(T, "IMPORT_NIGHT_HOURS")  # no second threshold for imported contact


def test_the_pattern_page_and_the_import_page_say_the_same(case, owner, owner_client):
    lines = [("07/01/2024 23:10", HIM, "Awake?"), ("08/01/2024 02:00", HIM, "Answer"), ("08/01/2024 12:00", HIM, "Hi")]
    job = do_import(case, owner, chat(lines))
    pattern = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    page = owner_client.get(f"/cases/{case.pk}/imports/{job.pk}/").content.decode()
    assert f"Night-time is {night.WORDS}" in pattern  # under "How Daybook decides", once
    assert pattern.count("Night-time is ") == 1
    assert f"came at night ({night.SPAN})" in pattern
    assert f"At night ({night.SPAN})" in page and f"Night: {night.WORDS}" in page
    days = incidents(case)
    for day in days:
        day.case = case
    for text in (pattern, page, *(d.description for d in days)):
        assert not OTHER_DEFINITIONS.search(text), OTHER_DEFINITIONS.search(text).group(0)
    assert job.stats["night"] == 2
