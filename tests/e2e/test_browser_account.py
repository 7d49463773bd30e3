"""A member turns two-factor on in a real browser on a phone: scans the QR code, enters the app's code, then copies
and downloads the recovery codes; the account pages fit a 375 px screen and pass axe."""
import io
import os
import re
from urllib.parse import parse_qs, unquote, urlparse

import pyotp
import pytest
from PIL import Image

from ..conftest import make_workspace
from .axe import failing, findings, violations
from .test_browser_signup import PHONE, browser_page, sign_in  # noqa: F401  (browser_page: a fixture)


def decode_qr(png: bytes) -> str:
    import zxingcpp

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(found) == 1, f"expected one barcode in the screenshot, found {len(found)}"
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text


def screenshot(page, name: str) -> None:
    if os.environ.get("OORG_SCREENSHOT_DIR"):  # for a human look; never committed
        page.screenshot(path=os.path.join(os.environ["OORG_SCREENSHOT_DIR"], name), full_page=True)


def assert_fits_and_passes_axe(page) -> None:
    """No sideways scrolling at 375 px, and no serious axe finding in the page's own content (the shell around it
    is the accessibility suite's)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    violations(page)  # loads axe-core into the page
    found = page.evaluate("axe.run(document.querySelector('main'), {resultTypes: ['violations']})")["violations"]
    serious = failing(found)
    assert not serious, findings(serious)


@pytest.mark.browser
def test_scan_the_qr_code_turn_on_two_factor_and_keep_the_recovery_codes(live_server, transactional_db, outbox,
                                                                          browser_page):  # noqa: F811
    page = browser_page
    workspace, owner = make_workspace("Acme", "ada@example.test")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, owner, workspace)

    page.goto(live_server.url + "/account/two-factor")
    page.get_by_role("button", name="Begin setup").click()
    page.wait_for_url("**/account/two-factor")
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    shown_secret = page.locator("#totp-secret").inner_text().strip()

    uri = decode_qr(qr.screenshot())

    parsed = urlparse(uri)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert unquote(parsed.path) == "/OORG:ada@example.test"
    assert parse_qs(parsed.query)["secret"] == [shown_secret]
    assert_fits_and_passes_axe(page)
    screenshot(page, "two-factor-setup-375.png")

    page.get_by_label("Code from your app").fill(pyotp.TOTP(shown_secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    page.wait_for_url("**/account/recovery-codes")
    codes = [c.strip() for c in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", c) for c in codes)
    page.get_by_role("button", name="Copy codes").click()  # shown only because the static script ran
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()").split("\n") == codes
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a text file").click()
    assert download.value.suggested_filename == "oorg-recovery-codes.txt"
    assert all(c in open(download.value.path()).read() for c in codes)
    assert_fits_and_passes_axe(page)
    screenshot(page, "recovery-codes-375.png")

    page.get_by_role("button", name="I saved them — continue").click()
    page.wait_for_url("**/account/security")
    assert page.get_by_text("10 unused recovery codes left").is_visible()
    assert_fits_and_passes_axe(page)
    screenshot(page, "security-375.png")
    page.goto(live_server.url + "/account/profile")
    assert page.get_by_label("Time zone").is_visible()
    assert_fits_and_passes_axe(page)
    screenshot(page, "profile-375.png")
