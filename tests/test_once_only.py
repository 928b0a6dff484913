"""A note sent twice is kept once: the form's hidden one-time key (a retry on a bad connection, a double tap, a
web node that died after saving but before answering). Anything but a well-formed key is no key at all."""

from __future__ import annotations

import re

import pytest

from cases.models import Case
from chain.verification import verify
from diary.models import Incident
from tests.factories import make_user
from tests.test_diary import full_form, local_now

pytestmark = pytest.mark.django_db


def _key(page: bytes) -> str:
    found = re.search(r'name="submission" value="([^"]+)"', page.decode())
    assert found, "the form carries no one-time key"
    return found.group(1)


def _quick(key: str, words: str = "He was at the bus stop") -> dict:
    return {"description": words, "date": local_now().strftime("%Y-%m-%d"), "submission": key}


def test_a_quick_note_sent_twice_is_saved_once_and_the_second_answer_shows_it(owner_client, case) -> None:  # noqa: ANN001
    url = f"/cases/{case.pk}/quick/"
    key = _key(owner_client.get(url).content)
    first = owner_client.post(url, _quick(key))
    again = owner_client.post(url, _quick(key))
    assert Incident.objects.filter(case=case).count() == 1
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    shown = owner_client.get(again["Location"]).content.decode()
    assert "already saved as incident 1" in shown
    assert verify(Case.objects.get(pk=case.pk), files=False).ok


def test_each_showing_of_the_form_has_its_own_key(owner_client, case) -> None:  # noqa: ANN001
    url = f"/cases/{case.pk}/quick/"
    one, two = _key(owner_client.get(url).content), _key(owner_client.get(url).content)
    assert one != two
    owner_client.post(url, _quick(one, "First"))
    owner_client.post(url, _quick(two, "Second"))
    assert Incident.objects.filter(case=case).count() == 2


def test_the_full_form_sent_twice_is_saved_once(owner_client, case) -> None:  # noqa: ANN001
    url = f"/cases/{case.pk}/incidents/new/"
    key = _key(owner_client.get(url).content)
    owner_client.post(url, full_form(submission=key))
    owner_client.post(url, full_form(submission=key))
    assert Incident.objects.filter(case=case).count() == 1


def test_the_first_note_sent_twice_makes_one_case_and_one_note(client) -> None:  # noqa: ANN001
    person = make_user("first-twice")
    client.force_login(person)
    key = _key(client.get("/quick/").content)
    first = client.post("/quick/", _quick(key))
    again = client.post("/quick/", _quick(key))
    assert Case.objects.filter(owner=person).count() == 1
    assert Incident.objects.filter(case__owner=person).count() == 1
    assert again["Location"] == first["Location"]


@pytest.mark.parametrize("hostile", ["", "<script>alert(1)</script>", "../../etc/passwd", "x" * 5000, "short"])
def test_a_malformed_key_is_no_key_and_never_loses_the_note(owner_client, case, hostile) -> None:  # noqa: ANN001
    url = f"/cases/{case.pk}/quick/"
    for _ in range(2):
        response = owner_client.post(url, _quick(hostile))
        assert response.status_code == 302  # saved, no error about a field the person cannot see
    assert Incident.objects.filter(case=case).count() == 2
    assert not Incident.objects.exclude(submission="").exists()


def test_another_persons_key_finds_nothing_of_theirs(owner_client, stranger_client, case) -> None:  # noqa: ANN001
    url = f"/cases/{case.pk}/quick/"
    key = _key(owner_client.get(url).content)
    owner_client.post(url, _quick(key, "Mine"))
    # The stranger replays the key on their own first note: a new note of theirs, nothing of the owner's shown.
    response = stranger_client.post("/quick/", _quick(key, "Theirs"))
    assert response.status_code == 302 and f"/cases/{case.pk}/" not in response["Location"]
    assert Incident.objects.filter(case=case).count() == 1
