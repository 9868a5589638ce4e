"""Value lists of threat assessment: CSTAG steps and classifications (REFERENCE.md §3.1), the USSS
investigative themes (§3.2), team roles, protective actions and the standard interview prompts."""

from __future__ import annotations

from django.db import models


class TeamRole(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    MENTAL_HEALTH = "mental_health", "Mental-health professional"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    SPECIAL_EDUCATION = "special_education", "Special education"
    OTHER = "other", "Other"


class HowReported(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    ONLINE_FORM = "online_form", "Online form"
    TIP_LINE = "tip_line", "Tip line or app"
    SOCIAL_MEDIA = "social_media", "Social media"
    OBSERVED = "observed", "Observed by staff"
    OTHER = "other", "Other"


class Classification(models.TextChoices):
    """CSTAG step 2/3: the threat type."""

    TRANSIENT = "transient", "Transient"
    SERIOUS = "serious_substantive", "Serious substantive"
    VERY_SERIOUS = "very_serious_substantive", "Very serious substantive"


class Step(models.IntegerChoices):
    """Where a case stands in the CSTAG decision tree (0 = closed)."""

    CLOSED = 0, "Closed"
    EVALUATE = 1, "Step 1: evaluate the threat"
    TRANSIENT = 2, "Step 2: resolved as transient"
    SERIOUS = 3, "Step 3: respond to a serious substantive threat"
    SAFETY_EVALUATION = 4, "Step 4: conduct a safety evaluation"
    SAFETY_PLAN = 5, "Step 5: implement and monitor the safety plan"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class InterviewSubject(models.TextChoices):
    STUDENT = "student", "Student who made the threat"
    RECIPIENT = "recipient", "Recipient (target)"
    WITNESS = "witness", "Witness"


class ProtectiveActionKind(models.TextChoices):
    VICTIM_NOTIFIED = "victim_notified", "Intended victim notified"
    VICTIM_PARENTS_NOTIFIED = "victim_parents_notified", "Intended victim's parents notified"
    STUDENT_PARENTS_NOTIFIED = "student_parents_notified", "Student's parents notified"
    LAW_ENFORCEMENT_CONSULTED = "law_enforcement_consulted", "Law enforcement consulted"
    MENTAL_HEALTH_ASSESSMENT = "mental_health_assessment", "Mental-health assessment"
    PLACEMENT_PENDING_EVALUATION = "placement_pending_evaluation", "Placement pending evaluation"
    OTHER = "other", "Other protective action"


#: CSTAG step 3: what a serious substantive threat needs before the case may close.
SERIOUS_REQUIRED_ACTIONS: tuple[ProtectiveActionKind, ...] = (
    ProtectiveActionKind.VICTIM_NOTIFIED,
    ProtectiveActionKind.VICTIM_PARENTS_NOTIFIED,
    ProtectiveActionKind.STUDENT_PARENTS_NOTIFIED,
)
#: CSTAG step 4: a very serious threat also needs these before the safety evaluation is complete.
SAFETY_EVALUATION_ACTIONS: tuple[ProtectiveActionKind, ...] = (
    ProtectiveActionKind.LAW_ENFORCEMENT_CONSULTED,
    ProtectiveActionKind.MENTAL_HEALTH_ASSESSMENT,
)


class MonitoringKind(models.TextChoices):
    FOLLOW_UP = "follow_up", "Follow-up contact"
    PLAN_REVIEW = "plan_review", "Safety-plan review"
    NOTE = "note", "Note"


class Theme(models.TextChoices):
    """The investigative themes of the USSS NTAC guide (2018), REFERENCE.md §3.2."""

    MOTIVE = "motive", "Motive"
    COMMUNICATIONS = "communications", "Concerning, threatening or leaked communications"
    INAPPROPRIATE_INTERESTS = "inappropriate_interests", "Inappropriate interests (weapons, attacks, mass violence)"
    WEAPONS_ACCESS = "weapons_access", "Access to weapons"
    STRESSORS = "stressors", "Stressors"
    EMOTIONAL_DEVELOPMENTAL = "emotional_developmental", "Emotional and developmental issues"
    DESPERATION = "desperation", "Desperation or despair"
    VIOLENCE_AS_OPTION = "violence_as_option", "Violence seen as an option"
    CONCERNING_BEHAVIOR = "concerning_behavior", "Concerning behaviour (others' concern)"
    CAPACITY = "capacity", "Capacity to carry out an attack"
    PLANNING = "planning", "Planning"
    CONSISTENCY = "consistency", "Consistency of the student's statements with facts and others' accounts"
    PROTECTIVE_FACTORS = "protective_factors", "Protective factors"


class Finding(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    NO_CONCERN = "no_concern", "No concern"
    CONCERN = "concern", "Concern"
    UNKNOWN = "unknown", "Unknown"


class DisciplineAction(models.TextChoices):
    NONE = "none", "No discipline"
    CONFERENCE = "conference", "Conference or warning"
    DETENTION = "detention", "Detention"
    IN_SCHOOL_SUSPENSION = "in_school_suspension", "In-school suspension"
    OUT_OF_SCHOOL_SUSPENSION = "out_of_school_suspension", "Out-of-school suspension"
    EXPULSION_RECOMMENDED = "expulsion_recommended", "Expulsion recommended"
    OTHER = "other", "Other"


#: The standard CSTAG interview prompts (REFERENCE.md §3.1), per person interviewed: (key, prompt).
INTERVIEW_PROMPTS: dict[str, tuple[tuple[str, str], ...]] = {
    InterviewSubject.STUDENT: (
        ("what_happened", "Do you know why I wanted to talk to you? What happened?"),
        ("exact_words", "What exactly did you say or do? (record the exact words)"),
        ("meaning", "What did you mean when you said or did that?"),
        ("target_feels", "How do you think the person who heard it feels about what you said or did?"),
        ("reason", "What was the reason you said or did that?"),
        ("weapons", "Do you have access to a weapon?"),
        ("plans", "What are you going to do now?"),
    ),
    InterviewSubject.RECIPIENT: (
        ("what_happened", "What happened?"),
        ("exact_words", "What exactly did the student say or do? (record the exact words)"),
        ("meaning", "What do you think the student meant?"),
        ("target_feels", "How do you feel about what was said or done?"),
        ("reason", "Why do you think the student said or did it? Is there any prior conflict?"),
        ("weapons", "Do you know whether the student has access to a weapon?"),
        ("plans", "Do you know of any plan the student has?"),
    ),
    InterviewSubject.WITNESS: (
        ("what_happened", "What happened?"),
        ("exact_words", "What exactly did the student say or do? (record the exact words)"),
        ("meaning", "What do you think the student meant?"),
        ("target_feels", "How do you think the person who heard it feels?"),
        ("reason", "Why do you think the student said or did it?"),
        ("weapons", "Do you know whether the student has access to a weapon?"),
        ("plans", "Do you know of any plan the student has?"),
    ),
}
