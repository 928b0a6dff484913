"""My data in a real browser, on a phone (360x640) and a desktop: every page passes axe-core with no inline script;
the person asks for a copy, asks to delete their account and cancels it with their passphrase, deletes a case."""

from __future__ import annotations

import pytest

from cases.models import Case
from takeout.models import AccountDeletion
from tests.browser.conftest import PASSPHRASE, Browsing, page_problems
from tests.factories import make_case, make_incident

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_my_data_pages(browsing: Browsing, person, kind) -> None:  # noqa: ANN001
    case = make_case(person, label="My case")
    make_incident(case, person, description="He waited outside my work")
    page = browsing.page(kind, user=person, axe=True)
    phone = kind == "phone"
    problems: list[str] = []
    for name, url in [
        ("data", "/account/data/"),
        ("load", "/account/data/load/"),
        ("notices", "/account/notices/"),
        ("delete account", "/account/data/delete-account/"),
    ]:
        page.goto(url)
        problems += page_problems(page, name, phone)
    # A copy: made by the worker (at once in tests), then listed with its download link.
    page.goto("/account/data/")
    page.get_by_role("button", name="Make a copy of all my data").click()
    page.wait_for_load_state()
    problems += page_problems(page, "data, a copy asked for", phone)
    # A load with a file that is not an export: the refusal, named.
    page.goto("/account/data/load/")
    page.set_input_files("#id_export", files=[{"name": "x.zip", "mimeType": "application/zip", "buffer": b"not a zip"}])
    page.get_by_role("button", name="Check and load").click()
    page.wait_for_load_state()
    assert "not a ZIP file" in page.content()  # the worker ran at once (the test settings' task backend)
    problems += page_problems(page, "load refused", phone)
    page.goto("/account/data/load/")
    page.get_by_role("button", name="Check and load").click()
    page.wait_for_load_state()
    problems += page_problems(page, "load, no file chosen", phone)
    # Delete the account, then cancel; a wrong passphrase first.
    page.goto("/account/data/delete-account/")
    page.fill("#id_passphrase", "not my passphrase")
    page.get_by_role("button", name="Delete my account in 7 days").click()
    page.wait_for_load_state()
    problems += page_problems(page, "delete account, wrong passphrase", phone)
    assert not AccountDeletion.objects.exists()
    page.fill("#id_passphrase", PASSPHRASE)
    page.get_by_role("button", name="Delete my account in 7 days").click()
    page.wait_for_load_state()
    assert "will be deleted on" in page.content()
    problems += page_problems(page, "delete account, waiting", phone)
    page.fill("#id_passphrase", PASSPHRASE)
    page.get_by_role("button", name="Cancel deleting my account").click()
    page.wait_for_load_state()
    assert AccountDeletion.objects.get().cancelled_at is not None
    # Delete the case.
    page.goto(f"/account/data/cases/{case.pk}/delete/")
    problems += page_problems(page, "delete a case", phone)
    page.fill("#id_passphrase", PASSPHRASE)
    page.get_by_role("button", name="Delete this case").click()
    page.wait_for_load_state()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert page.goto(f"/account/data/cases/{case.pk}/delete/").status == 410
    problems += page_problems(page, "deleted case: gone", phone)
    assert not problems, "\n".join(problems)
