"""Local choice lists of law-enforcement records (NIBRS codes come from nibrs/codes.py)."""

from django.db import models


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned with comments"
    APPROVED = "approved", "Approved"
    CLOSED = "closed", "Closed"


#: Statuses in which the report itself is locked: later facts go into supplements.
LOCKED_STATUSES = frozenset({IncidentStatus.APPROVED, IncidentStatus.CLOSED})


class SchoolRelation(models.TextChoices):
    """Where the incident was relative to the school: the CRDC "school-related" flags."""

    ON_GROUNDS = "on_grounds", "On school grounds"
    ADJACENT = "adjacent", "Adjacent to school grounds"
    SCHOOL_EVENT = "school_event", "At a school-sponsored event off campus"
    TRANSPORTATION = "transportation", "On school transportation"
    ONLINE = "online", "Online (school-related)"
    OFF_CAMPUS = "off_campus", "Off campus, not school-related"


#: Relations that make an arrest or referral "school-related" for CRDC.
SCHOOL_RELATED = frozenset(
    {SchoolRelation.ON_GROUNDS, SchoolRelation.SCHOOL_EVENT, SchoolRelation.TRANSPORTATION, SchoolRelation.ADJACENT}
)


class IncidentSource(models.TextChoices):
    """How the incident came to the officer. School-official referral is CRDC's "referral to law enforcement"."""

    ON_VIEW = "on_view", "On-view (officer saw it)"
    CALL = "call", "Call for service / dispatch"
    SCHOOL_REFERRAL = "school_referral", "Referral by a school official"
    TIP = "tip", "Tip (anonymous or named)"
    OTHER_AGENCY = "other_agency", "Other agency"
    WALK_IN = "walk_in", "Walk-in report"


class AttemptedCompleted(models.TextChoices):
    ATTEMPTED = "A", "Attempted"
    COMPLETED = "C", "Completed"


class PersonRole(models.TextChoices):
    VICTIM = "victim", "Victim"
    OFFENDER = "offender", "Offender"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"
    REPORTING_PARTY = "reporting_party", "Reporting party"
    ARRESTEE = "arrestee", "Arrestee"


class ArrestOutcome(models.TextChoices):
    """What followed the arrest or citation."""

    NONE = "", "—"
    RELEASED_TO_PARENT = "released_to_parent", "Released to parent/guardian"
    JUVENILE_COURT = "juvenile_court", "Referred to juvenile court"
    DIVERSION = "diversion", "Diversion programme"
    PROSECUTOR = "prosecutor", "Referred to prosecutor"
    DETENTION = "detention", "Juvenile detention"
    JAIL = "jail", "Adult jail"


class DiversionOutcome(models.TextChoices):
    PENDING = "", "Pending"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Not completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ForceKind(models.TextChoices):
    FORCE = "force", "Use of force"
    RESTRAINT = "restraint", "Restraint"
    SECLUSION = "seclusion", "Seclusion"


class ForceMethod(models.TextChoices):
    """Per-record methods (stored as a list)."""

    PHYSICAL_ESCORT = "physical_escort", "Physical escort"
    PHYSICAL_RESTRAINT = "physical_restraint", "Physical restraint (hold)"
    TAKEDOWN = "takedown", "Takedown"
    HANDCUFFS = "handcuffs", "Handcuffs"
    OTHER_MECHANICAL = "mechanical", "Other mechanical restraint"
    CHEMICAL = "chemical", "Chemical agent (OC spray)"
    ELECTRONIC = "electronic", "Conducted energy device"
    IMPACT = "impact", "Impact weapon"
    FIREARM_POINTED = "firearm_pointed", "Firearm pointed"
    FIREARM_DISCHARGED = "firearm_discharged", "Firearm discharged"
    OTHER = "other", "Other"


class SearchSubject(models.TextChoices):
    PERSON = "person", "Person"
    BAG = "bag", "Bag / backpack"
    LOCKER = "locker", "Locker"
    VEHICLE = "vehicle", "Vehicle"
    PHONE = "phone", "Phone / electronic device"
    DESK = "desk", "Desk / other school property"


class SearchBasis(models.TextChoices):
    CONSENT = "consent", "Consent"
    REASONABLE_SUSPICION = "reasonable_suspicion", "Reasonable suspicion (school official)"
    PROBABLE_CAUSE = "probable_cause", "Probable cause"
    WARRANT = "warrant", "Warrant"
    EXIGENCY = "exigency", "Exigent circumstances"
    INCIDENT_TO_ARREST = "incident_to_arrest", "Incident to arrest"


#: Bases on which an officer's search stands without further written justification.
OFFICER_SEARCH_BASES = frozenset(
    {
        SearchBasis.PROBABLE_CAUSE,
        SearchBasis.WARRANT,
        SearchBasis.CONSENT,
        SearchBasis.EXIGENCY,
        SearchBasis.INCIDENT_TO_ARREST,
    }
)


class SearchConductor(models.TextChoices):
    SCHOOL_OFFICIAL = "school_official", "School official"
    SRO = "sro", "SRO"
    BOTH = "both", "School official and SRO"


class EvidenceCategory(models.TextChoices):
    EVIDENCE = "evidence", "Evidence"
    CONTRABAND = "contraband", "Contraband"
    FOUND_PROPERTY = "found_property", "Found property"
    SAFEKEEPING = "safekeeping", "Safekeeping"


class CustodyAction(models.TextChoices):
    COLLECTED = "collected", "Collected"
    TRANSFERRED = "transferred", "Transferred"
    STORED = "stored", "Stored"
    CHECKED_OUT = "checked_out", "Checked out"
    CHECKED_IN = "checked_in", "Checked in"
    RELEASED = "released", "Released to owner"
    DESTROYED = "destroyed", "Destroyed"


class EvidenceStatus(models.TextChoices):
    IN_CUSTODY = "in_custody", "In custody"
    CHECKED_OUT = "checked_out", "Checked out"
    RELEASED = "released", "Released"
    DESTROYED = "destroyed", "Destroyed"


class ReferralStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the administrator"
    RESOLVED = "resolved", "Resolved by the school"
