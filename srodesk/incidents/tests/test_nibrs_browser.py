"""The NIBRS page in a real browser: WCAG 2.1 AA (axe-core) on a desktop and a phone, no sideways scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from srodesk.core.tests.test_browser import PHONE_VIEWPORT, assert_accessible, assert_no_horizontal_overflow
from srodesk.incidents.models import Property
from srodesk.incidents.nibrs import export
from srodesk.incidents.tests.test_nibrs_helpers import assault, make_user, theft
from srodesk.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.browser


def test_nibrs_page_is_accessible_on_desktop_and_phone(
    browser_context: Any, page: Any, live_server: Any, settings: Any
) -> None:
    settings.MFA_REQUIRED = False
    agency = AgencyFactory(ori="MI1234500", name="Lakeside Police")
    assault(agency)
    bad = theft(agency)
    Property.objects.filter(incident=bad).delete()
    user = make_user("clerk", "records_clerk", agency)
    export.build_export(agency, "2026-10", "flat", user, final=False)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    browser_context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page.goto(f"/incidents/nibrs/?agency={agency.pk}&month=2026-10&format=xml&check=1")
    assert page.locator("h1").inner_text() == "NIBRS submission"
    assert page.get_by_text("Error 074").count() == 1
    assert_accessible(page, "NIBRS page")
    page.set_viewport_size(PHONE_VIEWPORT)
    assert_accessible(page, "NIBRS page on a phone")
    assert_no_horizontal_overflow(page, "NIBRS page")
