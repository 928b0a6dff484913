"""Support pages: the four guides, the help page, the contacts behind them, and the Contact admin.

Contacts (numbers, hours, sources) are data loaded by support/migrations/0002_load_contacts.py and edited in the
admin; these tests prove the pages read them rather than carrying their own copies."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from daybook.testing import admin_session
from support.models import Contact
from support.selectors import help_directory
from support.views import GUIDES

SLUGS = list(GUIDES)

# What each guide must say (plain text as it appears in the page; apostrophes are escaped by the template engine).
KEY_CONTENT = {
    "what-is-stalking": [
        "Fixated",
        "Obsessive",
        "Unwanted",
        "Repeated",
        "course of conduct",
        "two or more incidents",
        "crimes in England and Wales",
        "Protection from Harassment Act 1997",
        "ex-partner",
        "more than two weeks",
        "getting worse",
        "Online stalking counts too",
        "You are not to blame",
        "Nobody can predict that",
    ],
    "what-to-record": [
        "every incident, however small",
        "the date and time",
        "where it happened",
        "what they were wearing",
        "number plate",
        "anyone who saw it",
        "how it made you feel",
        "how it changed your day",
        "crime reference number",
        "Give the same number each time",
        "name of the officer",
        "contemporaneous",
        "shown to the defence",
        "quick note",
    ],
    "keeping-evidence": [
        "do not delete texts, messages, voicemails or call logs",
        "web address (the URL)",
        "date and time show",
        "Keep the original email",
        "handle them as little as you can",
        "paper or card envelope, not a plastic one",
        "do not open it",
        "put gifts in a box",
        "freeze them",
        "when each thing arrived",
        "record over old footage",
        "AirTags",
        "serial number before you switch it off",
        "calling the police first",
        "Removing the app may alert them",
    ],
    "report": [
        "R: Report it and tell others",
        "E: Ensure you get good advice",
        "P: Be proactive about evidence",
        "O: Overview: keep a diary",
        "R: Risk checklist",
        "T: Trust your instinct",
        "11 questions",
        "ask the police to do a stalking risk assessment",
        "Silent Solution",
        "press 55",
        "cough or tap",
        "National Stalking Helpline",
    ],
}

# Distinctive phrases and forms of the restricted S-DASH / DASH question wording (domain file, sections 0, 1.1,
# 1.2 and 1.5). Only their absence is asserted: the product must never carry the checklists' own words.
RESTRICTED_PHRASES = [
    "Are you very frightened",
    "constantly text, call, contact",
    "insert name of suspect",
    "more than three times a week",
]
# The checklists ask about the suspect through a placeholder, e.g. "Has (....)" or "Does (....)".
RESTRICTED_QUESTION_FORM = re.compile(r"\b(?:Has|Have|Does|Did|Is|Are)\s*\((?:…|\.|insert|suspect|name)", re.IGNORECASE)


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def helpbar(html: str) -> str:
    match = re.search(r'<div class="db-helpbar".*?</div>\s*</div>', html, re.S)
    assert match, "the help bar is missing"
    return match.group(0)


def main_content(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match
    return match.group(0)


def contact_card(html: str, slug: str) -> str:
    """The help page's card for one contact, up to the next card."""
    start = html.index(f'id="contact-{slug}"')
    end = html.find('<div class="govuk-summary-card"', start)
    return html[start : end if end != -1 else None]


def contact(slug: str) -> Contact:
    return Contact.objects.get(slug=slug)


@pytest.fixture
def superuser_client(db, settings) -> Client:  # noqa: ANN001
    """An administrator signed in with a second step, the admin turned on (DAYBOOK_ADMIN)."""
    settings.DAYBOOK_ADMIN = True
    admin = get_user_model().objects.create_superuser(username="boss", email="boss@example.com", password="a long admin passphrase")
    c = Client()
    admin_session(c, admin)
    return c


