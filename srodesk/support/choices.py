"""Code lists of student support: agencies, referrals, mandated reports, contacts, truancy, requests."""

from django.db import models


class AgencyType(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_ABUSE = "substance_abuse", "Substance abuse"
    CPS = "cps", "Child protective services"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence"
    JUVENILE = "juvenile", "Juvenile authorities"
    OTHER = "other", "Other"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Signed written consent"
    ELECTRONIC = "electronic", "Electronic signature"
    VERBAL = "verbal", "Verbal, documented"


class ConsentBy(models.TextChoices):
    PARENT = "parent", "Parent or guardian"
    ELIGIBLE_STUDENT = "eligible_student", "Eligible student (18 or older)"


class ConsentException(models.TextChoices):
    """Why a referral was made without consent: the recorded exception."""

    EMERGENCY = "emergency", "Health or safety emergency (99.36)"
    CHILD_WELFARE = "child_welfare", "Child-welfare or abuse report required by law"
    COURT_ORDER = "court_order", "Court order"
    NO_RECORDS_SHARED = "no_records_shared", "No education records shared (information only)"


class ReferralStatus(models.TextChoices):
    MADE = "made", "Made"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    NO_RESPONSE = "no_response", "No response"


class ReportedTo(models.TextChoices):
    CPS = "cps", "Child protective services"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"


class ReportChannel(models.TextChoices):
    PHONE = "phone", "Telephone"
    ELECTRONIC = "electronic", "Electronic (online)"
    FAX = "fax", "Fax"
    IN_PERSON = "in_person", "In person"


class ClockStart(models.TextChoices):
    """When a mandated-report deadline starts to run (REFERENCE.md §8)."""

    SUSPICION = "suspicion", "First suspicion"
    ORAL_REPORT = "oral_report", "Oral report"
    INFORMATION_RECEIVED = "information_received", "Information received"


class ContactType(models.TextChoices):
    COUNSELLING = "counselling", "Informal counselling"
    CRISIS = "crisis", "Crisis intervention"
    MEDIATION = "mediation", "Conflict mediation"
    PARENT = "parent", "Parent contact"
    OTHER = "other", "Other"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT_EXCUSED = "absent_excused", "Absent (excused)"
    ABSENT_UNEXCUSED = "absent_unexcused", "Absent (unexcused)"
    TARDY = "tardy", "Tardy"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing applied)"


class TruancyStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class TruancyOutcome(models.TextChoices):
    IMPROVED = "improved", "Attendance improved"
    CONTRACT_KEPT = "contract_kept", "Attendance contract kept"
    REFERRED = "referred", "Referred to a community agency"
    COURT = "court", "Referred to court or juvenile authorities"
    TRANSFERRED = "transferred", "Transferred or withdrawn"
    OTHER = "other", "Other"


class InterventionKind(models.TextChoices):
    PARENT_CONFERENCE = "parent_conference", "Parent conference"
    HOME_VISIT = "home_visit", "Home visit"
    REFERRAL = "referral", "Referral"
    ATTENDANCE_CONTRACT = "attendance_contract", "Attendance contract"
    OTHER = "other", "Other"


class RequestDecision(models.TextChoices):
    PENDING = "pending", "Pending"
    GRANTED = "granted", "Granted"
    PARTLY = "partly", "Partly granted"
    REFUSED = "refused", "Refused"
