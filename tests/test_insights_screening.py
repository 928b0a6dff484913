"""Risk screening: instruments as data, suggestions from the diary checked against synthetic ground truth,
answers confirmed by the person and kept, the outcome, change over time, and licensed wording."""

from __future__ import annotations

import json
import re

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from cases.services import save_crime_reference, save_order, update_case
from insights import instruments, selectors, synthetic
from insights.models import InstrumentWording, Screening
from insights.services import record_screening
from support.models import Contact

pytestmark = pytest.mark.django_db

DAYBOOK = "daybook-indicators"
SDASH = "sdash-2009"


# --- The instrument files ------------------------------------------------------------------------------------


def test_sdash_ships_ids_and_topics_only():
    raw = json.loads((instruments.DATA / "sdash-2009.json").read_text())
    assert [q["id"] for q in raw["questions"]] == [f"SDASH-{i:02d}" for i in range(1, 12)]
    assert raw["wording_restricted"] is True
    for q in raw["questions"]:
        assert q["text"] == "" and q["help"] == "" and q["topic"]
    inst = instruments.get(SDASH)
    assert not inst.has_wording and inst.questions[0].asks == inst.questions[0].topic


def test_restricted_instrument_with_wording_is_refused():
    raw = json.loads((instruments.DATA / "sdash-2009.json").read_text())
    raw["questions"][0]["text"] = "Some wording"
    with pytest.raises(instruments.InstrumentError):
        instruments.validate(raw, "sdash")


@pytest.mark.parametrize(
    "broken",
    [
        {"version": 1, "name": "x", "questions": []},
        {"id": "x", "version": 1, "name": "x", "questions": [{"id": "A", "topic": "t"}, {"id": "A", "topic": "t"}]},
        {"id": "x", "version": 1, "name": "x", "questions": [{"id": "A", "topic": "t", "rules": [{"kind": "guess"}]}]},
        {"id": "x", "version": 1, "name": "x", "questions": [{"id": "A", "topic": "t", "marks": ["lucky"]}]},
        {"id": "x", "version": 1, "name": "x", "questions": [{"id": "A"}]},
    ],
)
def test_malformed_instruments_are_refused(broken):
    with pytest.raises(instruments.InstrumentError):
        instruments.validate(broken, "broken")


def test_daybook_indicators_cover_the_research_topics():
    inst = instruments.get(DAYBOOK)
    topics = " ".join(q.topic.lower() for q in inst.questions)
    for word in [
        "ex-partner",
        "threats",
        "suicide",
        "violence",
        "damage",
        "following",
        "three times a week",
        "frightened",
        "two weeks",
        "worse",
        "other people",
        "past violence",
        "drink or drugs",
    ]:
        assert word in topics, word
    assert all(q.text and q.help for q in inst.questions)


# --- Suggestions from the diary, against the ground truth -----------------------------------------------------


@pytest.fixture
def escalating():
    syn = synthetic.escalating_case()
    return syn, syn.analyse()


def test_daybook_suggestions_match_the_ground_truth(escalating):
    syn, a = escalating
    truth = syn.truth
    found = instruments.suggestions(instruments.get(DAYBOOK), a)
    assert found["DB-EXPARTNER"].answer == "yes"
    assert found["DB-THREATS"].answer == "yes" and set(found["DB-THREATS"].numbers) == truth["threats"]
    assert found["DB-FEAR"].answer == "yes" and set(found["DB-FEAR"].numbers) == truth["danger"]
    assert found["DB-VISITS"].answer == "yes" and set(found["DB-VISITS"].numbers) == truth["frequent_visits"]
    assert found["DB-THIRDPARTIES"].answer == "yes" and truth["third_parties"] <= set(found["DB-THIRDPARTIES"].numbers)
    assert found["DB-DURATION"].answer == "yes"
    assert found["DB-ESCALATION"].answer == "yes" and truth["escalation_seriousness"] <= set(found["DB-ESCALATION"].numbers)
    assert found["DB-DAMAGE"].answer == "yes"
    assert found["DB-VIOLENCE"].answer is None and not found["DB-VIOLENCE"].cannot_tell
    assert found["DB-SUICIDE"].answer is None
    assert found["DB-PASTVIOLENCE"].answer is None and found["DB-PASTVIOLENCE"].cannot_tell
    assert found["DB-SUBSTANCES"].cannot_tell


