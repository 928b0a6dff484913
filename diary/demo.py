"""A sample case, clearly labelled, so a newcomer sees at once what Daybook is for.

45 made-up incidents over seven weeks that escalate the way real cases often do: messages and calls,
then turning up at work and waiting outside home, then contacting friends, then threats and damage.
Every incident goes through the same services as a real one (versions, hash chain, audit).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cases import services as case_services
from cases.models import Case
from diary.services import IncidentData, create_incident, edit_incident, retract_incident
from kernel import localtime

# (day offset from the start, hour, minute, behaviours, channel, how_many, location kind, what happened,
#  feelings, felt in danger, reported)
PLAN: list[tuple[Any, ...]] = [
    (0, 21, 40, ["CONT.MSG"], "text", 6, "online", "Six texts in an hour saying he misses me and wants to talk. I did not reply.", "Uneasy.", False, False),
    (1, 7, 15, ["CONT.MSG"], "text", 3, "online", "Three more texts before work asking why I am ignoring him.", "", False, False),
    (2, 22, 5, ["CONT.CALL"], "phone_call", 4, "home", "Four missed calls late at night from his number.", "Could not sleep.", False, False),
    (4, 12, 30, ["CONT.MSG"], "messaging_app", 11, "online", "Eleven WhatsApp messages, getting angrier when I did not answer.", "", False, False),
    (
        5,
        23,
        10,
        ["CONT.CALL"],
        "phone_call",
        7,
        "home",
        "Seven calls from a withheld number between 11pm and midnight.",
        "Scared to answer the phone.",
        False,
        False,
    ),
    (
        7,
        8,
        0,
        ["CONT.MSG", "SURV.ONLINE"],
        "social_media",
        1,
        "online",
        "Message on Instagram mentioning a photo I posted an hour earlier. I had blocked him, so it came from a new account.",
        "He is watching what I post.",
        False,
        False,
    ),
    (8, 19, 45, ["CONT.MSG"], "email", 2, "online", "Two long emails saying we need to talk and that I owe him an explanation.", "", False, False),
    (9, 13, 20, ["CONT.CALL"], "phone_call", 23, "work", "23 calls to my mobile during the working day.", "Could not concentrate at work.", False, False),
    (10, 21, 0, ["CONT.MSG"], "text", 9, "online", "Nine texts, some saying sorry and some calling me names.", "", False, False),
    (
        12,
        18,
        10,
        ["CONT.GIFT"],
        "gift",
        1,
        "home",
        "Flowers left on my doorstep with a card in his handwriting. I did not touch the card and put everything in a box.",
        "He knows I am home.",
        False,
        False,
    ),
    (13, 22, 30, ["CONT.MSG", "SURV.ONLINE"], "social_media", 4, "online", "Comments on my friend's post about where we went on Saturday.", "", False, False),
    (
        14,
        8,
        50,
        ["CONT.VISIT", "SURV.LOITER"],
        "in_person",
        1,
        "work",
        "Standing across the road from my office when I arrived. Grey jacket, blue Ford Focus parked behind him.",
        "Shaking all morning.",
        True,
        False,
    ),
    (
        15,
        17,
        30,
        ["SURV.LOITER"],
        "in_person",
        1,
        "work",
        "In the car park at work when I left. Did not approach, just watched.",
        "Frightened to walk to my car.",
        True,
        False,
    ),
    (16, 12, 5, ["CONT.MSG"], "text", 14, "online", "Fourteen texts asking who I was with at lunch.", "", False, False),
    (
        17,
        8,
        45,
        ["CONT.VISIT"],
        "in_person",
        1,
        "work",
        "Came into reception at work and asked for me. Security asked him to leave.",
        "Embarrassed and scared.",
        True,
        False,
    ),
    (18, 21, 15, ["SURV.LOITER"], "in_person", 1, "home", "Blue Ford Focus parked outside my house for about an hour.", "Kept the lights off.", True, False),
    (19, 7, 40, ["SURV.FOLLOW"], "in_person", 1, "public", "Followed me from the bus stop to the station, about ten metres behind.", "Terrified.", True, False),
    (
        20,
        15,
        0,
        ["CONT.PROXY"],
        "third_party",
        1,
        "online",
        "My sister got a message from him asking her to tell me to call him.",
        "Upset that he is dragging my family in.",
        False,
        False,
    ),
    (21, 10, 0, ["CONT.CALL"], "phone_call", 31, "home", "31 calls in one morning, most withheld.", "", False, True),
    (
        22,
        20,
        30,
        ["CONT.PROXY", "SABO.WORK"],
        "email",
        1,
        "work",
        "He emailed my manager saying I was unreliable and lying about him.",
        "Worried about my job.",
        False,
        False,
    ),
    (23, 18, 20, ["SURV.LOITER"], "in_person", 1, "home", "Waiting at the end of my road when I got home.", "", True, False),
    (24, 9, 10, ["CONT.VISIT"], "in_person", 1, "work", "Outside work again at 9am.", "", True, False),
    (25, 13, 0, ["CONT.MSG"], "messaging_app", 8, "online", "Eight messages from a new number saying he will not stop until I talk to him.", "", False, False),
    (
        26,
        19,
        0,
        ["SURV.TRACKER"],
        "other",
        1,
        "vehicle",
        (
            "My phone warned me an unknown AirTag was travelling with me. Found it taped under the back bumper. "
            "Took photos and noted the serial number before removing the battery."
        ),
        "He knows everywhere I go.",
        True,
        True,
    ),
    (27, 22, 45, ["CONT.CALL"], "phone_call", 12, "home", "Twelve calls between 10pm and 1am.", "", False, False),
    (28, 8, 30, ["CONT.VISIT", "SURV.LOITER"], "in_person", 1, "home", "Sat in his car outside my house as I left for work.", "", True, False),
    (
        29,
        17,
        40,
        ["SURV.FOLLOW"],
        "in_person",
        1,
        "vehicle",
        "Drove behind me most of the way home. I drove to the police station car park and he drove off.",
        "",
        True,
        True,
    ),
    (30, 21, 10, ["THRT.IMPLIED"], "text", 1, "online", "Text: 'You will regret treating me like this. Watch your back.'", "Scared for my safety.", True, True),
    (31, 11, 0, ["CONT.PROXY", "SURV.INFO"], "third_party", 1, "online", "A friend said he had been asking her what time I finish work.", "", False, False),
    (32, 7, 55, ["SURV.LOITER"], "in_person", 1, "home", "At the end of my road again.", "", True, False),
    (33, 23, 30, ["CONT.MSG"], "text", 17, "online", "Seventeen texts after midnight.", "", False, False),
    (
        34,
        18,
        0,
        ["PROP.DAMAGE"],
        "in_person",
        1,
        "home",
        "Both front tyres of my car slashed overnight. Neighbour's doorbell camera may have caught it.",
        "Feel unsafe at home.",
        True,
        True,
    ),
    (
        35,
        12,
        15,
        ["PUBL.POST"],
        "social_media",
        1,
        "online",
        "Posted about me on Facebook with my workplace name, calling me a liar.",
        "Humiliated.",
        False,
        False,
    ),
    (
        36,
        20,
        0,
        ["THRT.VIOLENCE"],
        "messaging_app",
        1,
        "online",
        "Voice message: he said he would hurt me if I went to the police again.",
        "Very frightened.",
        True,
        True,
    ),
    (37, 22, 0, ["THRT.OTHERS"], "text", 1, "online", "Text saying my sister 'should be careful too'.", "Terrified for my sister.", True, True),
    (38, 9, 0, ["CONT.VISIT"], "in_person", 1, "work", "At work reception again, shouting my name.", "", True, True),
    (
        39,
        19,
        30,
        ["SURV.WATCH"],
        "in_person",
        1,
        "home",
        "Saw him in the back garden looking through the kitchen window.",
        "Hid upstairs and called 999.",
        True,
        True,
    ),
    (40, 16, 0, ["CONT.MSG"], "text", 5, "online", "Five texts even though the police told him not to contact me.", "", True, True),
    (41, 23, 50, ["CONT.CALL"], "phone_call", 19, "home", "Nineteen calls in an hour after midnight.", "", True, False),
    (
        42,
        8,
        20,
        ["SURV.FOLLOW", "CONT.VISIT"],
        "in_person",
        1,
        "public",
        "Followed me into the supermarket and stood in front of me at the till.",
        "",
        True,
        True,
    ),
    (43, 21, 0, ["THRT.KILL"], "text", 1, "online", "Text: 'If I can't have you no one will.'", "I think he could kill me.", True, True),
    (
        44,
        18,
        30,
        ["PROP.ENTRY"],
        "in_person",
        1,
        "home",
        "Came home to find the back door open and my post opened on the table.",
        "I do not feel safe in my own home.",
        True,
        True,
    ),
    (45, 7, 30, ["SURV.LOITER"], "in_person", 1, "home", "His car at the end of my road again at 7.30am.", "", True, False),
    (
        46,
        20,
        45,
        ["CONT.MSG", "THRT.SUICIDE"],
        "text",
        4,
        "online",
        "Texts saying he will kill himself if I do not see him.",
        "Guilty and frightened.",
        True,
        False,
    ),
]


def load_sample_case(user: Any, end: dt.datetime | None = None) -> Case:
    """Create the sample case for ``user``, ending at ``end`` (default: yesterday evening)."""
    now = localtime.now_local()
    end = end or (now - dt.timedelta(days=1))
    start_day = end.date() - dt.timedelta(days=PLAN[-1][0])
    case = case_services.create_case(
        user,
        is_sample=True,
        label="Sample case (made-up data)",
        relationship="ex_partner",
        suspect_name="Sample: 'Mark' (not a real person)",
        suspect_vehicles="Blue Ford Focus (sample)",
        started_on=start_day,
        notes="This case is made up. It shows how a log builds up over a few weeks. You can retract its entries or ignore it.",
    )
    ref = None
    for day, hour, minute, codes, channel, how_many, kind, what, feelings, danger, reported in PLAN:
        when = dt.datetime.combine(start_day + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=localtime.local_tz())
        if reported and ref is None:
            ref = case_services.save_crime_reference(
                case, user, None, reference="SAMPLE/12345/26", force="Sample Police", given_on=when.date(), officer="PC 1234 Sample", notes="Made-up reference"
            )
        data = IncidentData(
            occurred_at=when,
            description=what,
            behaviours=codes,
            channel=channel,
            how_many=how_many if how_many and how_many > 1 else None,
            location_kind=kind,
            feelings=feelings,
            felt_in_danger=danger,
            reported=reported,
            reported_on=when.date() if reported else None,
            report_how="101" if reported else "",
            crime_reference=ref if reported else None,
        )
        create_incident(case, user, data, quick=not feelings and not reported)
    # Show history: one entry corrected, one retracted.
    first = case.incidents.get(number=2)
    data = IncidentData.from_incident(first)
    data.description += " One said he was outside my building."
    edit_incident(first, user, data)
    extra = create_incident(
        case,
        user,
        IncidentData(
            occurred_at=dt.datetime.combine(start_day + dt.timedelta(days=3), dt.time(9, 0), tzinfo=localtime.local_tz()),
            description="Entered twice by mistake.",
            behaviours=["CONT.MSG"],
        ),
    )
    retract_incident(extra, user, "Duplicate of another entry.")
    return case
