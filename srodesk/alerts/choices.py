"""Standard Response Protocol actions and the states of an alert and of its deliveries."""

from django.db import models


class AlertKind(models.TextChoices):
    SRP = "srp", "Standard Response Protocol action"
    ADVISORY = "advisory", "Advisory"
    BOLO = "bolo", "Be on the lookout (BOLO)"


class SrpAction(models.TextChoices):
    """REFERENCE.md §4.1: each action is a term and a directive."""

    HOLD = "hold", "Hold"
    SECURE = "secure", "Secure"
    LOCKDOWN = "lockdown", "Lockdown"
    EVACUATE = "evacuate", "Evacuate"
    SHELTER = "shelter", "Shelter"


#: The directive announced with each action; Evacuate and Shelter are completed with location / hazard.
DIRECTIVES = {
    SrpAction.HOLD: "In your room or area. Clear the halls.",
    SrpAction.SECURE: "Get inside. Lock outside doors.",
    SrpAction.LOCKDOWN: "Locks, lights, out of sight.",
    SrpAction.EVACUATE: "Evacuate to {location}.",
    SrpAction.SHELTER: "Shelter for {hazard}: {strategy}.",
}


class Audience(models.TextChoices):
    EVERYONE = "everyone", "Everyone at the schools (staff, administrators, SROs)"
    ADMINISTRATORS = "administrators", "School administrators"
    SROS = "sros", "SROs and their supervisors"
    AGENCY = "agency", "The law-enforcement agency"


class AlertStatus(models.TextChoices):
    ARMED = "armed", "Starting (cancel window)"
    CANCELLED = "cancelled", "Cancelled before delivery"
    ACTIVE = "active", "Active"
    ALL_CLEAR = "all_clear", "All clear"


class Channel(models.TextChoices):
    LIVE = "live", "Live (on screen)"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
