"""People: students, staff, guardians, other persons and vehicles; roster imports; FERPA disclosures."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel

from .choices import (
    CrdcRace,
    DisclosureBasis,
    Grade,
    GuardianRelationship,
    ImportStatus,
    OtherPersonKind,
    RecipientKind,
    Sex,
    StaffRole,
)


def parse_search_date(text: str) -> dt.date | None:
    """A birth date typed into a search box: 2010-04-07, 4/7/2010 or 04/07/2010."""
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


def name_search_q(value: str, *, extra_exact: tuple[str, ...] = ()) -> Q:
    """Every word of the query (accent- and case-insensitive) must occur in the folded name."""
    words = fold(value).split()
    q = Q()
    for word in words:
        q &= Q(search_name__contains=word)
    for field in extra_exact:
        q |= Q(**{f"{field}__iexact": value.strip()})
    return q


def fold(text: str) -> str:
    """Accent- and case-insensitive form of a name, for search ("José" → "jose")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


RACE_FLAGS = ("american_indian", "asian", "black", "pacific_islander", "white")


def derive_crdc_race(*, hispanic: bool | None, two_or_more: bool | None, flags: dict[str, bool | None]) -> str:
    """REFERENCE.md §5.3: Hispanic → Hispanic; else two-or-more flag or more than one race → Two or more;
    else the single race; else not reported."""
    if hispanic:
        return CrdcRace.HISPANIC
    true_flags = [name for name in RACE_FLAGS if flags.get(name)]
    if two_or_more or len(true_flags) > 1:
        return CrdcRace.TWO_OR_MORE
    if len(true_flags) == 1:
        return CrdcRace(true_flags[0])
    return CrdcRace.UNKNOWN


def person_indexes(prefix: str, *exact: str) -> list[models.Index]:
    """Indexes for the exact-match fields of the name search (``UPPER(field) = UPPER(query)``).

    The name part of the search (``search_name LIKE '%word%'``) needs trigram indexes, which are
    PostgreSQL-only: migration 0002 adds them. There is deliberately no index matching the name ordering:
    with one, PostgreSQL walks it in name order for every filtered page (``LIMIT`` 10 or 50) and filters
    row by row, which costs 30-200 ms when the matches lie late in the alphabet (measured in
    docs/performance.md); sorting the matching rows costs a few milliseconds.
    """
    return [models.Index(Upper(field), name=f"{prefix}_{field}_upper") for field in exact]


