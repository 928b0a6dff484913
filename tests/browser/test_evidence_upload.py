"""The evidence locker in a real browser: uploading several files at once on a phone (360x640) with a progress bar
per file, bad files refused with a clear message, a duplicate recognised, and every evidence page passing axe-core
at phone and desktop widths with no inline script and no sideways scrolling on the phone."""

from __future__ import annotations

import hashlib
import os

import pytest

# The shared browser fixtures (Debian's Chromium, axe-core, the third-party request guard) live in
# tests/browser/conftest.py; without them there is nothing to drive.
browser_fixtures = pytest.importorskip("tests.browser.conftest", reason="tests/browser/conftest.py (the browser fixtures) is not present")

from playwright.sync_api import Page, expect  # noqa: E402

from cases.services import create_case  # noqa: E402
from evidence import limits, services, uploads  # noqa: E402
from evidence.models import Exhibit  # noqa: E402
from evidence.testing import MIB, jpeg_with_exif, pdf  # noqa: E402
from tests.factories import make_incident  # noqa: E402

pytestmark = pytest.mark.browser


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    return create_case(person, label="Neighbour", relationship="ex_partner")


RECORD_PROGRESS = """() => {
  window.__progress = [];
  const list = document.querySelector('[data-upload-list]');
  new MutationObserver(records => {
    for (const r of records) {
      const nodes = r.type === 'attributes' ? [r.target] : Array.from(r.addedNodes);
      for (const n of nodes) { if (n.tagName === 'PROGRESS') window.__progress.push(Number(n.value)); }
    }
  }).observe(list, {subtree: true, childList: true, attributes: true, attributeFilter: ['value']});
}"""


def check_page(page: Page, name: str, problems: list[str], phone: bool) -> None:
    problems += browser_fixtures.page_problems(page, name, phone)


