"""The threat phrase list (imports/data/threat_phrases.json) as reviewable data: one test per phrase (it matches itself,
inside a sentence, in its own category) and one per false friend (an everyday sentence that must match nothing)."""

from __future__ import annotations

import pytest

from diary import taxonomy
from imports import phrases

PHRASES = [(c.code, p) for c in phrases.categories().values() for p in c.phrases]
FALSE_FRIENDS = [(c.code, f) for c in phrases.categories().values() for f in c.false_friends]


@pytest.mark.parametrize(("code", "phrase"), PHRASES, ids=[f"{c}:{p}" for c, p in PHRASES])
def test_phrase_matches_itself_in_a_sentence(code, phrase):
    assert code in phrases.find(f"Well, {phrase.upper()}!"), phrase
    assert code in phrases.find(f"ok\n{phrase}"), phrase


@pytest.mark.parametrize(("code", "sentence"), FALSE_FRIENDS, ids=[f"{c}:{f}" for c, f in FALSE_FRIENDS])
def test_false_friend_matches_nothing(code, sentence):
    assert phrases.find(sentence) == [], sentence


def test_every_category_is_reviewable_data():
    cats = phrases.categories()
    # The domain notes' categories of everyday menace are all there, each with a source and false friends.
    assert {"watching", "waiting", "implied", "regret", "suicide"} <= set(cats)
    for cat in cats.values():
        assert taxonomy.is_known(cat.behaviour), cat.code
        assert cat.label and cat.note and cat.source, cat.code
        assert cat.false_friends, cat.code
        assert len(set(cat.phrases)) == len(cat.phrases), cat.code
    assert phrases.count() == len({p for _, p in PHRASES}) > 200


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("You'll regret this.", ["regret"]),
        ("This isn't over", ["regret"]),
        ("I’ll be waiting", ["waiting"]),
        ("I can see your light is on", ["watching"]),
        ("You don’t know what I’m capable of", ["implied"]),
        ("You'll be sorry when I'm gone", ["suicide"]),  # the longer phrase wins at one place
        ("ANSWER ME", []),
    ],
)
def test_everyday_menace_is_flagged(text, codes):
    assert phrases.find(text) == codes
