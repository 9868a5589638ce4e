from typing import ClassVar

from django import forms

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer
from srodesk.core.filtersets import RecordFilterSet
from srodesk.core.forms import RecordForm
from srodesk.core.registry import RecordType, register
from srodesk.core.tables import RecordTable

from .models import SampleCase


class SampleCaseFilterSet(RecordFilterSet):
    class Meta:
        model = SampleCase
        fields = ("opened_on",)


class SampleCaseTable(RecordTable):
    model = SampleCase
    fields = ("title", "district", "school", "opened_on")


class SampleCaseForm(RecordForm):
    class Meta:
        model = SampleCase
        fields = ("district", "school", "title", "summary", "opened_on")
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"})}


class SampleCaseSerializer(RecordSerializer):
    class Meta:
        model = SampleCase
        fields = ("id", "url", "display", "district", "school", "title", "summary", "opened_on", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS


register(
    RecordType(
        SampleCase, SampleCaseFilterSet, SampleCaseTable, SampleCaseForm, SampleCaseSerializer, nav_group="Sample"
    )
)