@pytest.fixture(params=["anonymous", "signed_in"])
def any_client(request, db, owner) -> Client:  # noqa: ANN001
    c = Client()
    if request.param == "signed_in":
        c.force_login(owner)
    return c


# --- the guides -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_guide_page_shows_its_key_content(any_client, slug):
    html = page(any_client, f"/guide/{slug}/")
    assert f"<title>{escape(GUIDES[slug])} – " in html
    body = main_content(html)
    for phrase in KEY_CONTENT[slug]:
        assert escape(phrase) in body, (slug, phrase)


@pytest.mark.parametrize("slug", SLUGS)
def test_guide_page_ends_with_next_steps_quick_note_help_and_sources(any_client, slug):
    body = main_content(page(any_client, f"/guide/{slug}/"))
    next_steps = body.index("What to do next")
    sources = body.index("Where this comes from")
    assert next_steps < sources
    tail = body[next_steps:]
    assert 'href="/help/"' in tail
    assert "quick note in Daybook" in tail


def test_quick_note_link_goes_to_quick_note_when_signed_in_and_to_sign_in_otherwise(client, owner_client, db):
    signed_in = main_content(page(owner_client, "/guide/what-to-record/"))
    assert 'href="/quick/">Write a quick note in Daybook</a>' in signed_in
    anonymous = main_content(page(client, "/guide/what-to-record/"))
    assert ">Sign in to write a quick note in Daybook</a>" in anonymous
    assert 'href="/quick/"' not in anonymous


@pytest.mark.parametrize("slug", ["no-such-guide", "_next_steps", "_contact_card", "help"])
def test_unknown_guide_is_404(client, db, slug):
    assert client.get(f"/guide/{slug}/").status_code == 404


def test_report_page_numbers_come_from_contact_rows(client, db):
    body = main_content(page(client, "/guide/report/"))
    for slug in ("police-999", "police-101", "national-stalking-helpline"):
        c = contact(slug)
        assert f'href="tel:{c.phone_digits}"' in body, slug
        assert escape(c.phone) in body, slug
    assert "18001 101" in body
    assert escape(contact("national-stalking-helpline").hours) in body


def test_guides_follow_an_edited_helpline_number_and_never_show_the_old_one(client, db):
    helpline = contact("national-stalking-helpline")
    old = helpline.phone
    helpline.phone = "0800 000 1234"
    helpline.save()
    for slug in SLUGS:
        html = page(client, f"/guide/{slug}/")
        assert "0800 000 1234" in main_content(html), slug
        assert old not in html, slug  # not in the help bar, the page or the footer


def test_report_page_follows_edited_police_rows(client, db):
    police = contact("police-101")
    police.textphone = "18001 7777"
    police.save()
    emergency = contact("police-999")
    emergency.textphone = "Relay UK test route"
    emergency.save()
    body = main_content(page(client, "/guide/report/"))
    assert "18001 7777" in body
    assert "Relay UK test route" in body


def test_guides_still_work_when_a_contact_is_removed(client, db):
    Contact.objects.filter(slug__in=["national-stalking-helpline", "paladin", "cyber-helpline"]).delete()
    for slug in SLUGS:
        body = main_content(page(client, f"/guide/{slug}/"))
        assert "0808 802 0300" not in body


# --- the help page ----------------------------------------------------------------------------------------------


def test_help_page_lists_every_contact_with_hours_source_checked_date_and_notes(any_client):
    html = page(any_client, "/help/")
    contacts = list(Contact.objects.all())
    assert len(contacts) >= 15  # loaded by the data migration
    for c in contacts:
        card = contact_card(html, c.slug)
        assert escape(c.name) in card, c.slug
        assert escape(c.source) in card, c.slug
        if c.checked_on:
            assert f"checked {c.checked_on:%-d %B %Y}" in card, c.slug
        else:  # not yet checked against its source: no date is made up, and the reason stays with the administrators
            assert f"{escape(c.source)}." in card and ", checked" not in card and "Not checked against" not in card, c.slug
        assert (escape(c.hours) if c.hours else "Not known") in card, c.slug
        if c.phone:
            assert f'href="tel:{c.phone_digits}"' in card, c.slug
        if c.unverified:
            assert "Not confirmed:" in card and escape(c.unverified) in card, c.slug