def test_sdash_suggestions_match_the_ground_truth(escalating):
    syn, a = escalating
    found = instruments.suggestions(instruments.get(SDASH), a)
    assert set(found["SDASH-01"].numbers) == syn.truth["danger"]
    visits = found["SDASH-04"]
    assert visits.answer == "yes" and set(visits.numbers) == syn.truth["frequent_visits"]
    assert re.fullmatch(r"Turned up at your home, work or other places 4 times in the week of \d+ \w+ \d{4}\.", visits.points[-1].text)
    assert found["SDASH-06"].answer == "yes"  # threats of violence and to kill
    assert found["SDASH-03"].answer == "yes"  # damage
    assert found["SDASH-07"].answer == "yes"  # a third party
    assert found["SDASH-08"].answer is None
    assert found["SDASH-02"].cannot_tell and found["SDASH-10"].cannot_tell and found["SDASH-11"].cannot_tell


def test_calm_data_suggests_little():
    a = synthetic.calm_case().analyse()
    found = instruments.suggestions(instruments.get(DAYBOOK), a)
    suggested = {qid for qid, s in found.items() if s.answer == "yes"}
    assert suggested == {"DB-EXPARTNER", "DB-DURATION"}


def test_relationship_can_suggest_no():
    b = synthetic.Builder(relationship="stranger")
    b.calm(10, 2)
    found = instruments.suggestions(instruments.get(DAYBOOK), b.build().analyse())
    assert found["DB-EXPARTNER"].answer == "no"
    b = synthetic.Builder(relationship="unknown")
    b.calm(10, 2)
    assert instruments.suggestions(instruments.get(DAYBOOK), b.build().analyse())["DB-EXPARTNER"].answer is None


# --- Outcome: the highest-risk combinations, named, never scored ----------------------------------------------


def answers_for(inst, yes=()):  # noqa: ANN001, ANN201
    return {qid: ("yes" if qid in yes else "no") for qid in inst.ids}


def test_combinations_come_from_the_answers(escalating):
    _, a = escalating
    inst = instruments.get(DAYBOOK)
    assert instruments.combinations(inst, answers_for(inst), a) == []
    keys = [c.key for c in instruments.combinations(inst, answers_for(inst, {"DB-EXPARTNER", "DB-THREATS"}), a)]
    assert keys == ["ex_intimate_threats"]
    keys = [c.key for c in instruments.combinations(inst, answers_for(inst, {"DB-ESCALATION", "DB-DURATION", "DB-FEAR", "DB-PASTVIOLENCE"}), a)]
    assert keys == ["escalation", "duration", "fear", "violence"]
    # "I don't know" is not yes.
    unknown = dict.fromkeys(inst.ids, "unknown")
    assert instruments.combinations(inst, unknown, a) == []


def test_sdash_combinations_use_the_case_and_diary_for_what_it_does_not_ask(escalating):
    _, a = escalating
    inst = instruments.get(SDASH)
    combos = instruments.combinations(inst, answers_for(inst, {"SDASH-06"}), a)
    by_key = {c.key: c for c in combos}
    assert "ex_intimate_threats" in by_key and by_key["ex_intimate_threats"].from_diary
    assert "escalation" in by_key and "duration" in by_key


# --- Keeping a screening ---------------------------------------------------------------------------------------


def test_record_screening_needs_every_answer(case, owner):
    a = selectors.case_analysis(case)
    inst = instruments.get(DAYBOOK)
    answers = answers_for(inst)
    answers.pop("DB-FEAR")
    with pytest.raises(ValueError, match="DB-FEAR"):
        record_screening(case, owner, inst, answers, a)
    with pytest.raises(ValueError):
        record_screening(case, owner, inst, {**answers_for(inst), "DB-FEAR": "maybe"}, a)
    with pytest.raises(ValueError):
        record_screening(case, owner, inst, {**answers_for(inst), "SDASH-01": "yes"}, a)
    assert Screening.objects.count() == 0


