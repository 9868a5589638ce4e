"""Capture the documentation screenshots from a running demo server (``make run``).

    .venv/bin/python docs/screenshots/capture.py [--base http://127.0.0.1:8000] [--only NAME ...]

Signs in as demo accounts (demo mode: password only) with Debian's Chromium and writes one PNG per page into
this folder. Pages that need a record id find it from the list page first.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "sro-desk-demo-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

#: (file name, account, path or "list-path>first-link-pattern", viewport)
SHOTS: list[tuple[str, str, str, dict[str, int]]] = [
    ("incident-detail", "demo-sro", "/incidents/incidents/?status=closed>/incidents/incidents/\\d+/$", DESKTOP),
    ("incident-wizard-phone", "demo-sro", "/incidents/new/", PHONE),
    ("review-queue", "demo-supervisor", "/incidents/review/", DESKTOP),
    ("nibrs-export", "demo-records", "/incidents/nibrs/", DESKTOP),
    ("custody-timeline", "demo-sro", "/incidents/evidence-items/>/incidents/evidence-items/\\d+/$", DESKTOP),
    ("threat-case", "demo-principal", "/threats/threat-cases/>/threats/threat-cases/\\d+/$", DESKTOP),
    ("mandated-report", "demo-counselor", "/support/mandated-reports/>/support/mandated-reports/\\d+/$", DESKTOP),
    ("alert-start-phone", "demo-sro", "/alerts/start/", PHONE),
    ("drill-compliance", "demo-safety", "/drills/compliance/", DESKTOP),
    ("drill-compliance-school", "demo-principal", "/drills/compliance/>/drills/compliance/schools/\\d+/$", DESKTOP),
    ("reunification-start", "demo-principal", "/reunification/reunification-events/start/", PHONE),
]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state("networkidle")


def resolve(page: Page, base: str, target: str) -> str | None:
    if ">" not in target:
        return base + target
    listing, pattern = target.split(">", 1)
    page.goto(base + listing)
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href and re.search(pattern, href):
            return base + href
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for name, account, target, viewport in SHOTS:
            if args.only and name not in args.only:
                continue
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            sign_in(page, args.base, account)
            url = resolve(page, args.base, target)
            if url is None:
                print(f"skipped {name}: no record found at {target}")
                context.close()
                continue
            response = page.goto(url)
            page.wait_for_load_state("networkidle")
            if response is None or response.status >= 400:
                print(f"skipped {name}: {url} answered {response.status if response else 'nothing'}")
            else:
                page.screenshot(path=str(HERE / f"{name}.png"), full_page=True)
                print(f"wrote {name}.png ({url})")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
