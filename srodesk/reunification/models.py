"""Reunification (Standard Reunification Method, REFERENCE.md §4.2): an event at a site, the students
expected there, one card per student per pickup, and the exceptions diverted to a separate area.

Every row that names a student is an education record reached only through named grants
(``class_grant_actions = frozenset()``): a record-class grant such as ``view:operational`` or
``view:education`` never shows who is waiting at a reunification site. The event itself (site, times,
counts) is an operational record.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel
from srodesk.people.models import fold

from .choices import CardStatus, EventStatus, ExceptionKind, IdType, Resolution, StudentStatus

USER = settings.AUTH_USER_MODEL


def student_name_q(value: str, prefix: str = "event_student__") -> Q:
    """Every word of the query (accent- and case-insensitive) occurs in the expected student's name."""
    words = fold(value).split()
    if not words:
        return Q(pk__in=[])
    q = Q()
    for word in words:
        q &= Q(**{f"{prefix}search_name__contains": word})
    return q


def _user(label: str) -> models.ForeignKey:  # type: ignore[type-arg]
    return models.ForeignKey(
        USER, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )


def _when(label: str) -> models.DateTimeField:  # type: ignore[type-arg]
    return models.DateTimeField(label, null=True, blank=True, editable=False)


class ReunificationEvent(RecordModel):
    """One reunification at a site for one or more schools of a district, from start to close."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    schools = models.ManyToManyField("organizations.School", related_name="reunification_events")
    alert = models.ForeignKey(
        "alerts.Alert",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reunification_events",
        help_text="The alert that led to the reunification, if any.",
    )
    site_name = models.CharField("reunification site", max_length=200)
    site_address = models.CharField(max_length=200, blank=True)
    assembly_area = models.CharField(
        "student assembly area", max_length=200, blank=True, help_text="Where students wait to be brought out."
    )
    is_drill = models.BooleanField("drill", default=False)
    status = models.CharField(max_length=8, choices=EventStatus.choices, default=EventStatus.OPEN, editable=False)
    started_at = _when("started")
    started_by = _user("started by")
    closed_at = _when("closed")
    closed_by = _user("closed by")
    closing_note = models.TextField(blank=True, editable=False)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "schools",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("site_name", "site_address")

    class Meta:
        ordering = ("-started_at", "-pk")
        verbose_name = "reunification event"
        permissions = [("close_reunificationevent", "Can close a reunification event")]

    def __str__(self) -> str:
        prefix = "DRILL – " if self.is_drill else ""
        when = f" ({self.started_at:%Y-%m-%d})" if self.started_at else ""
        return f"{prefix}Reunification at {self.site_name}{when}"

    def get_absolute_url(self) -> str:
        return detail_url("reunification:reunificationevent_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status == EventStatus.OPEN


class _EventPart(RecordModel):
    """A row of an event that names a student: seen by the roles working the event (named grants only)."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "event__schools", "agency": None}
    class_grant_actions: ClassVar[frozenset[str] | None] = frozenset()

    class Meta:
        abstract = True


