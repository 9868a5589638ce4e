"""The Python form renderer writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings

from srodesk.core.form_renderer import FormRenderer
from srodesk.organizations.models import School
from srodesk.organizations.tests.factories import SchoolFactory


class Sample(forms.Form):
    name = forms.CharField(max_length=20, required=False, help_text="Names & <tags>")
    email = forms.EmailField(initial='a"b@example.org')
    count = forms.IntegerField(min_value=0, initial=3)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(2026, 12, 1))
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x<y")
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True, "hidden": False}))
    status = forms.ChoiceField(choices=[("", "Any"), ("open", "Open & new"), ("closed", '"Closed"')], initial="open")
    grouped = forms.ChoiceField(choices=[("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")], initial="b")
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")], initial=[1, 3])
    maybe = forms.NullBooleanField(initial=None)
    agree = forms.BooleanField(required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X"), ("y", "Y")], required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)


DATA = {
    "name": "Ana <b>",
    "email": "not-an-email",
    "count": "-1",
    "day": "2026-13-40",
    "secret": "s&cret",
    "search": "x",
    "status": "closed",
    "grouped": "c",
    "many": ["2"],
    "maybe": "true",
    "agree": "on",
    "radio": "y",
    "notes": "line & line",
}


@pytest.mark.parametrize("data", [None, DATA], ids=["initial", "bound"])
def test_every_widget_renders_as_django_templates_do(data: dict[str, object] | None) -> None:
    fast = Sample(data, renderer=FormRenderer())
    slow = Sample(data, renderer=DjangoTemplates())
    for name in Sample.base_fields:
        assert str(fast[name]) == str(slow[name]), name
    assert fast.as_div() == slow.as_div()


@pytest.mark.django_db
def test_model_choices_render_as_django_templates_do() -> None:
    school = SchoolFactory(name="Oak & <Elm>")
    SchoolFactory()

    class Pick(forms.Form):
        school = forms.ModelChoiceField(queryset=School.objects.all(), required=False)
        schools = forms.ModelMultipleChoiceField(queryset=School.objects.all(), required=False)

    fast = Pick({"school": str(school.pk), "schools": [str(school.pk)]}, renderer=FormRenderer())
    slow = Pick({"school": str(school.pk), "schools": [str(school.pk)]}, renderer=DjangoTemplates())
    assert str(fast["school"]) == str(slow["school"])
    assert str(fast["schools"]) == str(slow["schools"])
    assert f'<option value="{school.pk}" selected>' in str(fast["school"])


def test_it_is_the_configured_renderer() -> None:
    form = Sample()
    assert isinstance(form.renderer, FormRenderer)


@override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates")
def test_a_widget_with_its_own_option_template_goes_through_the_templates() -> None:
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    field = forms.ChoiceField(choices=[("a", "A")], widget=Custom)
    form = forms.Form(renderer=FormRenderer())
    form.fields["pick"] = field
    slow = forms.Form(renderer=DjangoTemplates())
    slow.fields["pick"] = forms.ChoiceField(choices=[("a", "A")], widget=Custom)
    assert str(form["pick"]) == str(slow["pick"])
    assert "<label><input" in str(form["pick"])
