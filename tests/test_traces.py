"""Exit and traces (issue 11, item 10): nothing the person typed and no case or incident number in an address the
browser keeps (the sign-in page's next, the timeline search) or in a page title; no-store on private pages; the
guide says plainly what no web page can do."""

from __future__ import annotations

import re

from django.test import Client

from accounts.testing import TEST_PASSPHRASE, sign_in
from tests.conftest import make_incident


def title(response) -> str:  # noqa: ANN001
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_the_sign_in_page_never_carries_the_case_address(owner, case, incident):  # noqa: ANN001
    client = Client()
    target = f"/cases/{case.pk}/incidents/{incident.number}/"
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    page = client.get("/account/login/")
    assert target not in page.content.decode() and "next" not in page.content.decode().split("<main", 1)[1].split("</main>")[0]
    # After signing in the person still lands where they were going: it was kept in the session.
    response = sign_in(client, owner.email, TEST_PASSPHRASE)
    assert response.status_code == 302 and response["Location"] == target


def test_a_next_in_the_sign_in_address_is_moved_out_of_it(owner, case):  # noqa: ANN001
    client = Client()
    response = client.get(f"/account/login/?next=/cases/{case.pk}/timeline/")
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert sign_in(client, owner.email)["Location"] == f"/cases/{case.pk}/timeline/"
    # Only addresses on this site are remembered.
    other = Client()
    other.get("/account/login/?next=https://evil.example/")
    assert sign_in(other, owner.email)["Location"] == "/"


def test_exit_forgets_where_the_person_was(owner_client, case):  # noqa: ANN001
    owner_client.get("/exit/")
    assert owner_client.get(f"/cases/{case.pk}/")["Location"] == "/account/login/"
    owner_client.get("/exit/")
    assert "daybook_next" not in owner_client.session


def test_timeline_search_words_are_posted_and_kept_out_of_the_address(owner_client, case, owner):  # noqa: ANN001
    make_incident(case, owner, description="A parcel from zanzibar on the step")
    make_incident(case, owner, description="He waited at the bus stop")
    url = f"/cases/{case.pk}/timeline/"
    page = owner_client.get(url).content.decode()
    form = re.search(r'<form method="(\w+)"', page.split("Search and filter", 1)[1]).group(1)
    assert form == "post"
    response = owner_client.post(url, {"q": "zanzibar", "order": "newest"})
    assert response.status_code == 302 and response["Location"] == url
    page = owner_client.get(url).content.decode()
    assert "parcel from zanzibar" in page and "bus stop" not in page
    assert not re.search(r'href="[^"]*zanzibar', page), "no link carries the search words"
    # Clearing the filters shows everything again.
    assert owner_client.post(url, {"clear": "1"}).status_code == 302
    page = owner_client.get(url).content.decode()
    assert "bus stop" in page and "zanzibar" in page


def test_titles_hold_no_numbers_and_nothing_typed(owner_client, case, incident):  # noqa: ANN001
    from evidence.testing import upload_with_client

    finish = upload_with_client(owner_client, case.pk, b"some words " * 50, name="notes.txt")
    number = finish.json()["exhibit"]["number"]
    owner_client.post(f"/cases/{case.pk}/evidence/{number}/edit/", {"reference": "JB-SECRET-77", "description": "Kept in the kitchen"})
    pages = [
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/timeline/",
        f"/cases/{case.pk}/incidents/{incident.number}/",
        f"/cases/{case.pk}/evidence/",
        f"/cases/{case.pk}/evidence/{number}/",
    ]
    for url in pages:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        text = title(response)
        assert not re.search(r"\d", text), (url, text)
        assert "SECRET" not in text and "JB" not in text, (url, text)
        assert response["Cache-Control"].startswith("no-store"), url


def test_the_guide_says_plainly_what_no_page_can_do(db):  # noqa: ANN001
    page = Client().get("/help/").content.decode()
    assert "No website can delete entries from your browser" in page
    for phone in ("iPhone (Safari)", "Android (Chrome)", "Samsung Internet"):
        assert phone in page
    assert "private window" in page
    assert 'id="browsing-privately"' in page