def test_screening_is_kept_with_notes_sealed(case, owner):
    synthetic.escalating_case().write(case, owner)
    inst = instruments.get(DAYBOOK)
    s = record_screening(
        case,
        owner,
        inst,
        answers_for(inst, {"DB-THREATS", "DB-EXPARTNER"}),
        selectors.case_analysis(case),
        {"DB-THREATS": "He said he would burn the house"},
        "I moved out in May",
    )
    s.refresh_from_db()
    assert s.answers["DB-THREATS"] == "yes" and s.suggested["DB-THREATS"] == "yes" and s.suggested["DB-VIOLENCE"] is None
    assert s.combinations == ["ex_intimate_threats"]
    # Whole phrases: a short word like "May" can turn up by chance in base64 ciphertext.
    assert "would burn the house" not in s.details_enc and "moved out in May" not in s.details_enc and s.details_enc.startswith("v2.")
    fresh = Screening.objects.get(pk=s.pk)
    assert fresh.notes == {"DB-THREATS": "He said he would burn the house"} and fresh.context == "I moved out in May"
    assert fresh.findings and fresh.incidents == 51
    assert AuditEvent.objects.filter(case=case, action="screening.recorded").count() == 1


# --- Through the pages -----------------------------------------------------------------------------------------


def post_data(inst, answers, **extra):  # noqa: ANN001, ANN201
    data = {f"answer_{qid}": value for qid, value in answers.items()}
    data.update(extra)
    return data


def test_form_shows_suggestions_with_links_and_preselects_nothing(owner_client, case, owner):
    syn = synthetic.escalating_case()
    syn.write(case, owner)
    page = owner_client.get(f"/cases/{case.pk}/screening/new/{DAYBOOK}/").content.decode()
    assert "Your diary suggests: Yes" in page
    for n in syn.truth["threats"]:
        assert f'href="/cases/{case.pk}/incidents/{n}/"' in page
    assert " checked" not in page
    assert "Your diary does not record this" in page


