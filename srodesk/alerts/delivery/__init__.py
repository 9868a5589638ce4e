"""The delivery engine of alerts: live to every screen in scope (server-sent events), email, SMS and webhooks.

- :func:`dispatch` — an alert has become active: write its recipients and deliveries, publish it live, send
  the rest in the background;
- :func:`publish_all_clear` — the alert has ended;
- :func:`publish_ack` — a recipient acknowledged it.

See docs/alerts-delivery.md.
"""

from .dispatch import dispatch, publish_ack, publish_all_clear

__all__ = ["dispatch", "publish_ack", "publish_all_clear"]
