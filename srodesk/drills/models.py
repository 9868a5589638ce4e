"""Drills (scheduled and conducted) and emergency plans (routes, assembly areas, reunification sites)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, ScopedRecordModel

from .choices import SRP_ACTION, DrillStatus, DrillType, FeatureKind, MapKind, TimeOfDay
from .geojson import empty_collection, validate_features

#: How far ahead of the server clock a "conducted at" time may be (clock skew between devices).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
#: The largest floor-plan image accepted.
MAX_FLOOR_PLAN_BYTES = 10 * 1024 * 1024

_SCOPES: dict[str, str | None] = {
    "district": "district",
    "school": "school",
    "agency": "district__partnerships__agency",
}


def school_zone(school: Any) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(school.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class Drill(ScopedRecordModel):
    """A safety drill of one school: planned (scheduled), done (conducted) or called off (cancelled)."""

    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="drills")
    drill_type = models.CharField(max_length=20, choices=DrillType.choices)
    status = models.CharField(max_length=12, choices=DrillStatus.choices, default=DrillStatus.SCHEDULED)
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text="When the drill is planned.")
    conducted_at = models.DateTimeField(null=True, blank=True, help_text="When the drill started.")
    time_of_day = models.CharField(
        "when in the day",
        max_length=14,
        choices=TimeOfDay.choices,
        default=TimeOfDay.INSTRUCTION,
        help_text="Lunch, recess and passing time count as unstructured time.",
    )
    conducted_by = models.CharField(max_length=200, blank=True, help_text="Name and title of who ran the drill.")
    observed_by = models.CharField(
        max_length=200, blank=True, help_text="Observers, e.g. the district safety director."
    )
    law_enforcement_observed = models.BooleanField("observed by law enforcement", default=False)
    law_enforcement_agency = models.CharField(max_length=200, blank=True)
    law_enforcement_officer = models.CharField(max_length=200, blank=True, help_text="Officer name and badge number.")
    fire_department_participated = models.BooleanField("with the local fire department", default=False)
    secondary_egress = models.BooleanField(
        "used fire escapes or secondary exits", default=False, help_text="New York counts these separately."
    )
    participants_count = models.PositiveIntegerField(
        "participants", null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    duration_seconds = models.PositiveIntegerField(
        "time to complete (seconds)", null=True, blank=True, validators=[MaxValueValidator(86_400)]
    )
    headcount = models.PositiveIntegerField(
        "headcount expected", null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    accounted_for = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(100_000)])
    issues_found = models.TextField(blank=True)
    after_action_notes = models.TextField(blank=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="When the drill was posted where the state requires (e.g. the school website)."
    )

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = _SCOPES
    search_fields = ("conducted_by", "observed_by", "law_enforcement_agency", "issues_found", "after_action_notes")

    class Meta:
        ordering = ("-scheduled_for", "-conducted_at", "-pk")
        indexes = [
            models.Index(fields=["district", "school"], name="drill_scope"),
            models.Index(fields=["school", "status", "conducted_at"], name="drill_school_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(accounted_for__isnull=True)
                | Q(headcount__isnull=True)
                | Q(accounted_for__lte=models.F("headcount")),
                name="drill_accounted_le_headcount",
                violation_error_message="More people accounted for than the headcount.",
            )
        ]

    def __str__(self) -> str:
        when = self.when
        day = timezone.localtime(when).date().isoformat() if when else "undated"
        return f"{self.get_drill_type_display()} drill, {day}"

    def get_absolute_url(self) -> str:
        return detail_url("drills:drill_detail", self.pk)

    @property
    def when(self) -> dt.datetime | None:
        return self.conducted_at if self.status == DrillStatus.CONDUCTED else self.scheduled_for

    @property
    def srp_action(self) -> str:
        return SRP_ACTION.get(DrillType(self.drill_type), "") if self.drill_type in DrillType.values else ""

    def local_date(self, school: Any = None) -> dt.date | None:
        """The drill's day in the school's time zone (the day the law counts)."""
        when = self.when
        if when is None:
            return None
        return when.astimezone(school_zone(school or self.school)).date()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == DrillStatus.SCHEDULED:
            if self.scheduled_for is None:
                errors["scheduled_for"] = "A scheduled drill needs the date and time it is planned for."
            if self.conducted_at is not None:
                errors["status"] = "The drill has a conducted time: set the status to conducted."
        if self.status == DrillStatus.CONDUCTED:
            if self.conducted_at is None:
                errors["conducted_at"] = "A conducted drill needs the date and time it started."
            elif self.conducted_at > timezone.now() + FUTURE_TOLERANCE:
                errors["conducted_at"] = "A drill cannot have been conducted in the future: schedule it instead."
        if self.published_at is not None:
            if self.status != DrillStatus.CONDUCTED:
                errors["published_at"] = "Only a conducted drill can be published."
            elif self.conducted_at is not None and self.published_at < self.conducted_at:
                errors["published_at"] = "A drill cannot be published before it was conducted."
        if self.headcount is not None and self.accounted_for is not None and self.accounted_for > self.headcount:
            errors["accounted_for"] = (
                f"More people accounted for ({self.accounted_for}) than expected ({self.headcount})."
            )
        if self.law_enforcement_observed and not self.law_enforcement_agency.strip():
            errors["law_enforcement_agency"] = "Name the law-enforcement agency that observed the drill."
        if errors:
            raise ValidationError(errors)


class EmergencyPlan(ScopedRecordModel):
    """The emergency plan of one building of a school: routes, assembly and waiting areas, reunification
    sites, drawn as GeoJSON on the campus map or on an uploaded floor-plan image."""

    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="emergency_plans")
    building = models.CharField(max_length=120, help_text="e.g. Main building, Gym annex, Portables.")
    name = models.CharField(max_length=200, default="Emergency plan")
    map_kind = models.CharField("drawn on", max_length=12, choices=MapKind.choices, default=MapKind.CAMPUS)
    floor_plan = models.ImageField(
        upload_to="emergency-plans/",
        blank=True,
        width_field="floor_plan_width",
        height_field="floor_plan_height",
        validators=[FileExtensionValidator(["png", "jpg", "jpeg"])],
        help_text="A PNG or JPEG of the building's floor plan (for plans drawn on a floor plan).",
    )
    floor_plan_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    floor_plan_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    features = models.JSONField(
        default=empty_collection,
        blank=True,
        help_text="GeoJSON FeatureCollection: each feature has properties.kind and properties.name.",
    )
    notes = models.TextField(blank=True)
    reviewed_on = models.DateField(null=True, blank=True, help_text="The last annual review of the plan.")
    reviewed_by = models.CharField(max_length=200, blank=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = _SCOPES
    audit_exclude: ClassVar[tuple[str, ...]] = ("floor_plan_width", "floor_plan_height")
    search_fields = ("building", "name", "notes")

    class Meta:
        ordering = ("school__name", "building")
        indexes = [models.Index(fields=["district", "school"], name="emergencyplan_scope")]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "building"], condition=Q(deleted_at__isnull=True), name="emergencyplan_building_alive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.building}"

    def get_absolute_url(self) -> str:
        return detail_url("drills:emergencyplan_detail", self.pk)

    def feature_rows(self) -> list[tuple[str, str, str]]:
        """(name, what it is, geometry type) of each drawn feature, for the printed plan."""
        features = self.features.get("features", []) if isinstance(self.features, dict) else []
        labels = dict(FeatureKind.choices)
        rows = []
        for feature in features:
            props = feature.get("properties") or {}
            geometry = feature.get("geometry") or {}
            rows.append(
                (str(props.get("name", "")), str(labels.get(str(props.get("kind")), "")), str(geometry.get("type", "")))
            )
        return rows

    def floor_plan_info(self) -> dict[str, Any] | None:
        if not self.pk or not self.floor_plan:
            return None
        return {
            "url": reverse("drills:emergencyplan_floor_plan", args=[self.pk]),
            "width": self.floor_plan_width,
            "height": self.floor_plan_height,
        }

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.floor_plan and getattr(self.floor_plan, "size", 0) > MAX_FLOOR_PLAN_BYTES:
            errors["floor_plan"] = f"The image is larger than {MAX_FLOOR_PLAN_BYTES // (1024 * 1024)} MB."
        width = self.floor_plan_width if self.floor_plan else None
        height = self.floor_plan_height if self.floor_plan else None
        problems = validate_features(self.features, map_kind=self.map_kind, width=width, height=height)
        if problems:
            errors["features"] = problems
        if errors:
            raise ValidationError(errors)