def test_help_page_groups_national_then_local_services(client, db):
    html = main_content(page(client, "/help/"))
    national = html.index("Services across the UK")
    local = html.index("Local services")
    assert national < local
    for c in Contact.objects.all():
        at = html.index(f'id="contact-{c.slug}"')
        if c.region:
            assert at > local, c.slug
        else:
            assert national < at < local, c.slug


def test_help_directory_holds_every_contact_once(db):
    directory = help_directory()
    listed = [c.slug for _, items in directory.national + directory.regional for c in items]
    assert sorted(listed) == sorted(Contact.objects.values_list("slug", flat=True))
    assert directory.count == Contact.objects.count()
    assert directory.emergency.slug == "police-999"
    assert directory.non_emergency.slug == "police-101"
    assert [label for label, _ in directory.national][0] == "Police"


def test_help_page_explains_the_silent_solution(client, db):
    body = main_content(page(client, "/help/"))
    assert "Silent Solution" in body
    assert "press 55" in body
    assert "cough or tap" in body
    assert "landline" in body


def test_editing_a_contact_in_the_admin_changes_the_help_page_and_help_bar(superuser_client, client):
    helpline = contact("national-stalking-helpline")
    old_hours, old_phone = helpline.hours, helpline.phone
    url = f"/admin/support/contact/{helpline.pk}/change/"
    assert superuser_client.get(url).status_code == 200
    data = {
        "name": helpline.name,
        "slug": helpline.slug,
        "kind": helpline.kind,
        "region": helpline.region,
        "what_for": helpline.what_for,
        "phone": "0808 111 2222",
        "textphone": helpline.textphone,
        "other_contact": helpline.other_contact,
        "hours": "Every day, 8am to 8pm (test hours)",
        "source": "A test source page",
        "checked_on": "2027-01-15",
        "unverified": "",
        "show_in_help_bar": "on",
        "order": helpline.order,
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    html = page(client, "/help/")
    assert "Every day, 8am to 8pm (test hours)" in html
    assert escape(old_hours) not in html
    assert "A test source page, checked 15 January 2027" in html
    bar = helpbar(html)
    assert "0808 111 2222" in bar and 'href="tel:08081112222"' in bar
    assert old_phone not in html
    # The guides read the same row.
    report = page(client, "/guide/report/")
    assert "Every day, 8am to 8pm (test hours)" in report
    assert "0808 111 2222" in helpbar(report)


def test_help_bar_shows_whichever_contact_the_admin_puts_there(client, db):
    Contact.objects.filter(slug="national-stalking-helpline").update(show_in_help_bar=False)
    Contact.objects.filter(slug="victim-support").update(show_in_help_bar=True)
    bar = helpbar(page(client, "/guide/what-is-stalking/"))
    assert "Victim Support Supportline" in bar
    assert "National Stalking Helpline" not in bar


# --- the admin --------------------------------------------------------------------------------------------------


def test_contact_changelist_works_for_a_superuser(superuser_client):
    response = superuser_client.get("/admin/support/contact/")
    assert response.status_code == 200
    html = response.content.decode()
    for c in Contact.objects.all():
        assert escape(c.name) in html


@pytest.mark.parametrize("who", ["anonymous", "normal_user"])
def test_contact_changelist_refused_for_anyone_else(client, owner_client, who, settings):  # noqa: ANN001
    settings.DAYBOOK_ADMIN = True
    c = owner_client if who == "normal_user" else client
    response = c.get("/admin/support/contact/", follow=True)
    if who == "anonymous":
        assert response.redirect_chain[-1][0].startswith("/account/login/")  # Daybook's own sign-in
    else:
        assert response.status_code == 404  # a person who is not staff finds no admin
    assert "result_list" not in response.content.decode()  # no change list of contacts


# --- restricted wording and markup ------------------------------------------------------------------------------

ALL_PAGES = [f"/guide/{slug}/" for slug in SLUGS] + ["/help/"]


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_restricted_checklist_wording(client, db, url):
    html = page(client, url)
    for phrase in RESTRICTED_PHRASES:
        assert phrase.lower() not in html.lower(), (url, phrase)
    assert not RESTRICTED_QUESTION_FORM.search(html), url


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.links: list[str] = []
        self._link: list[str] | None = None
        self._in_main = False

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        if tag == "main":
            self._in_main = True
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and self._in_main:
            self._link = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        if tag == "a" and self._link is not None:
            self.links.append(" ".join("".join(self._link).split()))
            self._link = None

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)


