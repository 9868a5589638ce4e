"""Template tags of the student-support pages.

``{% report_clocks report as clocks %}`` — the deadlines of a mandated report with time left or overdue;
``{% may object "change" as can %}`` — whether the viewer may perform the action on this record;
``{% visible_disclosures object as rows %}`` — the disclosures of a referral or request the viewer may see.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from srodesk.core.permissions import has_perm, perm_name, restrict
from srodesk.people.models import Disclosure

from ..services import Clock, clocks

register = template.Library()


@register.simple_tag
def report_clocks(report: Any) -> list[Clock]:
    return clocks(report)


@register.simple_tag(takes_context=True)
def may(context: Context, obj: Any, action: str) -> bool:
    request = context.get("request")
    return request is not None and has_perm(request.user, perm_name(type(obj), action), obj)


@register.simple_tag(takes_context=True)
def visible_disclosures(context: Context, obj: Any) -> list[Disclosure]:
    request = context.get("request")
    if request is None:
        return []
    return list(restrict(obj.disclosures.alive(), request.user, "view").order_by("-disclosed_at", "-pk"))
