"""Vocabularies of the Standard Reunification Method (REFERENCE.md §4.2)."""

from django.db import models


class EventStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class StudentStatus(models.TextChoices):
    """Where an expected student stands in the reunification."""

    WAITING = "waiting", "Waiting"
    CARD_STARTED = "card_started", "Card started"
    CHECKED = "checked", "Checked"
    RELEASED = "released", "Released"
    EXCEPTION = "exception", "Exception"
    HANDED_OVER = "handed_over", "Handed over (EMS, law enforcement)"


#: Statuses of a student who has left the site: everything else is "not yet released".
GONE = frozenset({StudentStatus.RELEASED, StudentStatus.HANDED_OVER})


class CardStatus(models.TextChoices):
    """The steps of one reunification card: greeter → checker → runner → release."""

    ISSUED = "issued", "Issued (greeter)"
    CHECKED = "checked", "Checked (ID and custody verified)"
    BROUGHT = "brought", "Student brought (runner)"
    RELEASED = "released", "Released"
    EXCEPTION = "exception", "Routed to exceptions"
    REFUSED = "refused", "Not released"


#: Cards still in progress: a student has at most one of them.
ACTIVE_CARD = frozenset({CardStatus.ISSUED, CardStatus.CHECKED, CardStatus.BROUGHT, CardStatus.EXCEPTION})


class IdType(models.TextChoices):
    DRIVER_LICENSE = "driver_license", "Driver's license"
    STATE_ID = "state_id", "State ID card"
    PASSPORT = "passport", "Passport"
    MILITARY_ID = "military_id", "Military ID"
    OTHER = "other", "Other government photo ID"


class ExceptionKind(models.TextChoices):
    """Situations diverted to the separate exceptions area."""

    CUSTODY_DISPUTE = "custody_dispute", "Custody dispute or restriction"
    MISSING_STUDENT = "missing_student", "Missing student"
    INJURED_STUDENT = "injured_student", "Injured student"
    LAW_ENFORCEMENT_INTERVIEW = "law_enforcement_interview", "Law-enforcement interview"
    UNAUTHORISED_ADULT = "unauthorised_adult", "Adult not authorised"


class Resolution(models.TextChoices):
    RELEASE_APPROVED = "release_approved", "Release to the adult on the card approved"
    RETURNED_TO_WAITING = "returned_to_waiting", "Student returned to the assembly area"
    HANDED_OVER = "handed_over", "Student handed over (EMS, law enforcement, child protective services)"
