"""Model forms whose every foreign-key and many-to-many choice is restricted by the policy engine."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model

from .models import RecordModel
from .permissions import hidden_fields

RECORD_FIELDS_EXCLUDED = ("created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by")


class RecordForm(forms.ModelForm):  # type: ignore[type-arg]
    """Subclasses declare ``Meta.model`` and ``Meta.fields``; pass ``user=`` when instantiating."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # Restricted fields the user may not see on this record are not in the form at all.
        instance = self.instance if self.instance.pk else None
        for name in hidden_fields(user, self._meta.model, instance):
            self.fields.pop(name, None)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            related: type[Model] = queryset.model
            # Choices from other tables (users, roles) are not records: their forms decide about them.
            if issubclass(related, RecordModel):
                field.queryset = queryset.alive().restrict(user, "view")  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            if type(field) is forms.JSONField:
                field = self.fields[name] = OptionalJSONField(
                    required=field.required,
                    label=field.label,
                    help_text=field.help_text,
                    initial=field.initial,
                    widget=field.widget,
                    encoder=field.encoder,
                    decoder=field.decoder,
                )
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)
            if field.required:
                field.widget.attrs.setdefault("aria-required", "true")
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"


class OptionalJSONField(forms.JSONField):
    """A JSON field that shows an empty box (not ``null``) when there is no value."""

    def prepare_value(self, value: Any) -> Any:
        if value is None:
            return ""
        return super().prepare_value(value)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=255, widget=forms.Textarea(attrs={"rows": 2}), help_text="Recorded in the audit log."
    )
