"""HR imports employees through the wizard in a real browser (Debian's Chromium driven by Playwright) on a
phone-sized screen: upload, match the columns (one ignored) with a preview, a file with a bad row is refused
line by line with an error report to download, the fixed file is checked, confirmed and imported as a job,
and the people show up in the directory."""
import os

import pytest

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services
from oorg.org.models import Employee

from .test_browser_signup import PHONE, browser_page, sign_in  # noqa: F401  (browser_page: a fixture)

HEADER = "employee_code,full_name,work_email,job_title,department,notes\n"
BAD = HEADER + ("P001,Paula Pioneer,paula@acme.test,Engineer,Engineering,first\n"
                "P002,Pedro Second,pedro-at-acme,Designer,Engineering,second\n")
FIXED = BAD.replace("pedro-at-acme", "pedro@acme.test")


def employee_codes(workspace) -> list[str]:
    """Read straight from the database. An ORM call made while Playwright's sync API runs gets a connection
    that pytest-django's teardown never closes (it is opened in Playwright's own execution context); left
    open, PostgreSQL refuses to drop the test database at the end of the session. So close it here."""
    from django.db import connection

    try:
        with workspace_scope(workspace):
            return sorted(Employee.objects.values_list("code", flat=True))
    finally:
        connection.close()


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _choose_file(page, name: str, content: str) -> None:
    """Upload, then on the columns step ignore the "notes" column and check the file."""
    page.get_by_label("Spreadsheet (.csv or .xlsx)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content.encode()})
    page.get_by_role("button", name="Upload the file").click()
    page.wait_for_url("**/organization/import/columns")
    assert page.locator("#import-preview tbody tr").count() == 2
    assert _fits_the_phone(page)
    page.get_by_label("notes").select_option("")
    _screenshot(page, f"import-columns-{name}.png")
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/organization/import/jobs/*")
    _screenshot(page, f"import-check-{name}.png")


def _screenshot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


@pytest.mark.browser
def test_hr_imports_employees_on_a_phone(live_server, workspace, hr, browser_page):  # noqa: F811
    with workspace_scope(workspace):
        services.create_department(Actor.system(workspace), name="Engineering")
    page = browser_page

    sign_in(page, live_server, hr, workspace)

    # The menu (a drawer on the phone), its "Organization" item, then the Import tab.
    page.get_by_role("button", name="Menu", exact=True).click()
    page.locator("#sidebar").get_by_role("link", name="Organization").click()
    page.wait_for_url("**/organization/departments/")
    page.locator("nav.tabs").get_by_role("link", name="Import").click()
    page.wait_for_url("**/organization/import/")
    assert page.get_by_role("link", name="Download a template (.csv)").is_visible()
    assert _fits_the_phone(page)

    # Step 1: a file with one bad row is refused, and the row is named by its line.
    _choose_file(page, "people.csv", BAD)
    errors = page.locator("#import-errors")
    errors.wait_for()
    assert page.get_by_role("heading", name="The file needs fixing").is_visible()
    row = errors.locator("tbody tr").first
    assert row.locator("td[data-label=Line]").inner_text() == "3"
    assert "'pedro-at-acme' is not a valid email address." in row.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (.csv)").click()
    report = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert report[0] == "employee_code,full_name,work_email,job_title,department,notes,reason"
    assert report[1].startswith("P002,Pedro Second,pedro-at-acme,")
    assert "Only the valid rows: 1 employee now" in page.locator("fieldset.modes").inner_text()
    assert page.get_by_role("button", name="Import only the 1 valid row").is_visible()
    assert _fits_the_phone(page)
    assert employee_codes(workspace) == []

    # Step 2: the fixed file is checked and waits for a confirmation.
    _choose_file(page, "people-fixed.csv", FIXED)
    confirm = page.get_by_role("button", name="Import 2 employees")
    confirm.wait_for()
    assert "2 will be created" in " ".join(page.locator(".counts").inner_text().split())
    assert employee_codes(workspace) == []

    # Step 3: confirmed and imported.
    confirm.click()
    result = page.locator("#import-result")
    result.wait_for()
    assert "Created 2, updated 0" in result.inner_text()
    assert _fits_the_phone(page)
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], "import-done-375.png"), full_page=True)

    # The directory lists the imported people.
    page.goto(f"{live_server.url}/w/{workspace.slug}/people/")
    assert page.get_by_text("Pedro Second").first.is_visible()
    assert employee_codes(workspace) == ["P001", "P002"]
