"""The form renderer: Django's, with its most used widgets written out in Python.

Django renders every widget through its template engine, and a ``<select>`` renders one template include
per option: a school filter over a large district's 150 schools costs more than the rest of the page. The
select and text-like inputs are produced here with exactly the markup of Django's own templates
(``django/forms/widgets/select.html``, ``select_option.html``, ``input.html``, ``attrs.html``); any
other template, or a widget that names its own, goes through the templates as before. Set as
``FORM_RENDERER``; ``core/tests/test_form_renderer.py`` compares both outputs widget by widget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "email", "url", "number", "password", "date", "datetime", "time", "search", "tel")
)


def _text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}``: always escaped, even a value already marked safe."""
    return str(escape(value))


def attrs_html(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    out: list[str] = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(out)


def _select(context: dict[str, Any]) -> str | None:
    widget = context["widget"]
    parts = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(context: dict[str, Any]) -> str:
    widget = context["widget"]
    value = f' value="{_text(widget["value"])}"' if widget["value"] is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{attrs_html(widget['attrs'])}>"
    )


_FAST: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "django/forms/widgets/select.html": _select,
    **dict.fromkeys(INPUT_TEMPLATES, _input),
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        fast = _FAST.get(template_name)
        if fast is not None:
            html = fast(context)
            if html is not None:
                return mark_safe(html)  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request)