class PersonNameMixin(models.Model):
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    #: given, preferred, middle and family names folded for search.
    search_name = models.CharField(max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def name_parts(self) -> list[str]:
        return [self.given_name, self.middle_name, self.family_name]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold(" ".join(p for p in self.name_parts() if p))
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class Student(PersonNameMixin, RecordModel):
    """A student of the district, from the roster. An education record."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Primary school.",
    )
    schools = models.ManyToManyField("organizations.School", blank=True, related_name="students")
    sourced_id = models.CharField("OneRoster sourcedId", max_length=255, blank=True)
    identifier = models.CharField("student number", max_length=255, blank=True, db_index=True)
    username = models.CharField(max_length=255, blank=True)
    preferred_given_name = models.CharField(max_length=100, blank=True)
    preferred_middle_name = models.CharField(max_length=100, blank=True)
    preferred_family_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True, db_index=True)
    grade = models.CharField(max_length=8, choices=Grade.choices, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True, help_text="Off when the roster marks the student tobedeleted.")
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    american_indian = models.BooleanField("American Indian or Alaska Native", null=True, blank=True)
    asian = models.BooleanField(null=True, blank=True)
    black = models.BooleanField("Black or African American", null=True, blank=True)
    pacific_islander = models.BooleanField("Native Hawaiian or Other Pacific Islander", null=True, blank=True)
    white = models.BooleanField(null=True, blank=True)
    two_or_more_races = models.BooleanField(null=True, blank=True)
    hispanic_latino = models.BooleanField("Hispanic or Latino", null=True, blank=True)
    crdc_race = models.CharField(
        "CRDC race/ethnicity", max_length=20, choices=CrdcRace.choices, default=CrdcRace.UNKNOWN, editable=False
    )
    idea = models.BooleanField("IDEA (disability, IEP)", default=False)
    idea_start = models.DateField("IDEA from", null=True, blank=True)
    idea_end = models.DateField("IDEA until", null=True, blank=True)
    section_504 = models.BooleanField("Section 504 only", default=False)
    section_504_start = models.DateField("Section 504 from", null=True, blank=True)
    section_504_end = models.DateField("Section 504 until", null=True, blank=True)
    english_learner = models.BooleanField("English learner", default=False)
    english_learner_start = models.DateField("English learner from", null=True, blank=True)
    english_learner_end = models.DateField("English learner until", null=True, blank=True)
    roster_modified_at = models.DateTimeField("roster dateLastModified", null=True, blank=True)
    roster_metadata = models.JSONField("roster extension columns", default=dict, blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "schools",
        "agency": "district__partnerships__agency",
    }
    restricted_fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "view_programs": (
            "idea", "idea_start", "idea_end", "section_504", "section_504_start", "section_504_end",
            "english_learner", "english_learner_start", "english_learner_end",
        ),
    }  # fmt: skip
    search_fields = ("search_name", "identifier")

    class Meta:
        ordering = ("family_name", "given_name", "pk")
        permissions = [("view_programs_student", "Can see IDEA, Section 504 and English-learner status")]
        indexes = person_indexes("student", "identifier", "sourced_id")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=Q(deleted_at__isnull=True) & ~Q(sourced_id=""),
                name="student_sourced_id_alive",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return detail_url("people:student_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        """Name or preferred name (partial, any accents), student number, or birth date."""
        born = parse_search_date(value)
        if born is not None:
            return Q(birth_date=born)
        return name_search_q(value, extra_exact=("identifier", "sourced_id"))

    @property
    def display_name(self) -> str:
        given = self.preferred_given_name or self.given_name
        family = self.preferred_family_name or self.family_name
        return f"{given} {family}".strip()

    def name_parts(self) -> list[str]:
        return [
            self.given_name,
            self.preferred_given_name,
            self.middle_name,
            self.preferred_middle_name,
            self.family_name,
            self.preferred_family_name,
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.crdc_race = derive_crdc_race(
            hispanic=self.hispanic_latino,
            two_or_more=self.two_or_more_races,
            flags={name: getattr(self, name) for name in RACE_FLAGS},
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "crdc_race"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        for flag in ("idea", "section_504", "english_learner"):
            start, end = getattr(self, f"{flag}_start"), getattr(self, f"{flag}_end")
            if start and end and end < start:
                raise ValidationError({f"{flag}_end": "The end date is before the start date."})
        if self.idea and self.section_504:
            raise ValidationError({"section_504": "“Section 504 only” excludes IDEA: a student has one or the other."})
        if self.school_id and self.district_id:
            from srodesk.organizations.models import School

            if not School.objects.filter(pk=self.school_id, district_id=self.district_id).exists():
                raise ValidationError({"school": "The school is not in the student's district."})


class StaffMember(PersonNameMixin, RecordModel):
    """A district employee from the roster (teacher, counselor, principal …). An HR record."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    schools = models.ManyToManyField("organizations.School", blank=True, related_name="staff_members")
    sourced_id = models.CharField("OneRoster sourcedId", max_length=255, blank=True)
    identifier = models.CharField("employee number", max_length=255, blank=True, db_index=True)
    role = models.CharField(max_length=32, choices=StaffRole.choices, default=StaffRole.TEACHER)
    title = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
        help_text="The SRO Desk account of this person, if any.",
    )
    roster_modified_at = models.DateTimeField("roster dateLastModified", null=True, blank=True)
    roster_metadata = models.JSONField("roster extension columns", default=dict, blank=True)

    record_class: ClassVar[str] = RecordClass.HR
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "schools",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("search_name", "identifier", "email")

    class Meta:
        ordering = ("family_name", "given_name", "pk")
        verbose_name = "staff member"
        indexes = person_indexes("staff", "identifier", "email")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=Q(deleted_at__isnull=True) & ~Q(sourced_id=""),
                name="staff_sourced_id_alive",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return detail_url("people:staffmember_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        return name_search_q(value, extra_exact=("identifier", "email"))


class Guardian(PersonNameMixin, RecordModel):
    """A parent, guardian or relative of students (OneRoster agents): whom to reach and release to."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    students = models.ManyToManyField(Student, blank=True, related_name="guardians")
    sourced_id = models.CharField("OneRoster sourcedId", max_length=255, blank=True)
    relationship = models.CharField(
        max_length=16, choices=GuardianRelationship.choices, default=GuardianRelationship.PARENT
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    sms = models.CharField("SMS number", max_length=40, blank=True)
    active = models.BooleanField(default=True)
    roster_modified_at = models.DateTimeField("roster dateLastModified", null=True, blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "students__schools",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("search_name", "phone", "email")

    class Meta:
        ordering = ("family_name", "given_name", "pk")
        indexes = person_indexes("guardian", "phone", "email")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "sourced_id"],
                condition=Q(deleted_at__isnull=True) & ~Q(sourced_id=""),
                name="guardian_sourced_id_alive",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return detail_url("people:guardian_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        return name_search_q(value, extra_exact=("phone", "email"))


class OtherPerson(PersonNameMixin, RecordModel):
    """Someone who is not in the roster (visitor, suspect, witness …), with minimal fields.

    Recorded by officers for their reports: a law-enforcement record.
    """

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=OtherPersonKind.choices, default=OtherPersonKind.OTHER)
    birth_date = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, help_text="Height, build, clothing, identifying marks.")

    record_class: ClassVar[str] = RecordClass.LAW_ENFORCEMENT
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "school", "agency": "agency"}
    search_fields = ("search_name", "phone")

    class Meta:
        ordering = ("family_name", "given_name", "pk")
        verbose_name = "other person"
        indexes = person_indexes("otherperson", "phone")
        verbose_name_plural = "other persons"

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return detail_url("people:otherperson_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        born = parse_search_date(value)
        if born is not None:
            return Q(birth_date=born)
        return name_search_q(value, extra_exact=("phone",))


class Vehicle(RecordModel):
    """A vehicle seen on or near campus, with its owner when known."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plate = models.CharField("licence plate", max_length=12)
    plate_state = models.CharField(max_length=2, blank=True)
    make = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    colour = models.CharField(max_length=30, blank=True)
    owner_student = models.ForeignKey(Student, null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles")
    owner_staff = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles"
    )
    owner_other = models.ForeignKey(
        OtherPerson, null=True, blank=True, on_delete=models.PROTECT, related_name="vehicles"
    )
    #: the plate without spaces or dashes, upper case, for look-up.
    plate_normalized = models.CharField(max_length=12, editable=False, db_index=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "school",
        "agency": "district__partnerships__agency",
    }
    # Owners are named: only roles granted vehicles by name see them, not every operational role.
    class_grant_actions: ClassVar[frozenset[str] | None] = frozenset()
    search_fields = ("plate_normalized",)

    class Meta:
        ordering = ("plate_normalized", "pk")

    def __str__(self) -> str:
        desc = " ".join(p for p in (self.colour, self.make, self.model) if p)
        return f"{self.plate}{' ' + self.plate_state if self.plate_state else ''}{' – ' + desc if desc else ''}"

    def get_absolute_url(self) -> str:
        return detail_url("people:vehicle_detail", self.pk)

    @classmethod
    def search_q(cls, value: str) -> Q:
        plate = cls.normalize_plate(value)
        return Q(plate_normalized__contains=plate) if plate else Q(pk__in=[])

    @staticmethod
    def normalize_plate(plate: str) -> str:
        return "".join(c for c in plate.upper() if c.isalnum())

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.plate_normalized = self.normalize_plate(self.plate)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "plate_normalized"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if not self.normalize_plate(self.plate):
            raise ValidationError({"plate": "Enter the plate's letters and digits."})
        owners = [o for o in (self.owner_student_id, self.owner_staff_id, self.owner_other_id) if o]
        if len(owners) > 1:
            raise ValidationError("A vehicle has one owner: a student, a staff member or another person.")


class Disclosure(RecordModel):
    """One disclosure of personal information from a student's education records (34 CFR 99.32).

    Written only by ``services.disclose``; append-only (never edited, never deleted by a user), and
    kept for as long as the student's record is kept. Parents and eligible students may inspect it.
    """

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_at = models.DateTimeField()
    recipient_name = models.CharField("recipient (person)", max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_kind = models.CharField(max_length=20, choices=RecipientKind.choices)
    requested_by = models.CharField(
        "requested by", max_length=200, blank=True, help_text="Who asked, if not the recipient."
    )
    basis = models.CharField("legal basis", max_length=20, choices=DisclosureBasis.choices)
    legitimate_interest = models.TextField(help_text="Why the recipient needs it: the interest the exception serves.")
    records_disclosed = models.TextField(help_text="What was disclosed: records, fields, documents.")
    threat_description = models.TextField(
        blank=True, help_text="Required for a health or safety emergency: the articulable and significant threat."
    )
    court_order_reference = models.CharField(max_length=200, blank=True)
    parent_notified_on = models.DateField(
        null=True, blank=True, help_text="Subpoena or court order: when the parent was notified in advance."
    )
    redisclosure_allowed = models.BooleanField(
        default=False, help_text="Whether the recipient may redisclose (99.33); they are told otherwise."
    )
    redisclosure_note = models.TextField(blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {
        "district": "district",
        "school": "student__schools",
        "agency": "district__partnerships__agency",
    }
    search_fields = ("recipient_name", "recipient_organization", "student__search_name")
    # Append-only: a record-class grant never reaches change or delete.
    class_grant_actions: ClassVar[frozenset[str] | None] = frozenset({"view", "add", "export"})

    class Meta:
        ordering = ("-disclosed_at", "-pk")

    def __str__(self) -> str:
        return f"{self.disclosed_at:%Y-%m-%d} to {self.recipient_organization or self.recipient_name}"

    def get_absolute_url(self) -> str:
        return detail_url("people:disclosure_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if not self.basis:
            errors["basis"] = "A disclosure needs its legal basis."
        if self.basis == DisclosureBasis.EMERGENCY and not self.threat_description.strip():
            errors["threat_description"] = (
                "A health or safety emergency disclosure must state the articulable and significant threat."
            )
        if self.basis == DisclosureBasis.SUBPOENA and not self.court_order_reference.strip():
            errors["court_order_reference"] = "Give the subpoena or court order's reference."
        if errors:
            raise ValidationError(errors)


class RosterImport(RecordModel):
    """One OneRoster import run: the files, what it found, what it changed or would change."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    dry_run = models.BooleanField(default=False)
    source_name = models.CharField(max_length=255, help_text="The uploaded file or folder name.")
    source_path = models.CharField(max_length=500, blank=True, editable=False)
    oneroster_version = models.CharField(max_length=8, blank=True)
    mode = models.CharField(max_length=8, blank=True, help_text="bulk or delta")
    checksums = models.JSONField(default=dict, blank=True, help_text="SHA-256 of each file read.")
    summary = models.JSONField(
        default=dict, blank=True, help_text="Per file: created, updated, deactivated, unchanged."
    )
    errors = models.JSONField(default=list, blank=True, help_text="Each error: file, row, column, value, reason.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_stage = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": None, "agency": None}
    # Importing rosters is district administration: only named grants, never a record-class grant.
    class_grant_actions: ClassVar[frozenset[str] | None] = frozenset()

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Roster import #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return detail_url("people:rosterimport_detail", self.pk)

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED) else 0
        return min(100, int(100 * self.progress_done / self.progress_total))