@pytest.mark.parametrize("url", ALL_PAGES)
def test_one_h1_headings_in_order_and_link_text_that_stands_alone(owner_client, url):
    outline = _Outline()
    outline.feed(page(owner_client, url))
    assert outline.headings.count(1) == 1, url
    assert outline.headings[0] == 1, url
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, (url, outline.headings)
    vague = {"here", "click here", "more", "read more", "link", "this page", "this"}
    for text in outline.links:
        assert text and text.lower() not in vague, (url, text)


# axe-core itself runs over these pages (phone and desktop, signed in and out) in tests/browser/test_a11y_*.py.


@pytest.mark.django_db
def test_help_bar_numbers_come_from_data_and_never_vanish(client):
    from support.models import Contact

    page = client.get("/help/").content.decode()
    assert 'href="tel:999"' in page and 'href="tel:101"' in page and 'href="tel:18001101"' in page
    Contact.objects.filter(slug="police-101").update(textphone="18001 101 (Relay UK)")
    assert 'href="tel:18001101"' in client.get("/").content.decode()
    Contact.objects.filter(slug__in=["police-999", "police-101"]).delete()
    page = client.get("/").content.decode()
    assert 'href="tel:999"' in page and 'href="tel:101"' in page  # the fallback keeps them


# --- Where you live (issue 13, item 7) ---------------------------------------------------------------------


def test_every_contact_says_where_it_helps_with_known_nation_codes(db):
    for c in Contact.objects.all():
        assert c.nation_codes, c.slug
        assert {code.strip() for code in c.nations.split(",")} <= {"uk", "england", "wales", "scotland", "northern_ireland"}, c.slug


def test_choosing_a_nation_shows_only_services_that_help_there(client, db):
    wales = main_content(page(client, "/help/?nation=wales"))
    assert 'id="contact-live-fear-free"' in wales
    assert 'id="contact-staffordshire-victim-gateway"' not in wales
    england = main_content(page(client, "/help/?nation=england"))
    assert 'id="contact-live-fear-free"' not in england
    assert 'id="contact-staffordshire-victim-gateway"' in england
    northern_ireland = main_content(page(client, "/help/?nation=northern_ireland"))
    assert 'id="contact-action-fraud"' in northern_ireland and 'id="contact-revenge-porn-helpline"' in northern_ireland
    assert 'id="contact-police-101"' not in northern_ireland  # its source covers England and Wales only


@pytest.mark.parametrize(
    ("nation", "police", "helplines"),
    [
        ("scotland", "police-scotland-101", ["victim-support-scotland", "scotland-domestic-abuse-forced-marriage-helpline", "action-against-stalking"]),
        ("northern_ireland", "psni-101", ["ni-domestic-sexual-abuse-helpline", "victim-support-ni"]),
    ],
)
def test_scotland_and_northern_ireland_have_their_own_police_and_services(client, db, nation, police, helplines):
    body = main_content(page(client, f"/help/?nation={nation}"))
    assert f'id="contact-{police}"' in body and 'href="tel:101"' in body
    for slug in helplines:
        assert f'id="contact-{slug}"' in body, slug
    for england_only in ("police-101", "paladin", "live-fear-free"):
        assert f'id="contact-{england_only}"' not in body, england_only
    assert "does not yet hold" not in body
    assert "call 999" in body  # the emergency number is always there


