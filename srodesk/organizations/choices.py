from django.db import models


class SchoolLevel(models.TextChoices):
    ELEMENTARY = "elementary", "Elementary"
    MIDDLE = "middle", "Middle"
    HIGH = "high", "High"
    K12 = "k12", "K-12"
    OTHER = "other", "Other"


class RuleSet(models.TextChoices):
    """States whose drill and mandated-report rules SRO Desk ships as data (REFERENCE.md §4.3, §8)."""

    CA = "CA", "California"
    IL = "IL", "Illinois"
    MI = "MI", "Michigan"
    NY = "NY", "New York"
    OTHER = "OTHER", "Other (configure locally)"
