"""Law-enforcement unit records: incidents with offenses, persons, property and arrests; searches, use of force,
pursuits, evidence with its custody chain; and the one education record an officer writes here, the discipline
referral to a school administrator.

Law-enforcement records are seen by agency roles in their scope. A school sees an incident only after an
officer shares it with that school (:class:`IncidentShare`, a logged disclosure); ``shared_scope_paths`` tells
the policy engine how a row reaches the schools it was shared with.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q

from srodesk.core.links import detail_url
from srodesk.core.models import RecordClass, RecordModel, ScopedRecordModel

from .choices import (
    LOCKED_STATUSES,
    OFFICER_SEARCH_BASES,
    ArrestOutcome,
    AttemptedCompleted,
    CustodyAction,
    DiversionOutcome,
    EvidenceCategory,
    EvidenceStatus,
    ForceKind,
    IncidentSource,
    IncidentStatus,
    PersonRole,
    ReferralStatus,
    SchoolRelation,
    SearchBasis,
    SearchConductor,
    SearchSubject,
)
from .nibrs import codes

LE_SCOPE: dict[str, str | None] = {"district": "district", "school": "school", "agency": "agency"}
SHARED_SCOPE: dict[str, str | None] = {"school": "incidentshare__school"}


def _incident_scope(prefix: str = "incident") -> dict[str, str | None]:
    return {"district": f"{prefix}__district", "school": f"{prefix}__school", "agency": f"{prefix}__agency"}


def _incident_shared(prefix: str = "incident") -> dict[str, str | None]:
    return {"school": f"{prefix}__incidentshare__school"}


def next_number(model: type[models.Model], agency_id: int, when: Any, pattern: str) -> str:
    """The next agency-unique number of the year (``2026-000123``): the agency row is locked until commit."""
    from django.utils import timezone

    from srodesk.organizations.models import Agency

    year = (when or timezone.now()).year
    Agency.objects.select_for_update().filter(pk=agency_id).values_list("pk", flat=True).first()
    prefix = pattern.format(year=year, n=0)[:-6]
    last = (
        model._default_manager.filter(agency_id=agency_id, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    n = int(last[len(prefix) :]) + 1 if last else 1
    return pattern.format(year=year, n=n)


def incident_upload_to(instance: Any, filename: str) -> str:
    return f"incidents/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class LawEnforcementRecord(ScopedRecordModel):
    """A record of the agency's law-enforcement unit, placed in a district, a school and an agency.

    The district and school (and the check that the school is in the district) come from ScopedRecordModel.
    """

    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")

    record_class: ClassVar[str] = RecordClass.LAW_ENFORCEMENT
    scope_paths: ClassVar[dict[str, str | None]] = LE_SCOPE

    class Meta:
        abstract = True


class Incident(LawEnforcementRecord):
    """An incident report: what happened, where, how it came to the officer, and its review."""

    number = models.CharField(
        "incident number", max_length=12, blank=True, help_text="Agency-unique, e.g. 2026-000123; set on save."
    )
    nibrs_version = models.CharField("NIBRS version", max_length=10, default=codes.CURRENT_VERSION, editable=False)
    title = models.CharField(max_length=200, help_text="One line, e.g. 'Fight in the east stairwell'.")
    location_type = models.CharField("NIBRS location type", max_length=2, choices=codes.location_choices, default="53")
    school_relation = models.CharField(
        "where, relative to the school", max_length=16, choices=SchoolRelation.choices, default="on_grounds"
    )
    location_detail = models.CharField("location", max_length=200, blank=True, help_text="Room, area or address.")
    occurred_at = models.DateTimeField("occurred at", null=True, blank=True)
    occurred_until = models.DateTimeField("until", null=True, blank=True)
    reported_at = models.DateTimeField(
        "reported at", null=True, blank=True, help_text="When the time of occurrence is unknown: the report date."
    )
    source = models.CharField("how it came to the officer", max_length=16, choices=IncidentSource.choices)
    referred_by = models.CharField(
        "referring school official", max_length=200, blank=True, help_text="For a school-official referral."
    )
    narrative = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=IncidentStatus.choices, default="draft", editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Reporting officer.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    review_comment = models.TextField(blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cleared_exceptionally = models.CharField(
        "cleared exceptionally", max_length=1, choices=codes.clearance_choices, default="N"
    )
    exceptional_clearance_date = models.DateField(null=True, blank=True)
    cargo_theft = models.BooleanField(null=True, blank=True)
    #: Bumped by every approval; the NIBRS export sends R when an exported incident's version grew.
    version = models.PositiveIntegerField(default=0, editable=False)
    voided_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Voided reports are exported with action D."
    )
    void_reason = models.TextField(blank=True, editable=False)

    search_fields = ("number", "title")
    shared_scope_paths: ClassVar[dict[str, str | None]] = SHARED_SCOPE

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], condition=~Q(number=""), name="incident_number_per_agency"
            )
        ]
        indexes = [models.Index(fields=["agency", "status"], name="incident_agency_status")]

    def __str__(self) -> str:
        return f"{self.number or 'Draft'} – {self.title}"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:incident_detail", self.pk)

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES

    @property
    def when(self) -> Any:
        return self.occurred_at or self.reported_at

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.number or self.agency_id is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            self.number = next_number(Incident, self.agency_id, self.when, "{year}-{n:06d}")
            super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.occurred_at is None and self.reported_at is None:
            raise ValidationError({"occurred_at": "Enter when it occurred, or the report date if that is unknown."})
        if self.occurred_at and self.occurred_until and self.occurred_until < self.occurred_at:
            raise ValidationError({"occurred_until": "The end is before the start."})
        if self.cleared_exceptionally not in ("", "N") and self.exceptional_clearance_date is None:
            raise ValidationError(
                {"exceptional_clearance_date": "Required when the incident is cleared exceptionally."}
            )


class IncidentChild(RecordModel):
    """A part of an incident: scoped and shared through it, locked with it."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT)

    record_class: ClassVar[str] = RecordClass.LAW_ENFORCEMENT
    scope_paths: ClassVar[dict[str, str | None]] = _incident_scope()
    shared_scope_paths: ClassVar[dict[str, str | None]] = _incident_shared()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return f"{self.incident.get_absolute_url()}#{self._meta.model_name}-{self.pk}"