@pytest.mark.parametrize(("nation", "name"), [("scotland", "Scotland"), ("northern_ireland", "Northern Ireland")])
def test_a_nation_without_checked_numbers_says_so_instead_of_guessing(client, db, nation, name):
    Contact.objects.filter(kind="police", nations=nation).delete()
    body = main_content(page(client, f"/help/?nation={nation}"))
    assert "does not yet hold checked details of the police non-emergency number" in body
    assert f"for {name}" in body
    assert "call 999" in body
    assert "does not yet hold" not in main_content(page(client, "/help/?nation=england"))


def test_numbers_not_checked_here_say_so_to_administrators_only(client, superuser_client):
    unchecked = Contact.objects.filter(checked_on__isnull=True)
    assert unchecked.count() >= 7
    for c in unchecked:
        assert c.checker_notes.startswith("Not checked against the source on this machine: no internet"), c.slug
        assert c.source, c.slug
    body = page(client, "/help/?nation=scotland")
    assert "no internet" not in body and "Not checked against the source" not in body
    row = unchecked.get(slug="psni-101")
    admin = superuser_client.get(f"/admin/support/contact/{row.pk}/change/").content.decode()
    assert "Not checked against the source on this machine: no internet" in admin


def test_data_checking_notes_stay_with_the_administrators(client, db):
    body = main_content(page(client, "/help/"))
    assert "Another source gives" not in body
    assert "different opening hours" not in body
    helpline = contact("national-stalking-helpline")
    assert "Another source gives" in helpline.checker_notes
    assert escape(helpline.checker_notes) not in body


def test_an_unknown_nation_shows_everything(client, db):
    body = main_content(page(client, "/help/?nation=atlantis"))
    for c in Contact.objects.all():
        assert f'id="contact-{c.slug}"' in body, c.slug


# --- Find services near you (issue 13, item 7) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "area", "nation", "local"),
    [
        ("DE22 1AB", "Derby", "england", "derby-advocate-team"),
        ("de22", "Derby", "england", "derby-advocate-team"),
        ("Derbyshire", "Derbyshire", "england", "crossroads-derbyshire"),
        ("  staffordshire ", "Staffordshire", "england", "staffordshire-victim-gateway"),
        ("ST16", "Staffordshire", "england", "staffordshire-victim-gateway"),
    ],
)
def test_local_services_found_by_council_or_postcode_district(client, db, query, area, nation, local):
    body = main_content(page(client, f"/help/?area={query}"))
    result = body[body.index('id="area-found"') : body.index("Where do you live?")]
    assert area in result and f'id="contact-{local}"' in result
    assert 'id="nation-' + nation + '" name="nation" type="radio" value="' + nation + '" checked' in body


