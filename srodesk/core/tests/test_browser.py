"""The pages in a real browser: sign-in with the multi-factor flow, WCAG 2.1 AA checks, phones, no JavaScript."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from srodesk.core.management.commands.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

AXE_SCRIPT = Path(__file__).resolve().parents[1] / "testing" / "vendor" / "axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE_VIEWPORT = {"width": 390, "height": 844}
SRO = "demo-sro"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.0/2.1 level A and AA rules on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async (options) => await axe.run(document, options)", AXE_OPTIONS)
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation.get('impact')}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {json.dumps(node['target'])}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any, label: str) -> None:
    """The page passes the WCAG 2.1 AA checks once the parts it loads after itself are in."""
    page.wait_for_selector('[aria-busy="true"]', state="detached", timeout=10_000)
    violations = axe_violations(page)
    assert not violations, f"{label} ({page.url}) fails WCAG 2.1 AA checks:\n{describe(violations)}"


def assert_no_horizontal_overflow(page: Any, label: str) -> None:
    widths = page.evaluate("() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth})")
    assert widths["scroll"] <= widths["viewport"], f"{label} scrolls sideways on a phone: {widths}"


def screenshot(page: Any, name: str) -> None:
    """A full-page PNG into the directory named by SRODESK_SCREENSHOTS, when it is set."""
    directory = os.environ.get("SRODESK_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / name), full_page=True)


def path_of(page: Any) -> str:
    return urlparse(page.url).path


def current_code(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    device = TOTPDevice.objects.get(user__username=SRO, confirmed=False)
    assert key == device.bin_key, "the secret shown on the set-up page is not the authenticator's key"
    return str(totp(key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def sign_in_with_new_authenticator(page: Any) -> None:
    """Sign in as the demo SRO the way a person does: password, authenticator set-up, recovery codes."""
    page.goto(reverse("core:dashboard"))
    assert path_of(page) == reverse("accounts:login")
    page.get_by_label("Username").fill(SRO)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert path_of(page) == reverse("accounts:mfa_setup"), "a role holding personal data must set up MFA"

    secret = page.locator("#totp-secret").inner_text().replace(" ", "").strip()
    page.locator("input[name=code]").fill(current_code(secret))
    page.locator("form[action$='/mfa/setup/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert path_of(page) == reverse("accounts:mfa_recovery_codes")
    assert page.locator(".recovery-codes li").count() > 0

    page.locator("a", has_text="I have saved my codes").click()
    page.wait_for_load_state()
    if path_of(page) != reverse("core:dashboard"):
        page.goto(reverse("core:dashboard"))
    assert path_of(page) == reverse("core:dashboard")
    assert page.get_by_role("heading", level=1, name="Dashboard").is_visible()


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("demo", quiet=True)


@pytest.fixture
def sro_page(demo: None, page: Any) -> Any:
    sign_in_with_new_authenticator(page)
    return page


def school_names(page: Any) -> list[str]:
    return [name.strip() for name in page.locator("#table tbody tr td:first-child a").all_inner_texts()]


def test_login_page_is_accessible(demo: None, page: Any) -> None:
    page.goto(reverse("accounts:login"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to SRO Desk"
    assert_accessible(page, "Sign-in page")
    screenshot(page, "login.png")


def test_sro_pages_are_accessible(sro_page: Any) -> None:
    page = sro_page
    # The record counts arrive after the page.
    page.locator("#record-cards .count").first.wait_for()
    assert page.locator("#record-cards").get_attribute("aria-busy") is None
    assert page.locator("#record-cards article", has_text="Schools").locator(".count").inner_text() == "1"
    assert_accessible(page, "Dashboard")
    screenshot(page, "dashboard.png")

    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.locator("summary", has_text="Organisations").click()  # a group of several pages: a drop-down
    assert_accessible(page, "Dashboard with a menu group open")
    main_nav.get_by_role("link", name="Schools", exact=True).click()
    page.wait_for_load_state()
    assert path_of(page) == reverse("organizations:school_list")
    names = school_names(page)
    assert "Riverside High School" in names
    assert_accessible(page, "Schools list")
    screenshot(page, "schools-list.png")

    page.get_by_role("link", name="Riverside High School", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Riverside High School"
    assert_accessible(page, "School detail")
    screenshot(page, "school-detail.png")

    page.goto(f"{reverse('core:search')}?q=River")
    assert page.get_by_role("link", name="Riverside High School").count() >= 1
    assert_accessible(page, "Search results")


def test_sro_pages_fit_a_phone(sro_page: Any) -> None:
    page = sro_page
    page.set_viewport_size(PHONE_VIEWPORT)
    page.goto(reverse("core:dashboard"))
    page.locator("#record-cards .count").first.wait_for()
    assert_no_horizontal_overflow(page, "Dashboard")
    assert_accessible(page, "Dashboard on a phone")
    screenshot(page, "dashboard-phone.png")

    menu = page.get_by_role("navigation", name="Main")
    schools_link = menu.get_by_role("link", name="Schools", exact=True)
    assert not schools_link.is_visible()
    menu.get_by_text("Menu", exact=True).click()
    assert_no_horizontal_overflow(page, "Dashboard with the menu open")
    assert_accessible(page, "Dashboard on a phone with the menu open")
    schools_link.click()
    page.wait_for_load_state()
    assert path_of(page) == reverse("organizations:school_list")
    assert_no_horizontal_overflow(page, "Schools list")
    assert_accessible(page, "Schools list on a phone")


def test_pages_read_without_javascript(sro_page: Any, browser: Any, live_server: Any) -> None:
    sro_page.goto(reverse("organizations:school_list"))
    expected = school_names(sro_page)
    assert expected

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        context.add_cookies(sro_page.context.cookies())
        page = context.new_page()
        page.goto(reverse("organizations:school_list"))
        assert path_of(page) == reverse("organizations:school_list")
        assert school_names(page) == expected
        page.get_by_role("link", name=expected[0], exact=True).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == expected[0]
    finally:
        context.close()
