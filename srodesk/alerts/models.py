"""Alerts (SRP actions, advisories, BOLOs), their delivery to each recipient on each channel, acknowledgements,
and the accountability reports staff send from their room or area during an alert."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel

from .choices import DIRECTIVES, AlertKind, AlertStatus, Audience, Channel, DeliveryStatus, SrpAction


class Alert(RecordModel):
    """An SRP activation for one or more schools, or an advisory/BOLO to an audience.

    Started in two deliberate steps, then held for the cancel window (``deliver_at``) before delivery;
    ended by an all-clear. Drills are alerts with ``is_drill`` set and say so everywhere.
    """

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    schools = models.ManyToManyField("organizations.School", related_name="alerts")
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=AlertKind.choices, default=AlertKind.SRP)
    action = models.CharField("SRP action", max_length=10, choices=SrpAction.choices, blank=True)
    location = models.CharField("evacuate to", max_length=200, blank=True)
    hazard = models.CharField(max_length=200, blank=True)
    strategy = models.CharField("safety strategy", max_length=200, blank=True)
    message = models.TextField(blank=True, help_text="Advisory or BOLO text, or details added to the directive.")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    is_drill = models.BooleanField("drill", default=False)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.ARMED, editable=False)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    armed_at = models.DateTimeField(null=True, blank=True, editable=False)
    deliver_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="End of the cancel window.")
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    activated_at = models.DateTimeField(null=True, blank=True, editable=False)
    all_clear_at = models.DateTimeField(null=True, blank=True, editable=False)
    all_clear_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    all_clear_message = models.TextField(blank=True, editable=False)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "schools", "agency": "agency"}
    search_fields = ("message",)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["status", "deliver_at"], name="alert_status_deliver")]

    def __str__(self) -> str:
        prefix = "DRILL – " if self.is_drill else ""
        return f"{prefix}{self.title}"

    def get_absolute_url(self) -> str:
        return detail_url("alerts:alert_detail", self.pk)

    @property
    def title(self) -> str:
        if self.kind == AlertKind.SRP and self.action:
            return str(SrpAction(self.action).label)
        return str(AlertKind(self.kind).label)

    @property
    def directive(self) -> str:
        if self.kind != AlertKind.SRP or not self.action:
            return self.message
        return DIRECTIVES[SrpAction(self.action)].format(
            location=self.location or "the announced location",
            hazard=self.hazard or "the hazard",
            strategy=self.strategy or "follow the announced strategy",
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.kind == AlertKind.SRP:
            if not self.action:
                errors["action"] = "Choose the SRP action."
            elif self.action == SrpAction.EVACUATE and not self.location.strip():
                errors["location"] = "Evacuate needs the location to go to."
            elif self.action == SrpAction.SHELTER and not (self.hazard.strip() and self.strategy.strip()):
                errors["hazard"] = "Shelter needs the hazard and the safety strategy."
        else:
            if self.action:
                errors["action"] = "Only an SRP alert has an SRP action."
            if not self.message.strip():
                errors["message"] = "Enter the text of the advisory or BOLO."
        if errors:
            raise ValidationError(errors)


class Recipient(models.Model):
    """One person an alert is for, and their acknowledgement."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("alert", "pk")
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.user_id}"


class Delivery(models.Model):
    """The alert on one channel to one recipient: queued, sent, delivered (live) or failed with the reason."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=255, blank=True, help_text="Email address, phone number or URL.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    queued_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("recipient", "channel")
        constraints = [models.UniqueConstraint(fields=["recipient", "channel"], name="alert_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="alert_delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class DeliveryAttempt(models.Model):
    """Every try of a delivery, kept so that retries are on record."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("delivery", "at", "pk")

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'failed'} {self.at:%H:%M:%S}"


class AccountabilityReport(RecordModel):
    """A staff member's report from their room or area during an alert: who is there, missing, extra, injured."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="accountability_reports")
    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    area = models.CharField("room or area", max_length=100)
    present_count = models.PositiveIntegerField(default=0)
    missing = models.ManyToManyField("people.Student", blank=True, related_name="+", verbose_name="missing students")
    extra = models.ManyToManyField(
        "people.Student", blank=True, related_name="+", verbose_name="extra students (not usually here)"
    )
    injured = models.ManyToManyField("people.Student", blank=True, related_name="+", verbose_name="injured students")
    adults_present = models.PositiveIntegerField(default=1)
    needs_help = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    reported_at = models.DateTimeField(auto_now=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "school", "agency": None}

    class Meta:
        ordering = ("alert", "school", "area", "pk")
        constraints = [models.UniqueConstraint(fields=["alert", "school", "area"], name="accountability_one_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.present_count} present"

    def get_absolute_url(self) -> str:
        return detail_url("alerts:accountabilityreport_detail", self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.school_id is not None and self.district_id is None:
            from srodesk.organizations.models import School

            self.district_id = School.objects.values_list("district_id", flat=True).get(pk=self.school_id)
        super().save(*args, **kwargs)
