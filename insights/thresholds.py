"""Every number the pattern analysis uses, named, with where it comes from.

Each threshold says whether it comes from research or guidance (with the source, as recorded in
``../shared/domain/stalking-uk.md``) or is Daybook's own choice. Daybook's own choices are said to be
so, here and on the page: they decide when a finding is shown, they are not research results, and none
of them is a prediction of what will happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from imports import flags
from kernel import night


@dataclass(frozen=True)
class Threshold:
    name: str
    value: int
    meaning: str  # plain words, shown on the page
    source: str  # where the number comes from; for Daybook's own choices, why it was chosen
    own_choice: bool = False  # True: Daybook's choice, not a research finding


COURSE_OF_CONDUCT = Threshold(
    "COURSE_OF_CONDUCT",
    2,
    "Two or more incidents make a course of conduct.",
    "Protection from Harassment Act 1997, section 7(3)(a): a course of conduct involves conduct on at least two occasions. "
    "The S-DASH (2009) guidance also says a screening should be done when there are two or more incidents.",
)
"""Incidents needed for a course of conduct (PHA 1997 s7(3)(a)); also the S-DASH prompt to screen."""

TWO_WEEKS_DAYS = Threshold(
    "TWO_WEEKS_DAYS",
    14,
    "Unwanted contact that goes on for more than two weeks.",
    "Purcell, Pathé and Mullen (2004), J Forensic Psychiatry & Psychology 15(4): intrusions that continue beyond two weeks "
    "are linked to a more intrusive, threatening and damaging course of harassment; two weeks is the watershed between "
    "brief episodes and protracted stalking.",
)
"""Days between the first and the latest incident beyond which stalking tends to persist (Purcell, Pathé & Mullen 2004)."""

RECENT_DAYS = Threshold(
    "RECENT_DAYS",
    14,
    "The recent period compared: the last 14 days, up to today.",
    "Daybook's choice, matching the two-week period in the research above so that the comparison is easy to follow.",
    own_choice=True,
)
"""Length of the recent window in the escalation-in-frequency comparison (Daybook's choice)."""

BEFORE_DAYS = Threshold(
    "BEFORE_DAYS",
    28,
    "The period it is compared with: the 28 days before that.",
    "Daybook's choice: four weeks is long enough to show the usual level, and short enough to be about now.",
    own_choice=True,
)
"""Length of the earlier window in the escalation-in-frequency comparison (Daybook's choice)."""

ESCALATION_FACTOR = Threshold(
    "ESCALATION_FACTOR",
    2,
    "More frequent means at least twice as many incidents in the last 14 days as in an average 14 days of the 28 before.",
    "Daybook's choice. The research says escalation matters (Monckton Smith, Szymanska and Haile 2017 found escalation "
    "in 79% of the 358 homicide cases studied), but no source gives a number for it; doubling is a clear change, not noise.",
    own_choice=True,
)
"""How many times the earlier rate the recent count must reach to count as escalation (Daybook's choice)."""

ESCALATION_MIN_RECENT = Threshold(
    "ESCALATION_MIN_RECENT",
    3,
    "At least three incidents in the last 14 days, so that one or two extra incidents alone are not called escalation.",
    "Daybook's choice.",
    own_choice=True,
)
"""Fewest incidents in the recent window before escalation in frequency is shown (Daybook's choice)."""

REMOTE_BEFORE_PRESENCE = Threshold(
    "REMOTE_BEFORE_PRESENCE",
    2,
    "A move from contact at a distance to turning up in person: at least two earlier incidents, all at a distance.",
    "Daybook's choice (two incidents being a course of conduct). The research behind it: a 2021 study of 924 National "
    "Stalking Helpline cases placed unwanted messages and calls at the low end of a severity scale, and damage and death "
    "threats at the high end.",
    own_choice=True,
)
"""Earlier at-a-distance incidents needed before a first physical approach counts as a move to presence."""

VISITS_PER_WEEK = Threshold(
    "VISITS_PER_WEEK",
    3,
    "Turning up more than three times in a week (Monday to Sunday).",
    "The S-DASH (2009) stalking screening asks about visits to the person's home, work or other places more than three "
    "times a week. Counting calendar weeks from Monday is Daybook's choice.",
)
"""Visits in one calendar week above which the S-DASH topic on frequent visits applies ("more than three")."""

NIGHT_START_HOUR = Threshold(
    "NIGHT_START_HOUR",
    night.FROM_HOUR,
    f"Night-time is {night.WORDS}, for the diary and for imported messages and calls alike.",
    night.SOURCE,
    own_choice=True,
)
"""First hour of the night (Daybook's choice, defined once in kernel.night)."""

NIGHT_END_HOUR = Threshold(
    "NIGHT_END_HOUR",
    night.TO_HOUR,
    "Night-time ends at 6am.",
    "Daybook's choice (see above).",
    own_choice=True,
)
"""Hour the night ends, exclusive (kernel.night)."""

NIGHT_MIN = Threshold(
    "NIGHT_MIN",
    2,
    "Night-time contact is shown when it has happened at least twice.",
    "Daybook's choice: two incidents make a pattern rather than a one-off.",
    own_choice=True,
)
"""Fewest night-time incidents before the finding is shown (Daybook's choice)."""

BURST_CONTACTS = Threshold(
    "BURST_CONTACTS",
    10,
    "A burst is 10 or more calls, messages or other contacts within one hour.",
    "Daybook's choice. A record of several contacts with no end time counts as happening together; a record that says it "
    "lasted longer than an hour is left out of bursts.",
    own_choice=True,
)
"""Contacts within the burst window that make a burst (Daybook's choice)."""

BURST_MINUTES = Threshold(
    "BURST_MINUTES",
    60,
    "The burst window is one hour.",
    "Daybook's choice.",
    own_choice=True,
)
"""Length of the burst window in minutes (Daybook's choice)."""

IMPORT_BURST_MESSAGES = Threshold(
    "IMPORT_BURST_MESSAGES",
    flags.BURST_MESSAGES,
    f"An imported burst: {flags.BURST_MESSAGES} or more messages within {flags.BURST_MESSAGE_MINUTES} minutes, "
    f"or {flags.BURST_CALLS} or more calls within {flags.BURST_CALL_MINUTES} minutes.",
    f"{flags.BURST_SOURCE} Bursts less than one window apart are counted as one.",
    own_choice=True,
)
"""Messages within IMPORT_BURST_MESSAGE_MINUTES that are flagged as a burst when imported (Daybook's choice)."""

IMPORT_BURST_MESSAGE_MINUTES = Threshold(
    "IMPORT_BURST_MESSAGE_MINUTES",
    flags.BURST_MESSAGE_MINUTES,
    f"The window for a burst of messages is {flags.BURST_MESSAGE_MINUTES} minutes.",
    "Daybook's choice.",
    own_choice=True,
)
IMPORT_BURST_CALLS = Threshold(
    "IMPORT_BURST_CALLS",
    flags.BURST_CALLS,
    f"{flags.BURST_CALLS} or more calls within the call window make a burst.",
    "Daybook's choice.",
    own_choice=True,
)
IMPORT_BURST_CALL_MINUTES = Threshold(
    "IMPORT_BURST_CALL_MINUTES",
    flags.BURST_CALL_MINUTES,
    f"The window for a burst of calls is {flags.BURST_CALL_MINUTES} minutes.",
    "Daybook's choice.",
    own_choice=True,
)

REPEAT_12_MONTHS = Threshold(
    "REPEAT_12_MONTHS",
    3,
    "Where the person is a partner, ex-partner or family member: three or more incidents in 12 months.",
    "SafeLives: domestic abuse services commonly treat three incidents in a 12-month period as potential escalation, one "
    "of the criteria for referral to a Marac (multi-agency risk assessment conference).",
)
"""Incidents in 12 months that domestic abuse services treat as potential escalation (SafeLives)."""

ALL = [
    COURSE_OF_CONDUCT,
    TWO_WEEKS_DAYS,
    RECENT_DAYS,
    BEFORE_DAYS,
    ESCALATION_FACTOR,
    ESCALATION_MIN_RECENT,
    REMOTE_BEFORE_PRESENCE,
    VISITS_PER_WEEK,
    NIGHT_START_HOUR,
    NIGHT_MIN,
    BURST_CONTACTS,
    BURST_MINUTES,
    IMPORT_BURST_MESSAGES,  # its meaning states the whole rule, with the three numbers below
    REPEAT_12_MONTHS,
]

# Research behind the highest-risk combinations named on the screening outcome (no numbers of our own).
EX_INTIMATE_THREATS_SOURCE = (
    "Mullen, Pathé and Purcell (2009), quoted in the Checklist for Stalking Cases (2009): those at highest risk of assault "
    "are ex-intimates who have been threatened. McEwan, Mullen, MacKenzie and Ogloff (2009): among ex-partner stalkers, "
    "violence was best predicted by previous violence and making threats."
)
ESCALATION_SOURCE = "Monckton Smith, Szymanska and Haile (2017): escalation was present in 79% of 358 homicide cases with stalking behaviours."
DURATION_SOURCE = TWO_WEEKS_DAYS.source
FEAR_SOURCE = "Weisz et al. (2000), quoted by Protection Against Stalking: the person is often the best judge of the risk they face."
PAST_VIOLENCE_SOURCE = "McEwan, Mullen, MacKenzie and Ogloff (2009), Psychological Medicine: previous violence is a particularly important risk factor."
NOT_PREDICTION = (
    "Risk identification is not a predictive process: no method can tell which cases will end in serious harm "
    "(S-DASH 2009 guidance). Daybook shows what your diary and your answers say; it never gives a score."
)
