"""An alert as a CAP 1.2 message (OASIS Common Alerting Protocol), for public alerting systems.

- ``status``: ``Exercise`` for a drill, ``Actual`` otherwise;
- ``msgType``: ``Alert`` while armed or active, ``Update`` (``responseType`` ``AllClear``, referencing the
  alert) once all clear, ``Cancel`` when it was cancelled before delivery;
- one ``info`` block: SRP actions and BOLOs are ``Security``, Evacuate, Shelter and advisories ``Safety``;
  the directive is the ``instruction``;
- one ``area`` per school, with the campus boundary as ``polygon`` (latitude,longitude pairs) when the
  school has one.

``srodesk/alerts/schema/CAP-v1.2.xsd`` is the standard's schema; the tests validate every kind against it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings

from .choices import AlertKind, AlertStatus, Audience, SrpAction
from .models import Alert

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"

#: action → (category, responseType, urgency, severity)
SRP_INFO: dict[str, tuple[str, str, str, str]] = {
    SrpAction.HOLD: ("Security", "Shelter", "Immediate", "Moderate"),
    SrpAction.SECURE: ("Security", "Shelter", "Immediate", "Severe"),
    SrpAction.LOCKDOWN: ("Security", "Shelter", "Immediate", "Extreme"),
    SrpAction.EVACUATE: ("Safety", "Evacuate", "Immediate", "Severe"),
    SrpAction.SHELTER: ("Safety", "Shelter", "Immediate", "Severe"),
}
OTHER_INFO: dict[str, tuple[str, str, str, str]] = {
    AlertKind.ADVISORY: ("Safety", "Monitor", "Expected", "Minor"),
    AlertKind.BOLO: ("Security", "Monitor", "Immediate", "Moderate"),
}


def cap_time(value: dt.datetime) -> str:
    """CAP's date-time form: seconds, and an explicit offset (never ``Z``)."""
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _sender(host: str) -> str:
    """``alerts@<host>``: no port, spaces, commas, "<" or "&" (CAP 1.2 §3.2.1)."""
    if "//" in host:
        host = urlsplit(host).hostname or ""
    clean = re.sub(r"[\s,<&]+", "", host.rsplit(":", 1)[0] if host.count(":") == 1 else host) or "localhost"
    return f"alerts@{clean}"


def _identifier(alert: Alert, sender: str, suffix: str = "") -> str:
    domain = sender.split("@", 1)[-1]
    return f"{domain}-alert-{alert.pk}{suffix}"


def _polygons(boundary: Any) -> list[str]:
    """GeoJSON [lon, lat] rings → CAP polygons "lat,lon lat,lon …" (the outer ring of each polygon)."""
    if not isinstance(boundary, dict):
        return []
    geometry = boundary.get("geometry") if boundary.get("type") == "Feature" else boundary
    if not isinstance(geometry, dict):
        return []
    coords = geometry.get("coordinates") or []
    polygons = (
        [coords] if geometry.get("type") == "Polygon" else coords if geometry.get("type") == "MultiPolygon" else []
    )
    result: list[str] = []
    for polygon in polygons:
        if not polygon:
            continue
        ring = [(float(p[1]), float(p[0])) for p in polygon[0]]
        if len(ring) < 3:
            continue
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            result.append(" ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in ring))
    return result


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element


def build(alert: Alert, *, host: str | None = None) -> ET.Element:
    """The ``<alert>`` element of the message."""
    sender = _sender(host or getattr(settings, "SITE_URL", "") or "localhost")
    schools = list(alert.schools.all().order_by("name", "pk"))
    all_clear = alert.status == AlertStatus.ALL_CLEAR
    cancelled = alert.status == AlertStatus.CANCELLED
    first_sent = alert.activated_at or alert.armed_at or alert.created_at
    if all_clear:
        msg_type, sent = "Update", alert.all_clear_at or first_sent
    elif cancelled:
        msg_type, sent = "Cancel", alert.cancelled_at or first_sent
    else:
        msg_type, sent = "Alert", first_sent
    root = ET.Element(f"{{{NAMESPACE}}}alert")
    suffix = "-all-clear" if all_clear else "-cancel" if cancelled else ""
    _sub(root, "identifier", _identifier(alert, sender, suffix))
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", "Exercise" if alert.is_drill else "Actual")
    _sub(root, "msgType", msg_type)
    _sub(root, "source", "SRO Desk")
    public = alert.kind == AlertKind.SRP
    _sub(root, "scope", "Public" if public else "Restricted")
    if not public:
        _sub(root, "restriction", f"For {Audience(alert.audience).label.lower()} of {alert.district}.")
    if alert.is_drill:
        _sub(root, "note", "DRILL: this is an exercise, not a real emergency.")
    if all_clear or cancelled:
        _sub(root, "references", f"{sender},{_identifier(alert, sender)},{cap_time(first_sent)}")

    if alert.kind == AlertKind.SRP and alert.action:
        category, response, urgency, severity = SRP_INFO[alert.action]
    else:
        category, response, urgency, severity = OTHER_INFO.get(alert.kind, OTHER_INFO[AlertKind.ADVISORY])
    if all_clear or cancelled:
        response, urgency, severity = "AllClear" if all_clear else "None", "Past", "Minor"
    info = _sub(root, "info")
    _sub(info, "language", "en-US")
    _sub(info, "category", category)
    _sub(info, "event", alert.title)
    _sub(info, "responseType", response)
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", "Observed" if alert.kind != AlertKind.ADVISORY else "Likely")
    _sub(info, "audience", str(Audience(alert.audience).label))
    _sub(info, "senderName", str(alert.district))
    names = ", ".join(s.name for s in schools)
    drill = "DRILL: " if alert.is_drill else ""
    if all_clear:
        headline = f"{drill}All clear: {alert.title} at {names}"
        description = alert.all_clear_message or f"The {alert.title.lower()} has ended."
        instruction = alert.all_clear_message or "Resume normal activities."
    elif cancelled:
        headline = f"{drill}Cancelled: {alert.title} at {names}"
        description = "The alert was cancelled before it was delivered."
        instruction = "No action is needed."
    else:
        headline = f"{drill}{alert.title} at {names}"
        description = alert.message or f"{alert.title}: {alert.directive}"
        instruction = alert.directive
    _sub(info, "headline", headline[:160])
    _sub(info, "description", description)
    _sub(info, "instruction", instruction)
    for school in schools:
        area = _sub(info, "area")
        _sub(area, "areaDesc", school.name)
        for polygon in _polygons(school.campus_boundary):
            _sub(area, "polygon", polygon)
    if not schools:
        _sub(_sub(info, "area"), "areaDesc", str(alert.district))
    return root


def to_xml(alert: Alert, *, host: str | None = None) -> bytes:
    """The message as UTF-8 XML; ``host`` names the sender (default: the ``SITE_URL`` setting)."""
    ET.register_namespace("", NAMESPACE)
    body: bytes = ET.tostring(build(alert, host=host), encoding="utf-8", xml_declaration=True)
    return body