@pytest.mark.parametrize(
    ("query", "nation", "shows"),
    [
        ("Glasgow", "scotland", "police-scotland-101"),
        ("perth & kinross", "scotland", "scotland-domestic-abuse-forced-marriage-helpline"),
        ("G1 1AA", "scotland", "victim-support-scotland"),
        ("Belfast", "northern_ireland", "psni-101"),
        ("BT7", "northern_ireland", "ni-domestic-sexual-abuse-helpline"),
        ("Derry", "northern_ireland", "victim-support-ni"),
        ("Cardiff", "wales", "live-fear-free"),
    ],
)
def test_a_place_with_no_local_service_shows_its_nations_services(client, db, query, nation, shows):
    body = main_content(page(client, f"/help/?area={query}"))
    assert f'id="contact-{shows}"' in body
    assert f'value="{nation}" checked' in body
    assert "does not hold a local service" in body
    assert 'id="contact-staffordshire-victim-gateway"' not in body


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("x", "Type at least two letters"),
        ("a" * 61, "up to 60 characters"),
        ("Atlantis", "Daybook does not know that place"),
        ("<script>alert(1)</script>", "Daybook does not know that place"),
        ("\u05d9\u05e8\u05d5\u05e9\u05dc\u05d9\u05dd", "Daybook does not know that place"),
        ("EC1A 1BB", "Daybook does not know that place"),
    ],
)
def test_area_search_bad_input_gets_a_clear_message(client, db, query, says):
    response = client.get("/help/", {"area": query})
    assert response.status_code == 200
    body = main_content(response.content.decode())
    assert says in body
    assert "<script>alert(1)</script>" not in body
    assert 'id="contact-police-999"' in body or "Silent Solution" in body  # the rest of the page is still there


def test_area_directory_is_data_with_source_and_checked_date_and_known_contacts(db):
    from support.areas import directory

    book = directory()
    slugs = set(Contact.objects.values_list("slug", flat=True))
    assert len(book.areas) >= 60
    for area in book.areas:
        assert area.source and area.nation in {"england", "wales", "scotland", "northern_ireland"}, area.name
        assert set(area.contacts) <= slugs, area.name
        assert area.checked_on or area.checker_notes.startswith("Not checked against the source"), area.name
    districts = [d for a in book.areas for d in a.postcode_districts]
    assert len(districts) == len(set(districts)), "a postcode district belongs to one area only"


def test_area_notes_for_administrators_never_reach_the_page(client, db):
    from support.areas import directory

    body = page(client, "/help/?area=Derby")
    for area in directory().areas:
        if area.checker_notes:
            assert escape(area.checker_notes) not in body
    assert "Postcode Address File" not in body and "no internet" not in body


@pytest.mark.parametrize("who", ["anonymous", "signed_in"])
def test_no_administrator_note_on_any_page_a_person_sees(who, client, owner_client):
    viewer = client if who == "anonymous" else owner_client
    notes = [c.checker_notes for c in Contact.objects.exclude(checker_notes="")]
    assert len(notes) >= 10
    urls = ["/help/", "/help/?area=Glasgow", "/help/?area=DE22", "/check/"]
    urls += [f"/help/?nation={n}" for n in ("england", "wales", "scotland", "northern_ireland")]
    urls += [f"/guide/{slug}/" for slug in SLUGS]
    for url in urls:
        html = viewer.get(url).content.decode()
        for note in notes:
            assert escape(note) not in html and note not in html, (url, note[:40])
        assert "Another source gives" not in html and "no internet" not in html, url


# Words of the restricted checklists that must never appear in any product file (code, templates, data, READMEs):
# pages above are only some of the places text reaches a person; a constant shown under "How Daybook decides" is another.
# ("more than three times a week" is left out here: Daybook's own plain-language indicator topics state that research
# fact; the guide pages above must still not carry it.)
RESTRICTED_WORDS = re.compile(r"\bconstantly\b|are you very frightened|insert name of suspect", re.I)
PRODUCT_SUFFIXES = {".py", ".html", ".json", ".md", ".txt", ".csv", ".js", ".css"}
NOT_PRODUCT = {"tests", "docs", ".venv", "node_modules", "build", "benchmarks", ".git", "data"}


def test_no_restricted_checklist_wording_in_any_product_file():
    root = Path(__file__).resolve().parent.parent
    found = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if parts[0] in NOT_PRODUCT or path.suffix not in PRODUCT_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(errors="replace")
        found += [f"{path.relative_to(root)}: {m.group(0)!r}" for m in RESTRICTED_WORDS.finditer(text)]
    assert not found, found
