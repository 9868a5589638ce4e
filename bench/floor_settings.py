"""Settings of the framework-floor server: SRO Desk's own, with a URL map that adds one empty page."""

from srodesk.config.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