class Offense(IncidentChild):
    """One UCR offense of the incident (NIBRS offense segment, data elements 6–13)."""

    ucr_code = models.CharField("UCR offense", max_length=3, choices=codes.offense_choices)
    attempted_completed = models.CharField(max_length=1, choices=AttemptedCompleted.choices, default="C")
    offender_suspected_of_using = models.JSONField(
        default=list, blank=True, help_text="Codes A alcohol, C computer, D drugs, N not applicable."
    )
    bias_motivations = models.JSONField(default=list, blank=True, help_text="Up to five bias-motivation codes.")
    location_type = models.CharField(
        "location type", max_length=2, choices=codes.location_choices, blank=True, help_text="Blank = the incident's."
    )
    premises_entered = models.PositiveSmallIntegerField(null=True, blank=True)
    method_of_entry = models.CharField(max_length=1, choices=codes.method_of_entry_choices, blank=True)
    criminal_activities = models.JSONField(default=list, blank=True, help_text="Up to three criminal-activity codes.")
    weapons_force = models.JSONField(default=list, blank=True, help_text="Up to three weapon/force codes.")

    class Meta:
        ordering = ("incident", "pk")

    def __str__(self) -> str:
        return f"{self.ucr_code} {codes.label('OffenseCode', self.ucr_code)}"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)


