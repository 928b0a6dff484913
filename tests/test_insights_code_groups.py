"""Behaviour code groups are data in one place (insights/data/code_groups.json), read by the analysis and by the
screening instruments alike: the threats and violence an instrument question looks for are the very groups the
findings use."""

from __future__ import annotations

import json

import pytest

from diary import taxonomy
from insights import instruments, synthetic
from insights.analysis import codes


def _behaviour_rules() -> dict[str, dict]:
    return {q.id: r for inst in instruments.all_instruments() for q in inst.questions for r in q.rules if r["kind"] == "behaviours"}


@pytest.mark.django_db
def test_instrument_questions_and_the_analysis_read_the_same_groups():
    rules = _behaviour_rules()
    # Identity, not equality: one list in memory, so the two can never be kept in step by hand again.
    assert instruments.rule_codes(rules["DB-THREATS"]) is codes.THREATS is codes.code_group("threats")
    assert instruments.rule_codes(rules["DB-VIOLENCE"]) is codes.VIOLENCE is codes.code_group("violence")
    assert instruments.rule_codes(rules["SDASH-08"]) is codes.VIOLENCE
    assert instruments.rule_codes(rules["SDASH-07"]) is codes.THIRD_PARTY
    assert codes.VIOLENCE <= codes.DAMAGE_OR_VIOLENCE and codes.code_group("damage_or_entry") <= codes.DAMAGE_OR_VIOLENCE
    assert instruments.rule_codes(rules["DB-SUICIDE"]) == {"THRT.SUICIDE"}  # kept for the suicide-threat work to come
    for qid, rule in rules.items():
        assert instruments.rule_codes(rule) is codes.code_group(rule["group"]), qid


@pytest.mark.django_db
def test_a_threat_in_the_group_fires_both_the_finding_and_the_suggestion():
    b = synthetic.Builder(seed=5)
    b.calm(60, 10)
    for code in sorted(codes.THREATS):
        b.threat(5, code=code)
    a = b.build().analyse()
    inst = instruments.get("daybook-indicators")
    suggestion = instruments.suggestions(inst, a)["DB-THREATS"]
    assert a.finding("threats").numbers == sorted(suggestion.numbers)
    assert len(suggestion.numbers) == len(codes.THREATS)


def test_every_group_code_is_in_the_taxonomy_and_no_instrument_lists_codes_of_its_own():
    for name, group in codes.code_groups().items():
        assert group and all(taxonomy.is_known(c) for c in group), name
    for path in instruments.DATA.glob("*.json"):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for q in raw["questions"]:
            for rule in q.get("rules", []):
                assert "any" not in rule, (path.name, q["id"])


def test_an_unknown_group_or_code_is_refused(tmp_path):  # noqa: ANN001
    raw = {"id": "x", "version": 1, "name": "X", "questions": [{"id": "Q1", "topic": "T", "rules": [{"kind": "behaviours", "group": "nope"}]}]}
    with pytest.raises(instruments.InstrumentError, match="no known code group"):
        instruments.validate(raw, "x.json")

    bad = tmp_path / "code_groups.json"
    bad.write_text(json.dumps({"groups": {"threats": {"meaning": "", "codes": ["THRT.KILL", "THRT.MADEUP"]}}}), encoding="utf-8")
    with pytest.raises(codes.CodeGroupError, match="THRT.MADEUP"):
        codes.load_code_groups(bad)
    assert codes.load_code_groups(codes.DATA) == codes.code_groups()
