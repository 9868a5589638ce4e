from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from srodesk.core.models import RecordClass, ScopedRecordModel


class SampleCase(ScopedRecordModel):
    """A need-to-know education record: only its members, or roles granted the override, see it."""

    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    opened_on = models.DateField(null=True, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    record_class: ClassVar[str] = RecordClass.EDUCATION
    need_to_know: ClassVar[bool] = True
    search_fields = ("title",)

    class Meta:
        ordering = ("-opened_on", "title")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("sample:samplecase_detail", args=[self.pk])

    @classmethod
    def member_filter(cls, user: Any) -> Q:
        return Q(pk__in=cls.objects.filter(members=user).values("pk"))