class InvolvedPerson(IncidentChild):
    """A person in the incident, as the officer recorded them (NIBRS victim/offender/arrestee descriptors).

    Linked to the roster student, staff member or other person when known; the NIBRS age, sex, race and
    ethnicity are what the officer recorded, never copied from the roster.
    """

    role = models.CharField(max_length=16, choices=PersonRole.choices)
    sequence_number = models.PositiveSmallIntegerField(
        default=1, help_text="Victim, offender or arrestee sequence number within the incident."
    )
    student = models.ForeignKey("people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    staff_member = models.ForeignKey(
        "people.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_person = models.ForeignKey(
        "people.OtherPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True, help_text="When not linked to a person record.")
    victim_type = models.CharField(
        "victim type", max_length=1, choices=codes.victim_type_choices, blank=True, help_text="Victims only."
    )
    age_code = models.CharField(
        "NIBRS age",
        max_length=4,
        blank=True,
        help_text="01–98, 99 = over 98, 00 = unknown, NN/NB/BB for infants; a range as 1517.",
    )
    sex = models.CharField(max_length=1, choices=codes.sex_choices, blank=True)
    race = models.CharField(max_length=1, choices=codes.race_choices, blank=True)
    ethnicity = models.CharField(max_length=1, choices=codes.ethnicity_choices, blank=True)
    resident_status = models.CharField(max_length=1, choices=codes.resident_choices, blank=True)
    injuries = models.JSONField(default=list, blank=True, help_text="Injury codes (victims).")
    assault_circumstances = models.JSONField(default=list, blank=True)
    offenses = models.ManyToManyField(Offense, blank=True, related_name="victims", help_text="Victim of these.")
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_address = models.CharField(max_length=200, blank=True)
    statement = models.TextField(blank=True)

    class Meta:
        ordering = ("incident", "role", "sequence_number", "pk")
        verbose_name = "involved person"

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.sequence_number}: {self.display_name}"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)

    @property
    def display_name(self) -> str:
        for linked in (self.student, self.staff_member, self.other_person):
            if linked is not None:
                return str(getattr(linked, "full_name", linked))
        return self.name or "Unknown"

    def clean(self) -> None:
        super().clean()
        linked = [x for x in (self.student_id, self.staff_member_id, self.other_person_id) if x is not None]
        if len(linked) > 1:
            raise ValidationError("Link a student, a staff member or an other person — not more than one.")


class VictimOffenderRelationship(IncidentChild):
    victim = models.ForeignKey(InvolvedPerson, on_delete=models.CASCADE, related_name="relationships")
    offender = models.ForeignKey(InvolvedPerson, on_delete=models.CASCADE, related_name="+")
    relationship = models.CharField(max_length=40, choices=codes.relationship_choices)

    class Meta:
        ordering = ("incident", "pk")

    def __str__(self) -> str:
        return f"{self.victim} → {self.offender}: {self.relationship}"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)


class Property(IncidentChild):
    """A property item for a property, kidnapping, gambling or drug offense (NIBRS property segment)."""

    offense = models.ForeignKey(Offense, null=True, blank=True, on_delete=models.PROTECT, related_name="property")
    loss_type = models.CharField("type of loss", max_length=32, choices=codes.loss_type_choices)
    description_code = models.CharField(
        "property description", max_length=2, choices=codes.property_description_choices, blank=True
    )
    description = models.CharField(max_length=200, blank=True)
    value = models.PositiveIntegerField("value (whole dollars)", null=True, blank=True)
    recovered_on = models.DateField(null=True, blank=True)
    drug_type = models.CharField(max_length=2, choices=codes.drug_choices, blank=True)
    drug_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    drug_measure = models.CharField(max_length=2, choices=codes.drug_measure_choices, blank=True)

    class Meta:
        ordering = ("incident", "pk")
        verbose_name_plural = "property"

    def __str__(self) -> str:
        return self.description or self.get_description_code_display() or "Property"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)


