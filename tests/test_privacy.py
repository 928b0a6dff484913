"""Encryption at rest, security headers, and safety features on every page."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import Client, override_settings

from cases.services import save_crime_reference
from kernel import crypto
from tests.factories import make_incident

SECRET_WORDS = ["Bloggs", "Zanzibar", "Quixotic", "07700900777", "Wellington"]


def all_text_in_database() -> str:
    """Every text and blob value of every table, as one string."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


def test_database_alone_reveals_nothing_personal(owner_client, case, owner):
    case.suspect_addresses = "14 Wellington Road"
    case.save()
    make_incident(
        case,
        owner,
        description="Zanzibar note left on my car",
        feelings="Quixotic fear",
        witnesses=[{"name": "Neighbour", "contact": "07700900777", "saw": "saw him"}],
    )
    save_crime_reference(case, owner, None, reference="Zanzibar/1", officer="PC Quixotic")
    dump = all_text_in_database()
    for word in SECRET_WORDS:
        assert word not in dump, word
        assert word.lower() not in dump.lower(), word
    # ...yet the person sees it and can search it.
    page = owner_client.get(f"/cases/{case.pk}/timeline/?q=zanzibar").content.decode()
    assert "Zanzibar note left on my car" in page


def test_wrong_master_key_cannot_read_a_case(case):
    other_key = base64.b64encode(b"\x01" * 32).decode()
    with override_settings(DAYBOOK_MASTER_KEY=other_key):
        fresh = type(case).objects.get(pk=case.pk)
        with pytest.raises(crypto.DecryptionError):
            fresh.get_cipher()


def test_ciphertext_cannot_be_moved_between_fields(case):
    cipher = case.get_cipher()
    token = cipher.seal("hello", "incident.description")
    with pytest.raises(crypto.DecryptionError):
        cipher.open(token, "incident.feelings")


def test_each_case_has_its_own_key(owner, case):
    from cases.services import create_case

    other = create_case(owner, label="Second")
    assert bytes(other.wrapped_key) != bytes(case.wrapped_key)
    token = case.get_cipher().seal("x", "p")
    with pytest.raises(crypto.DecryptionError):
        other.get_cipher().open(token, "p")
    # Search tokens differ between cases for the same word.
    assert case.get_cipher().search_token("car") != other.get_cipher().search_token("car")


PAGES = ["/", "/help/", "/account/login/", "/account/signup/"]


@pytest.mark.parametrize("url", PAGES)
def test_headers_on_public_pages(url, db):
    response = Client().get(url)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_personal_pages_are_never_cached_and_have_exit(owner_client, case, owner):
    make_incident(case, owner)
    for url in [f"/cases/{case.pk}/", f"/cases/{case.pk}/timeline/", f"/cases/{case.pk}/incidents/1/", f"/cases/{case.pk}/quick/"]:
        response = owner_client.get(url)
        assert "no-store" in response["Cache-Control"], url
        page = response.content.decode()
        assert 'id="exit-this-page"' in page, url
        assert 'href="tel:999"' in page and "18001 101" in page and "press 55" in page, url
        # No request to any third party: no absolute http(s) URLs in src/href attributes, except tel: links.
        for marker in ['src="http', "src='http", 'href="http', '<link rel="stylesheet" href="http']:
            assert marker not in page, (url, marker)
        assert "<script>" not in page  # no inline scripts


def test_neutral_titles_and_configurable_display_name(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/timeline/").content.decode()
    title = page.split("<title>")[1].split("</title>")[0]
    assert "stalk" not in title.lower() and "harass" not in title.lower()
    with override_settings(DAYBOOK_DISPLAY_NAME="Notebook"):
        page = owner_client.get("/").content.decode()
        assert "<title>My cases – Notebook</title>" in page


@override_settings(DAYBOOK_HTTPS=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_HSTS_SECONDS=31536000, SECURE_SSL_REDIRECT=False)
def test_hsts_and_secure_cookies_over_https(owner):
    client = Client()
    client.force_login(owner)
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_debug_is_off_by_default():
    from django.conf import settings

    assert settings.DEBUG is False


def _token_client(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get("/cases/new/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    return client, token


def test_form_posts_work_under_no_referrer_origin_null(owner):
    """Browsers send Origin: null and no Referer under no-referrer; a same-origin fetch with a token is accepted."""
    client, token = _token_client(owner)
    headers = {"HTTP_ORIGIN": "null", "HTTP_SEC_FETCH_SITE": "same-origin"}
    response = client.post("/cases/new/", {"csrfmiddlewaretoken": token, "label": "A", "relationship": "unknown"}, **headers)
    assert response.status_code == 302
    response = client.post("/cases/new/", {"csrfmiddlewaretoken": token, "label": "B", "relationship": "unknown"}, secure=True, **headers)
    assert response.status_code in (301, 302)


def test_cross_site_or_tokenless_posts_are_refused(owner):
    client, token = _token_client(owner)
    data = {"csrfmiddlewaretoken": token, "label": "A", "relationship": "unknown"}
    assert client.post("/cases/new/", data, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post("/cases/new/", data, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert client.post("/cases/new/", {"label": "A"}, HTTP_ORIGIN="null", HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
    assert client.post("/cases/new/", data, secure=True, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
