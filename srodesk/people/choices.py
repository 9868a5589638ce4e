from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    UNSPECIFIED = "unspecified", "Unspecified"
    OTHER = "other", "Other"


class CrdcRace(models.TextChoices):
    """The CRDC's seven race/ethnicity categories (REFERENCE.md §2.3), derived as in §5.3."""

    HISPANIC = "hispanic", "Hispanic or Latino"
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    BLACK = "black", "Black or African American"
    WHITE = "white", "White"
    TWO_OR_MORE = "two_or_more", "Two or more races"
    UNKNOWN = "unknown", "Not reported"


class Grade(models.TextChoices):
    """CEDS grade-level codes as OneRoster uses them."""

    IT = "IT", "Infant/toddler"
    PR = "PR", "Preschool"
    PK = "PK", "Pre-kindergarten"
    TK = "TK", "Transitional kindergarten"
    KG = "KG", "Kindergarten"
    G01 = "01", "Grade 1"
    G02 = "02", "Grade 2"
    G03 = "03", "Grade 3"
    G04 = "04", "Grade 4"
    G05 = "05", "Grade 5"
    G06 = "06", "Grade 6"
    G07 = "07", "Grade 7"
    G08 = "08", "Grade 8"
    G09 = "09", "Grade 9"
    G10 = "10", "Grade 10"
    G11 = "11", "Grade 11"
    G12 = "12", "Grade 12"
    G13 = "13", "Grade 13"
    PS = "PS", "Postsecondary"
    UG = "UG", "Ungraded"
    OTHER = "Other", "Other"


class StaffRole(models.TextChoices):
    """OneRoster 1.1 and 1.2 role vocabulary for staff."""

    ADMINISTRATOR = "administrator", "Administrator"
    AIDE = "aide", "Aide"
    COUNSELOR = "counselor", "Counselor"
    DISTRICT_ADMINISTRATOR = "districtAdministrator", "District administrator"
    PRINCIPAL = "principal", "Principal"
    PROCTOR = "proctor", "Proctor"
    SITE_ADMINISTRATOR = "siteAdministrator", "Site administrator"
    SYSTEM_ADMINISTRATOR = "systemAdministrator", "System administrator"
    TEACHER = "teacher", "Teacher"


class GuardianRelationship(models.TextChoices):
    GUARDIAN = "guardian", "Guardian"
    PARENT = "parent", "Parent"
    RELATIVE = "relative", "Relative"


class OtherPersonKind(models.TextChoices):
    VISITOR = "visitor", "Visitor"
    PARENT = "parent", "Parent or guardian (not in the roster)"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"
    VICTIM = "victim", "Victim"
    OTHER = "other", "Other"


class DisclosureBasis(models.TextChoices):
    """34 CFR 99.31 exceptions (and consent, 99.30) that a disclosure may rely on."""

    CONSENT = "consent", "Written consent of the parent or eligible student (99.30)"
    SCHOOL_OFFICIAL = "school_official", "School official with legitimate educational interest (99.31(a)(1))"
    TRANSFER = "transfer", "Transfer to another school (99.31(a)(2))"
    AUDIT = "audit", "Authorized representatives: audit or evaluation (99.31(a)(3))"
    FINANCIAL_AID = "financial_aid", "Financial aid (99.31(a)(4))"
    JUVENILE_JUSTICE = "juvenile_justice", "Juvenile-justice system under state statute (99.31(a)(5), 99.38)"
    STUDIES = "studies", "Studies for the school (99.31(a)(6))"
    ACCREDITATION = "accreditation", "Accrediting organization (99.31(a)(7))"
    PARENT_DEPENDENT = "parent_dependent", "Parent of a dependent student (99.31(a)(8))"
    SUBPOENA = "subpoena", "Subpoena or court order (99.31(a)(9))"
    EMERGENCY = "emergency", "Health or safety emergency (99.31(a)(10), 99.36)"
    DIRECTORY = "directory", "Directory information (99.31(a)(11))"
    PARENT = "parent", "Parent or eligible student (99.31(a)(12))"
    CHILD_WELFARE = "child_welfare", "Child welfare agency for a child in foster care (99.31(a)(16))"


class RecipientKind(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", "Law-enforcement agency"
    COURT = "court", "Court"
    CPS = "cps", "Child protective services"
    HEALTH = "health", "Health professional"
    PARENT = "parent", "Parent or eligible student"
    SCHOOL = "school", "Another school or district"
    AGENCY = "agency", "Other agency"
    OTHER = "other", "Other"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (nothing applied)"