class Arrest(IncidentChild):
    """An arrest, citation (arrest type S) or custody, with what followed: juvenile court, diversion …"""

    arrestee = models.ForeignKey(InvolvedPerson, on_delete=models.PROTECT, related_name="arrests")
    student = models.ForeignKey(
        "people.Student",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="From the arrestee, for accountability reports.",
    )
    transaction_number = models.CharField("arrest transaction number", max_length=12, blank=True)
    arrest_date = models.DateField()
    arrest_type = models.CharField("type of arrest", max_length=1, choices=codes.arrest_type_choices)
    multiple_arrestee = models.CharField(
        "multiple arrestee segments", max_length=1, choices=codes.multiple_arrestee_choices, default="N"
    )
    arrest_offense = models.CharField("arrest offense", max_length=3, choices=codes.offense_choices)
    armed_with = models.JSONField(default=list, blank=True, help_text="Up to two 'armed with' codes.")
    juvenile_disposition = models.CharField(
        "disposition under 18", max_length=1, choices=codes.juvenile_disposition_choices, blank=True
    )
    outcome = models.CharField(max_length=20, choices=ArrestOutcome.choices, blank=True)
    diversion_program = models.CharField("diversion programme", max_length=200, blank=True)
    diversion_outcome = models.CharField(max_length=12, choices=DiversionOutcome.choices, blank=True)
    court_case_number = models.CharField(max_length=60, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ("incident", "arrest_date", "pk")

    def __str__(self) -> str:
        return f"{self.get_arrest_type_display()} {self.arrest_date} ({self.arrest_offense})"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.arrestee_id is not None:
            self.student_id = InvolvedPerson.objects.filter(pk=self.arrestee_id).values_list("student_id", flat=True)[0]
        super().save(*args, **kwargs)


class UseOfForce(IncidentChild):
    """Use of force, restraint or seclusion by the officer."""

    subject = models.ForeignKey(InvolvedPerson, on_delete=models.PROTECT, related_name="force_reports")
    student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=ForceKind.choices)
    methods = models.JSONField(default=list, help_text="Methods used (see the form's list).")
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(help_text="The threat or behaviour that required it.")
    de_escalation = models.TextField("de-escalation tried", blank=True)
    subject_injured = models.BooleanField(default=False)
    officer_injured = models.BooleanField(default=False)
    medical_attention = models.BooleanField(default=False)
    parent_notified_at = models.DateTimeField(null=True, blank=True)
    supervisor_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("incident", "occurred_at", "pk")
        verbose_name = "use of force"
        verbose_name_plural = "uses of force"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return detail_url(f"incidents:{self._meta.model_name}_detail", self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.subject_id is not None:
            self.student_id = InvolvedPerson.objects.filter(pk=self.subject_id).values_list("student_id", flat=True)[0]
        super().save(*args, **kwargs)


class Supplement(IncidentChild):
    """A dated addition to an approved (locked) report."""

    written_at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    narrative = models.TextField()

    class Meta:
        ordering = ("incident", "written_at", "pk")

    get_absolute_url = IncidentChild.get_absolute_url

    def __str__(self) -> str:
        return f"Supplement {self.written_at:%Y-%m-%d %H:%M}"


class IncidentVersion(models.Model):
    """A frozen copy of the report (incident and parts) at each submission and approval; every one stays readable."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=20)
    snapshot = models.JSONField()

    class Meta:
        ordering = ("incident", "number")
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="incident_version_number")]

    def __str__(self) -> str:
        return f"{self.incident} v{self.number}"


class Attachment(IncidentChild):
    """A file attached to an incident, stored under its SHA-256."""

    file = models.FileField(upload_to=incident_upload_to)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("incident", "pk")

    get_absolute_url = IncidentChild.get_absolute_url

    def __str__(self) -> str:
        return self.name


class IncidentShare(IncidentChild):
    """The explicit, logged act that lets a school's education roles see an incident (revoked by deleting it)."""

    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="incident_shares")
    reason = models.TextField(help_text="Why the school needs it (e.g. discipline hearing, safety plan).")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("incident", "-shared_at", "pk")

    get_absolute_url = IncidentChild.get_absolute_url

    def __str__(self) -> str:
        return f"{self.incident} shared with {self.school}"