def test_upload_several_files_with_progress_on_a_phone(browsing, person, case):  # noqa: ANN001
    big = os.urandom(9 * MIB + 4321)  # three chunks: the bar moves in steps the test can see
    photo = jpeg_with_exif(width=400, height=300)
    page = browsing.page("phone", user=person, axe=True)
    page.goto(f"/cases/{case.pk}/evidence/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add files")
    page.evaluate(RECORD_PROGRESS)
    page.locator("input[type=file]").set_input_files(
        [
            {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": photo},
            {"name": "doorbell-clip.bin", "mimeType": "application/octet-stream", "buffer": big},
            {"name": "empty.txt", "mimeType": "text/plain", "buffer": b""},
            {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": pdf()},
        ]
    )
    page.get_by_role("button", name="Upload and seal").click()
    summary = page.locator("[data-upload-summary]")
    expect(summary).to_contain_text("3 of 4 files saved and sealed", timeout=120_000)
    expect(page.get_by_role("link", name="Cancel")).to_be_hidden()  # nothing left to cancel once files are saved
    expect(page.get_by_role("link", name="See all your evidence")).to_be_visible()
    rows = page.locator("[data-upload-list] li")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Saved and sealed as exhibit")
    expect(rows.nth(1)).to_contain_text("Saved and sealed as exhibit")
    expect(rows.nth(2)).to_contain_text("empty (0 bytes)")
    expect(rows.nth(3)).to_contain_text("Saved and sealed as exhibit")
    progress = page.evaluate("() => window.__progress")
    assert any(0 < v < 100 for v in progress), f"no progress was shown between 0 and 100: {progress}"
    assert progress and max(progress) == 100

    saved = {e.original_name: e for e in Exhibit.objects.filter(case=case)}
    assert set(saved) == {"IMG_0042.jpg", "doorbell-clip.bin", "letter.pdf"}
    assert saved["doorbell-clip.bin"].sha256 == hashlib.sha256(big).hexdigest()
    assert saved["IMG_0042.jpg"].sha256 == hashlib.sha256(photo).hexdigest()
    problems: list[str] = []
    check_page(page, "add files, after uploading", problems, phone=True)

    # The same photo again: recognised by its fingerprint, not stored twice.
    page.evaluate(RECORD_PROGRESS)
    page.locator("input[type=file]").set_input_files([{"name": "copy.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.get_by_role("button", name="Upload and seal").click()
    expect(page.locator("[data-upload-list] li").first).to_contain_text("already in your evidence", timeout=60_000)
    assert Exhibit.objects.filter(case=case).count() == 3

    # The exhibit page shows the preview (metadata removed) and the facts read from the photo.
    page.locator("[data-upload-list] li").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exhibit")
    expect(page.locator("img.db-ev-preview")).to_be_visible()
    expect(page.get_by_text("Facts read from the file")).to_be_visible()
    check_page(page, "exhibit (photo)", problems, phone=True)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_every_evidence_page_is_accessible(browsing, person, case, kind):  # noqa: ANN001
    incident = make_incident(case, person, description="Flowers left at the door")
    photo = services.ingest(case, person, [jpeg_with_exif()], name="IMG_1.jpg", details=services.Details(incident=incident)).exhibit
    item = services.create_physical(case, person, description="Flowers with a card", received_on=None, arrived_how="Doorstep", kept_where="Freezer")
    html = services.ingest(case, person, [b"<html><script>alert(1)</script></html>"], name="page.html").exhibit
    uploads.start_upload(case, person, name="long video.mp4", size=5 * MIB)
    page = browsing.page(kind, user=person, axe=True)
    problems: list[str] = []
    base = f"/cases/{case.pk}/evidence"
    pages = [
        ("locker", f"{base}/"),
        ("add files", f"{base}/add/"),
        ("add files for an incident", f"{base}/add/?incident={incident.number}"),
        ("physical item form", f"{base}/physical/new/"),
        ("photo exhibit", f"{base}/{photo.number}/"),
        ("physical exhibit", f"{base}/{item.number}/"),
        ("html exhibit with warnings", f"{base}/{html.number}/"),
        ("edit exhibit", f"{base}/{photo.number}/edit/"),
        ("edit physical item", f"{base}/{item.number}/edit/"),
        ("continuity form", f"{base}/{item.number}/continuity/"),
        ("incident with evidence", f"/cases/{case.pk}/incidents/{incident.number}/"),
        ("integrity with files", f"/cases/{case.pk}/integrity/"),
    ]
    for name, url in pages:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{name}: {response and response.status}"
        check_page(page, name, problems, phone=kind == "phone")
    # Error states: the continuity form and the physical item form with nothing filled in.
    page.goto(f"{base}/{item.number}/continuity/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "continuity form with errors", problems, phone=kind == "phone")
    page.goto(f"{base}/physical/new/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "physical item form with errors", problems, phone=kind == "phone")
    # The plain form's error page (no files chosen), as someone without JavaScript would see it.
    page.goto(f"{base}/add/")
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('[data-uploader]').submit()")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose one or more files")
    check_page(page, "add files with an error", problems, phone=kind == "phone")
    assert not problems, "\n".join(problems)


def test_a_dropped_connection_mid_upload_carries_on_where_it_stopped(browsing, person, case):  # noqa: ANN001
    """The second chunk's connection is reset once: the uploader waits, asks the server how much arrived, and
    resumes from there. The sealed file is whole."""
    data = os.urandom(limits.CHUNK + 2 * MIB + 7)  # two chunks, whatever the chunk size
    page = browsing.page("phone", user=person)
    dropped: list[str] = []

    def flaky(route, request):  # noqa: ANN001
        if request.method == "PUT" and request.headers.get("upload-offset") == str(limits.CHUNK) and not dropped:
            dropped.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/evidence/uploads/**", flaky)
    page.goto(f"/cases/{case.pk}/evidence/add/")
    page.locator("input[type=file]").set_input_files([{"name": "dashcam.mp4", "mimeType": "video/mp4", "buffer": data}])
    page.get_by_role("button", name="Upload and seal").click()
    expect(page.locator("[data-upload-list] li").first).to_contain_text("Connection lost", timeout=60_000)
    expect(page.locator("[data-upload-summary]")).to_contain_text("1 of 1 file saved and sealed", timeout=120_000)
    assert dropped
    exhibit = Exhibit.objects.get(case=case)
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest() and exhibit.size == len(data)
