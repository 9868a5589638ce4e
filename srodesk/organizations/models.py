"""The scope hierarchy: districts, their schools, police agencies, and the agency–district partnership."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel

from .choices import RuleSet, SchoolLevel

ori_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{7}$", "An ORI is 9 characters: the two-letter state code and 7 letters or digits."
)
nces_school_validator = RegexValidator(r"^\d{12}$", "An NCES school ID is 12 digits.")
nces_district_validator = RegexValidator(r"^\d{7}$", "An NCES district ID is 7 digits.")
state_validator = RegexValidator(r"^[A-Z]{2}$", "Use the two-letter state code, e.g. MI.")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use e.g. America/Detroit).")


_GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}


def validate_boundary(value: Any) -> None:
    """A campus boundary is a GeoJSON Polygon or MultiPolygon (or a Feature wrapping one), in WGS84."""
    if value in (None, ""):
        return
    geometry = value.get("geometry") if isinstance(value, dict) and value.get("type") == "Feature" else value
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        raise ValidationError("The campus boundary must be a GeoJSON Polygon or MultiPolygon.")
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError("The campus boundary has no coordinates.")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError("Each polygon needs at least one ring.")
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
                raise ValidationError("Each ring needs at least 4 positions and must be closed (first = last).")
            for pos in ring:
                if (
                    not isinstance(pos, list)
                    or len(pos) < 2
                    or not all(isinstance(c, int | float) for c in pos[:2])
                    or not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90)
                ):
                    raise ValidationError(f"{pos!r} is not a longitude, latitude position.")


class District(RecordModel):
    """A school district: the top of the education scope."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, help_text="Short name used in commands, e.g. riverside.")
    nces_id = models.CharField("NCES district ID", max_length=7, blank=True, validators=[nces_district_validator])
    state = models.CharField(max_length=2, validators=[state_validator])

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "pk",
        "school": "schools",
        "agency": "partnerships__agency",
    }
    search_fields = ("name", "slug", "nces_id")

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["slug"], condition=Q(deleted_at__isnull=True), name="district_slug_alive")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("organizations:district_detail", self.pk)


class School(RecordModel):
    """A school of a district, with its place on the map."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(max_length=200)
    nces_id = models.CharField("NCES school ID", max_length=12, blank=True, validators=[nces_school_validator])
    level = models.CharField(max_length=16, choices=SchoolLevel.choices, default=SchoolLevel.HIGH)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, validators=[state_validator])
    postal_code = models.CharField(max_length=10, blank=True)
    timezone = models.CharField(max_length=64, default="America/New_York", validators=[validate_timezone])
    campus_boundary = models.JSONField(
        null=True, blank=True, validators=[validate_boundary], help_text="GeoJSON Polygon or MultiPolygon (WGS84)."
    )

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "pk",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("name", "nces_id", "city")
    bulky_fields = ("campus_boundary",)

    class Meta:
        ordering = ("district__name", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], condition=Q(deleted_at__isnull=True), name="school_name_alive"
            ),
            models.UniqueConstraint(
                fields=["nces_id"], condition=Q(deleted_at__isnull=True) & ~Q(nces_id=""), name="school_nces_alive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return detail_url("organizations:school_detail", self.pk)


class Agency(RecordModel):
    """A law-enforcement agency, identified by its ORI."""

    name = models.CharField(max_length=200)
    ori = models.CharField("ORI", max_length=9, validators=[ori_validator], help_text="e.g. MI8234500")
    state = models.CharField(max_length=2, validators=[state_validator])
    phone = models.CharField(max_length=40, blank=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "partnerships__district",
        "school": "partnerships__district__schools",
        "agency": "pk",
    }
    search_fields = ("name", "ori")

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["ori"], condition=Q(deleted_at__isnull=True), name="agency_ori_alive")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ori})"

    def get_absolute_url(self) -> str:
        return detail_url("organizations:agency_detail", self.pk)


class Partnership(RecordModel):
    """An agency serving a district under an agreement (MOU), with the rules that apply to their work."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="partnerships")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="partnerships")
    state = models.CharField(max_length=2, validators=[state_validator])
    school_year_start_month = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    school_year_start_day = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    drill_rule_set = models.CharField(max_length=8, choices=RuleSet.choices, default=RuleSet.OTHER)
    mandated_report_rules = models.CharField(max_length=8, choices=RuleSet.choices, default=RuleSet.OTHER)
    retention_law_enforcement_years = models.PositiveSmallIntegerField(
        "law-enforcement records retention (years)", default=7, validators=[MaxValueValidator(100)]
    )
    retention_education_years = models.PositiveSmallIntegerField(
        "education records retention (years)", default=5, validators=[MaxValueValidator(100)]
    )
    retention_hr_years = models.PositiveSmallIntegerField(
        "HR records retention (years)", default=7, validators=[MaxValueValidator(100)]
    )
    retention_operational_years = models.PositiveSmallIntegerField(
        "operational records retention (years)", default=3, validators=[MaxValueValidator(100)]
    )
    mou_signed_on = models.DateField("MOU signed on", null=True, blank=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "district__schools",
        "agency": "agency",
    }
    search_fields = ("agency__name", "district__name", "state")

    class Meta:
        ordering = ("district__name", "agency__name")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "district"], condition=Q(deleted_at__isnull=True), name="partnership_alive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency.name} – {self.district.name}"

    def get_absolute_url(self) -> str:
        return detail_url("organizations:partnership_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        import calendar

        if self.school_year_start_month and self.school_year_start_day:
            last = calendar.monthrange(2001, self.school_year_start_month)[1]
            if self.school_year_start_day > last:
                raise ValidationError({"school_year_start_day": f"That month has only {last} days."})

    def retention_years(self, record_class: str) -> int:
        return int(getattr(self, f"retention_{record_class}_years"))
