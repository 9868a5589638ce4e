"""Test help for the student profile: the page as a browser shows it once its lazy panels have loaded."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client
from django.urls import reverse

from .models import Student

#: The profile page's request for its lazy panels, and a panel's placeholder (``people/student_detail.html``).
LOADER = re.compile(r'<div hx-get="([^"]+)" hx-trigger="load" hx-swap="none"></div>')
PLACEHOLDER = r'<div id="panel-{name}-body" class="panel-loading" aria-busy="true">.*?</div>'
#: One panel of the answer (``people/student_panels.html#swaps``).
SWAP = re.compile(r'<div id="panel-([\w-]+)-body" hx-swap-oob="true">(.*?)</div><!-- /panel-\1 -->', re.S)


def profile_page(client: Client, student: Student) -> tuple[int, str]:
    """The status and HTML of the student's profile with its lazy panels requested as htmx requests them and
    swapped into their placeholders (an answer other than 200, or a panel without its placeholder, fails)."""
    response = client.get(reverse("people:student_detail", args=[student.pk]))
    html = response.content.decode()
    loader = LOADER.search(html)
    if response.status_code != 200 or loader is None:
        return response.status_code, html
    url = unescape(loader.group(1))
    panels = client.get(url, headers={"HX-Request": "true"})
    assert panels.status_code == 200, f"{url}: {panels.status_code}"  # noqa: S101 - test help
    for name, body in SWAP.findall(panels.content.decode()):
        swapped = f'<div id="panel-{name}-body">{body}</div>'
        pattern = re.compile(PLACEHOLDER.format(name=re.escape(name)), re.S)
        html, found = pattern.subn(swapped.replace("\\", r"\\"), html)  # the body as it is
        assert found == 1, f"no placeholder for the panel {name!r}"  # noqa: S101 - test help
    return 200, html