def test_form_refuses_bad_input_and_keeps_what_was_typed(owner_client, case):
    inst = instruments.get(DAYBOOK)
    url = f"/cases/{case.pk}/screening/new/{DAYBOOK}/"
    answers = answers_for(inst)
    answers.pop("DB-FEAR")
    answers["DB-THREATS"] = "perhaps"
    response = owner_client.post(url, post_data(inst, answers, **{"note_DB-VIOLENCE": "x" * 1001, "context": "Kept context"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Answer yes, no or I don&#x27;t know for: How frightened you are" in page
    assert 'href="#id_answer_DB-FEAR_0"' in page and 'id="id_answer_DB-FEAR_0"' in page
    assert "Choose one of the answers for: Threats to you or to others" in page
    assert "Keep the details for" in page
    assert "Kept context" in page
    assert Screening.objects.count() == 0


def test_unknown_instrument_and_wrong_fields_save_nothing(owner_client, case):
    assert owner_client.post(f"/cases/{case.pk}/screening/new/nope/", {}).status_code == 404
    assert owner_client.post(f"/cases/{case.pk}/screening/new/{SDASH}/", {"answer_DB-FEAR": "yes"}).status_code == 200
    assert Screening.objects.count() == 0


def test_save_and_see_the_outcome_with_next_steps(owner_client, case, owner):
    synthetic.escalating_case().write(case, owner)
    save_crime_reference(case, owner, None, reference="KT/55555/26", force="Kent Police")
    inst = instruments.get(DAYBOOK)
    response = owner_client.post(
        f"/cases/{case.pk}/screening/new/{DAYBOOK}/", post_data(inst, answers_for(inst, {"DB-EXPARTNER", "DB-THREATS", "DB-FEAR"}), context="Court next week")
    )
    assert response.status_code == 302
    s = Screening.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/screening/{s.uuid}/"
    page = owner_client.get(response["Location"]).content.decode()
    assert "A partner or ex-partner who has made threats" in page and "You fear what they might do" in page
    assert "It is getting worse" not in page  # answered no
    assert "not a score" in page
    helpline = Contact.objects.get(slug="national-stalking-helpline")
    paladin = Contact.objects.get(slug="paladin")
    for text in [
        "call 999",
        "press 55",
        "same crime reference number",
        "KT/55555/26",
        helpline.name,
        helpline.phone,
        "stalking risk assessment",
        paladin.name,
        paladin.phone,
    ]:
        assert text in page, text
    assert "Why this may apply to you" in page
    assert "Court next week" in page


def test_numbers_come_from_the_contact_data(owner_client, case):
    Contact.objects.filter(slug="national-stalking-helpline").update(phone="0800 000 1234")
    inst = instruments.get(DAYBOOK)
    s = record_screening(case, case.owner, inst, answers_for(inst), selectors.case_analysis(case))
    page = owner_client.get(f"/cases/{case.pk}/screening/{s.uuid}/").content.decode()
    assert "0800 000 1234" in page and "0808 802 0300" not in page.split("db-helpbar")[-1].split("</main>")[0]
    assert "None of the combinations" in page
    assert "If the police or the helpline assess your risk as high" in page


def test_change_over_time(owner_client, case, owner):
    inst = instruments.get(DAYBOOK)
    first = record_screening(case, owner, inst, answers_for(inst), selectors.case_analysis(case))
    second = record_screening(case, owner, inst, answers_for(inst, {"DB-THREATS"}), selectors.case_analysis(case))
    assert selectors.previous(second).pk == first.pk and selectors.previous(first) is None
    history = selectors.history(case)
    row = next(r for r in history[0].rows if r.question.id == "DB-THREATS")
    assert row.cells == ["no", "yes"] and row.changed
    assert not next(r for r in history[0].rows if r.question.id == "DB-FEAR").changed
    index = owner_client.get(f"/cases/{case.pk}/screening/").content.decode()
    assert "How your answers have changed" in index and "changed</strong>" in index
    detail = owner_client.get(f"/cases/{case.pk}/screening/{second.uuid}/").content.decode()
    assert "Threats to you or to others: No then, Yes now." in detail


def test_printable_summary(owner_client, case, owner):
    update_case(case, owner, suspect_name="John Bloggs")
    save_crime_reference(case, owner, None, reference="KT/1/26")
    inst = instruments.get(SDASH)
    s = record_screening(case, owner, inst, answers_for(inst, {"SDASH-01"}), selectors.case_analysis(case), {"SDASH-01": "Terrified"})
    page = owner_client.get(f"/cases/{case.pk}/screening/{s.uuid}/print/").content.decode()
    assert "Stalking risk screening: summary" in page and "insights/insights.css" in page
    assert "SDASH-01" in page and "Terrified" in page and "KT/1/26" in page and "John Bloggs" in page
    assert "Print command" in page and "<form" not in page.split('id="main-content"')[1].split("</main>")[0]


# --- Licensed wording, loaded by an organisation ----------------------------------------------------------------


def wording_file(tmp_path, **changes):  # noqa: ANN001, ANN201
    data = {
        "instrument": SDASH,
        "licence": "Test permission, not real wording",
        "questions": [{"id": f"SDASH-{i:02d}", "text": f"Licensed test question {i}", "help": f"Help {i}"} for i in range(1, 12)],
    }
    data.update(changes)
    path = tmp_path / "wording.json"
    path.write_text(json.dumps(data))
    return path


def test_load_licensed_wording_and_show_it(owner_client, case, tmp_path):
    call_command("load_instrument_wording", str(wording_file(tmp_path)))
    inst = instruments.get(SDASH)
    assert inst.has_wording and inst.questions[0].asks == "Licensed test question 1" and inst.questions[0].licensed
    page = owner_client.get(f"/cases/{case.pk}/screening/new/{SDASH}/").content.decode()
    assert "Licensed test question 11" in page and "Test permission, not real wording" in page
    call_command("load_instrument_wording", "--clear", SDASH)
    assert not instruments.get(SDASH).has_wording


@pytest.mark.parametrize(
    "changes",
    [
        {"licence": ""},
        {"instrument": "nope"},
        {"questions": [{"id": "SDASH-01", "text": "Only one"}]},
        {"questions": [{"id": "SDASH-99", "text": "x"}]},
        {"questions": [{"id": f"SDASH-{i:02d}", "text": ""} for i in range(1, 12)]},
        {"questions": "not a list"},
    ],
)
def test_bad_wording_files_are_refused(tmp_path, changes):
    with pytest.raises(CommandError):
        call_command("load_instrument_wording", str(wording_file(tmp_path, **changes)))
    assert InstrumentWording.objects.count() == 0


def test_unreadable_wording_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError):
        call_command("load_instrument_wording", str(bad))
    with pytest.raises(CommandError):
        call_command("load_instrument_wording", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError):
        call_command("load_instrument_wording")


def test_breach_suggestion_needs_an_order(case, owner):
    order = save_order(case, owner, None, order_type="restraining")
    b = synthetic.Builder()
    b.calm(10, 5)
    b.breach(3)
    b.build().write(case, owner, order=order)
    assert selectors.case_analysis(case).finding("breaches").numbers == [3]