class Search(LawEnforcementRecord):
    """A search of a person, bag, locker, vehicle or phone, with its legal basis."""

    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="searches")
    student = models.ForeignKey("people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    other_person = models.ForeignKey(
        "people.OtherPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    subject = models.CharField("what was searched", max_length=10, choices=SearchSubject.choices)
    legal_basis = models.CharField(max_length=20, choices=SearchBasis.choices)
    warrant_number = models.CharField(max_length=60, blank=True)
    conducted_by = models.CharField(max_length=16, choices=SearchConductor.choices)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_official = models.CharField(max_length=200, blank=True)
    reason = models.TextField("reason for the search")
    justification = models.TextField(
        "written justification",
        blank=True,
        help_text="Required when the officer searched without probable cause, warrant, consent or exigency.",
    )
    found = models.TextField("what was found", blank=True)
    anything_found = models.BooleanField(default=False)
    flagged = models.BooleanField(default=False, editable=False, help_text="Needs supervisor review.")
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    shared_scope_paths: ClassVar[dict[str, str | None]] = {"school": "incident__incidentshare__school"}

    class Meta:
        ordering = ("-occurred_at", "-pk")
        verbose_name_plural = "searches"

    def __str__(self) -> str:
        return f"Search of {self.get_subject_display().lower()} {self.occurred_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:search_detail", self.pk)

    @property
    def needs_justification(self) -> bool:
        return self.conducted_by != SearchConductor.SCHOOL_OFFICIAL and self.legal_basis not in OFFICER_SEARCH_BASES

    def clean(self) -> None:
        super().clean()
        if self.legal_basis == SearchBasis.WARRANT and not self.warrant_number.strip():
            raise ValidationError({"warrant_number": "Enter the warrant number."})
        if self.needs_justification and not self.justification.strip():
            raise ValidationError(
                {
                    "justification": "An officer's search without probable cause, a warrant, consent or exigency "
                    "needs a written justification."
                }
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.flagged = self.needs_justification
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "flagged"}
        super().save(*args, **kwargs)


class EvidenceItem(LawEnforcementRecord):
    """Evidence, contraband or found property, with its chain of custody."""

    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence")
    number = models.CharField("item number", max_length=16, blank=True, help_text="Agency-unique; set on save.")
    category = models.CharField(max_length=16, choices=EvidenceCategory.choices, default="evidence")
    description = models.TextField()
    where_found = models.CharField(max_length=200, blank=True)
    found_on_student = models.ForeignKey(
        "people.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="from student"
    )
    found_on_other = models.ForeignKey(
        "people.OtherPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="from"
    )
    collected_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=EvidenceStatus.choices, default="in_custody", editable=False)
    current_location = models.CharField(max_length=200, blank=True, editable=False)

    shared_scope_paths: ClassVar[dict[str, str | None]] = {"school": "incident__incidentshare__school"}
    search_fields = ("number", "description")

    class Meta:
        ordering = ("-collected_at", "-pk")
        verbose_name = "evidence item"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], condition=~Q(number=""), name="evidence_number_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number or 'Item'} – {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:evidenceitem_detail", self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.number or self.agency_id is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            self.number = next_number(EvidenceItem, self.agency_id, self.collected_at, "E{year}-{n:06d}")
            super().save(*args, **kwargs)


