from django.db import models


class DrillType(models.TextChoices):
    FIRE = "fire", "Fire / evacuation"
    LOCKDOWN = "lockdown", "Lockdown"
    SECURE = "secure", "Secure"
    HOLD = "hold", "Hold"
    SHELTER_WEATHER = "shelter_weather", "Shelter (severe weather)"
    SHELTER_HAZMAT = "shelter_hazmat", "Shelter (hazmat)"
    EARTHQUAKE = "earthquake", "Earthquake (drop, cover and hold)"
    BUS_EVACUATION = "bus_evacuation", "Bus evacuation"
    REUNIFICATION = "reunification", "Reunification"


#: The Standard Response Protocol action each drill type practises (REFERENCE.md §4.1); reunification
#: practises the Standard Reunification Method instead.
SRP_ACTION = {
    DrillType.FIRE: "Evacuate",
    DrillType.LOCKDOWN: "Lockdown",
    DrillType.SECURE: "Secure",
    DrillType.HOLD: "Hold",
    DrillType.SHELTER_WEATHER: "Shelter",
    DrillType.SHELTER_HAZMAT: "Shelter",
    DrillType.EARTHQUAKE: "Shelter",
    DrillType.BUS_EVACUATION: "Evacuate",
    DrillType.REUNIFICATION: "Reunify",
}


class DrillStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CONDUCTED = "conducted", "Conducted"
    CANCELLED = "cancelled", "Cancelled"


class TimeOfDay(models.TextChoices):
    INSTRUCTION = "instruction", "During instruction"
    UNSTRUCTURED = "unstructured", "During lunch, recess or passing time"
    BEFORE_AFTER = "before_after", "Before or after school"


class MapKind(models.TextChoices):
    CAMPUS = "campus", "Campus map (longitude, latitude)"
    FLOOR_PLAN = "floor_plan", "Floor-plan image (pixels)"


class FeatureKind(models.TextChoices):
    ROUTE = "route", "Evacuation route"
    ASSEMBLY_AREA = "assembly_area", "Assembly area"
    WAITING_AREA = "waiting_area", "Waiting area"
    REUNIFICATION_SITE = "reunification_site", "Reunification site"
    SHELTER_AREA = "shelter_area", "Shelter area"
