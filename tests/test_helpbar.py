"""The help bar on every page (issue 13, item 5): in full on the first page of a signed-in session and always when
signed out; after that shorter, so a phone's first screen shows the form, but 999, the silent call (press 55), 101
and its textphone are always there. A signed-out visitor is given no session for it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from daybook.helpbar import HELPBAR_SEEN


def bar(html: str) -> str:
    match = re.search(r'<div class="db-helpbar[^"]*".*?</div>\s*</div>', html, re.S)
    assert match, "the help bar is missing"
    return match.group(0)


def always_there(text: str) -> None:
    for needed in ('href="tel:999"', "press 55", 'href="tel:101"', "18001 101", "More help"):
        assert needed in text, needed


@pytest.fixture
def helpline(db):  # noqa: ANN001, ANN201
    """The helpline the migrations load, put back if a test that ran before on this worker flushed the tables."""
    import importlib  # noqa: PLC0415

    from django.apps import apps  # noqa: PLC0415

    from support.models import Contact  # noqa: PLC0415

    if not Contact.objects.filter(show_in_help_bar=True).exists():
        loaders = [("0002_load_contacts", "load"), ("0005_contacts_scotland_northern_ireland", "add_missing"), ("0004_contacts_by_nation", "load")]
        for module, function in loaders:
            getattr(importlib.import_module(f"support.migrations.{module}"), function)(apps, None)
    return Contact.objects.filter(show_in_help_bar=True).order_by("order").first()


@pytest.mark.django_db
def test_signed_in_full_bar_first_then_short(owner_client, helpline):
    first = bar(owner_client.get("/").content.decode())
    assert helpline.name == "National Stalking Helpline"
    assert "db-helpbar--compact" not in first and "National Stalking Helpline" in first
    always_there(first)
    assert owner_client.session[HELPBAR_SEEN] is True
    for url in ["/", "/help/", "/quick/", "/account/settings/"]:
        later = bar(owner_client.get(url).content.decode())
        assert "db-helpbar--compact" in later, url
        assert "National Stalking Helpline" not in later, url
        always_there(later)


@pytest.mark.django_db
def test_signed_out_always_full_and_no_session(client):
    for url in ["/", "/help/", "/account/login/", "/account/signup/", "/help/"]:
        response = client.get(url)
        text = bar(response.content.decode())
        assert "db-helpbar--compact" not in text, url
        always_there(text)
        assert settings.SESSION_COOKIE_NAME not in response.cookies, url


@pytest.mark.django_db
def test_a_new_session_shows_the_full_bar_again(owner, owner_client):
    owner_client.get("/")
    assert "db-helpbar--compact" in owner_client.get("/").content.decode()
    fresh = Client()
    fresh.force_login(owner)
    assert "db-helpbar--compact" not in fresh.get("/").content.decode()


@pytest.mark.django_db
def test_a_missing_page_never_counts_as_the_first_view(owner_client):
    first = owner_client.get("/cases/999999/")
    again = owner_client.get("/cases/999998/")
    assert first.status_code == again.status_code == 404
    assert "db-helpbar--compact" not in first.content.decode() and "db-helpbar--compact" not in again.content.decode()
    assert HELPBAR_SEEN not in owner_client.session