class EvidencePhoto(models.Model):
    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to=incident_upload_to)
    sha256 = models.CharField("SHA-256", max_length=64)
    caption = models.CharField(max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("item", "pk")

    def __str__(self) -> str:
        return self.caption or self.file.name


class CustodyEvent(models.Model):
    """One link of an item's chain of custody. Append-only; each row hashes the previous row's hash."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.PROTECT, related_name="custody_events")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=12, choices=CustodyAction.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    from_party = models.CharField("from", max_length=200, blank=True)
    to_party = models.CharField("to", max_length=200, blank=True)
    location = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    #: The columns the hash covers, in order.
    HASHED_FIELDS: ClassVar[tuple[str, ...]] = (
        "item_id",
        "sequence",
        "action",
        "at",
        "by_id",
        "from_party",
        "to_party",
        "location",
        "reason",
        "prev_hash",
    )

    class Meta:
        ordering = ("item", "sequence")
        constraints = [models.UniqueConstraint(fields=["item", "sequence"], name="custody_sequence_per_item")]

    def __str__(self) -> str:
        return f"{self.item} #{self.sequence} {self.get_action_display()}"


class Pursuit(LawEnforcementRecord):
    """A pursuit; one that leaves district property needs a recorded threat to the school's safety, or is flagged."""

    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="pursuits")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    on_foot = models.BooleanField("on foot", default=False)
    start_location = models.CharField(max_length=200)
    end_location = models.CharField(max_length=200, blank=True)
    left_district_property = models.BooleanField(default=False)
    threat_to_school = models.TextField(
        "threat to the school's safety", blank=True, help_text="Why leaving district property was necessary."
    )
    outcome = models.TextField(blank=True)
    flagged = models.BooleanField(default=False, editable=False)

    shared_scope_paths: ClassVar[dict[str, str | None]] = {"school": "incident__incidentshare__school"}

    class Meta:
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return f"Pursuit {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:pursuit_detail", self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.flagged = self.left_district_property and not self.threat_to_school.strip()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "flagged"}
        super().save(*args, **kwargs)


class DisciplineReferral(RecordModel):
    """A school-rule matter the officer refers to an administrator: an education record the school owns."""

    district = models.ForeignKey("organizations.District", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("organizations.School", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("people.Student", on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    behaviour = models.CharField(max_length=200, help_text="The school rule involved, in the code of conduct's words.")
    description = models.TextField()
    referred_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The administrator.",
    )
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default="open")
    administrator_response = models.TextField(blank=True)

    record_class: ClassVar[str] = RecordClass.EDUCATION
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "school", "agency": None}
    search_fields = ("behaviour",)

    class Meta:
        ordering = ("-occurred_at", "-pk")

    def __str__(self) -> str:
        return f"{self.behaviour} ({self.occurred_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return detail_url("incidents:disciplinereferral_detail", self.pk)

    def clean(self) -> None:
        super().clean()
        if self.school_id and self.district_id:
            from srodesk.organizations.models import School

            if not School.objects.filter(pk=self.school_id, district_id=self.district_id).exists():
                raise ValidationError({"school": "The school is not in the record's district."})


class NibrsSubmission(models.Model):
    """One NIBRS file produced for an agency and month, with what it contained."""

    agency = models.ForeignKey("organizations.Agency", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="First day of the reported month.")
    format = models.CharField(max_length=4, choices=[("xml", "XML (IEPD 2019.1)"), ("flat", "Flat file")])
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField("SHA-256", max_length=64)
    report_count = models.PositiveIntegerField(default=0)
    #: Marks the reports as sent: later changes are then exported as R (replace), voids as D.
    final = models.BooleanField(default=False, help_text="Submitted to the state program (not a preview).")
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"NIBRS {self.agency_id} {self.month:%Y-%m} ({self.format})"


class NibrsReportState(models.Model):
    """The last version of an incident sent to the state program, deciding the next action (I, R or D)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="nibrs_state")
    submission = models.ForeignKey(NibrsSubmission, on_delete=models.PROTECT, related_name="+")
    version_sent = models.PositiveIntegerField()
    action_sent = models.CharField(max_length=1)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.incident} v{self.version_sent} {self.action_sent}"


class CasePacket(models.Model):
    """A case packet PDF for court or a hearing, generated by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Generating"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="packets")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=200, help_text="e.g. 'Juvenile court hearing 2026-12-14'.")
    minors_by_initials = models.BooleanField("show minors by initials", default=True)
    hide_victim_contact = models.BooleanField("hide victim contact details", default=True)
    status = models.CharField(max_length=8, choices=Status.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent.")
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="packets/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    page_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-requested_at", "-pk")

    def __str__(self) -> str:
        return f"Case packet {self.incident} ({self.requested_at:%Y-%m-%d})"
