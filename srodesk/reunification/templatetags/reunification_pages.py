"""``{% reunification_event_page object as page %}``: the counts and the steps open to the viewer."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context

from ..models import ReunificationEvent
from ..views import event_context

register = template.Library()


@register.simple_tag(takes_context=True)
def reunification_event_page(context: Context, event: ReunificationEvent) -> dict[str, Any]:
    return event_context(context["request"], event)
