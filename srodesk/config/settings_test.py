"""Settings for the test suite: fast hasher, in-memory mail, immediate tasks, temporary media."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="srodesk-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="srodesk-test-static-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_COOKIES = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MFA_REQUIRED = True
DEMO_MODE = False
# A record model that exists only for the tests of the generic machinery (education class, need-to-know).
INSTALLED_APPS = [*INSTALLED_APPS, "srodesk.core.tests.sample"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Live alerts: no once-a-second database check in other tests' live servers; fast stream heartbeats.
ALERT_DB_POLL_SECONDS = 0
ALERT_STREAM_HEARTBEAT_SECONDS = 1