class EventStudent(_EventPart):
    """A student expected at the event: the schools' active students when it started (a snapshot)."""

    event = models.ForeignKey(ReunificationEvent, on_delete=models.PROTECT, related_name="students")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, editable=False, help_text="The student's name when the event started.")
    search_name = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    grade = models.CharField(max_length=8, blank=True, editable=False)
    status = models.CharField(
        max_length=12, choices=StudentStatus.choices, default=StudentStatus.WAITING, editable=False, db_index=True
    )
    location = models.CharField("where", max_length=200, blank=True, help_text="Assembly area or other place.")
    released_at = _when("released")

    search_fields = ("search_name",)

    class Meta:
        ordering = ("event", "search_name", "pk")
        verbose_name = "expected student"
        constraints = [models.UniqueConstraint(fields=["event", "student"], name="reunification_student_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return detail_url("reunification:eventstudent_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        return student_name_q(value, prefix="")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.search_name:
            self.search_name = fold(self.name)
        super().save(*args, **kwargs)


class ReunificationCard(_EventPart):
    """One reunification card: one student, one pickup adult, the greeter → checker → runner → release steps."""

    event = models.ForeignKey(ReunificationEvent, on_delete=models.PROTECT, related_name="cards")
    event_student = models.ForeignKey(EventStudent, on_delete=models.PROTECT, related_name="cards")
    adult_name = models.CharField("pickup adult", max_length=200)
    relationship = models.CharField(max_length=100, help_text="As the adult wrote it on the card.")
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=CardStatus.choices, default=CardStatus.ISSUED, editable=False, db_index=True
    )
    issued_at = _when("card issued")
    issued_by = _user("greeter")
    guardian = models.ForeignKey(
        "people.Guardian",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="The roster's guardian or emergency contact the checker matched the adult to.",
    )
    id_type = models.CharField("ID type", max_length=16, choices=IdType.choices, blank=True, editable=False)
    id_last4 = models.CharField(
        "ID number, last 4",
        max_length=4,
        blank=True,
        editable=False,
        validators=[RegexValidator(r"^[0-9A-Za-z]{4}$", "Enter the last four characters of the ID number.")],
    )
    custody_finding = models.TextField(
        blank=True, editable=False, help_text="The custody restriction the checker saw, if any."
    )
    checked_at = _when("checked")
    checked_by = _user("checker")
    brought_at = _when("student brought")
    brought_by = _user("runner")
    student_agreed = models.BooleanField(
        "student agreed", null=True, blank=True, editable=False, help_text="Asked, the student agreed to leave."
    )
    released_at = _when("released")
    released_by = _user("released by")

    search_fields = ("adult_name",)

    class Meta:
        ordering = ("-issued_at", "-pk")
        verbose_name = "reunification card"
        permissions = [
            ("check_reunificationcard", "Can verify ID and custody on a reunification card"),
            ("run_reunificationcard", "Can bring a student out for a reunification card"),
            ("release_reunificationcard", "Can release a student on a reunification card"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event_student"],
                condition=Q(deleted_at__isnull=True)
                & Q(status__in=["issued", "checked", "brought", "exception", "released"]),
                name="reunification_one_active_card",
            )
        ]

    def __str__(self) -> str:
        return f"Card #{self.pk}: {self.event_student.name} → {self.adult_name}"

    def get_absolute_url(self) -> str:
        return detail_url("reunification:reunificationcard_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        return Q(adult_name__icontains=value.strip()) | student_name_q(value)


class ReunificationException(_EventPart):
    """A situation diverted to the exceptions area: custody, missing, injured, interview, unauthorised adult."""

    event = models.ForeignKey(ReunificationEvent, on_delete=models.PROTECT, related_name="exceptions")
    event_student = models.ForeignKey(EventStudent, on_delete=models.PROTECT, related_name="exceptions")
    card = models.ForeignKey(
        ReunificationCard, null=True, blank=True, on_delete=models.PROTECT, related_name="exceptions", editable=False
    )
    kind = models.CharField(max_length=28, choices=ExceptionKind.choices)
    note = models.TextField(help_text="What happened and where the student and the adult are.")
    raised_at = _when("raised")
    raised_by = _user("raised by")
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True, editable=False)
    resolution_note = models.TextField(blank=True, editable=False)
    resolved_at = _when("resolved")
    resolved_by = _user("resolved by")

    search_fields = ("note",)

    class Meta:
        ordering = ("resolved_at", "-raised_at", "-pk")
        verbose_name = "reunification exception"
        permissions = [("resolve_reunificationexception", "Can resolve a reunification exception")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.event_student.name}"

    def get_absolute_url(self) -> str:
        return detail_url("reunification:reunificationexception_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        return Q(note__icontains=value.strip()) | student_name_q(value)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
