"""People who sign in, the role catalogue and role assignments (role × scope), and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from srodesk.core.links import detail_url
from srodesk.core.models import AuditedMixin, RecordClass, RecordModel


class User(AuditedMixin, AbstractUser):
    """A person who signs in. Lockout state lives here; roles come from :class:`RoleAssignment`.

    Account changes (active, superuser, names) are audited; the password hash and sign-in
    bookkeeping are not (password changes and sign-ins have their own authentication events).
    """

    audit_exclude: ClassVar[tuple[str, ...]] = ("password", "last_login", "failed_login_count", "date_joined")

    failed_login_count = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    title = models.CharField(max_length=100, blank=True, help_text="Job title, e.g. School Resource Officer.")
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ("username",)

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def requires_mfa(self) -> bool:
        """MFA is required for every account that holds a role able to see personal data."""
        if self.is_superuser:
            return True
        return bool(RoleAssignment.objects.alive().filter(user=self, role__personal_data=True).exists())

    def has_mfa_device(self) -> bool:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        return bool(TOTPDevice.objects.filter(user=self, confirmed=True).exists())


class Role(models.Model):
    """A role of the catalogue (accounts/roles.py is the source; the table mirrors it)."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    permissions = models.JSONField(default=list, help_text="Permission strings, see core/permissions.py.")
    personal_data = models.BooleanField(default=True, help_text="The role can see personal data: MFA required.")
    scope_kinds = models.JSONField(default=list, help_text="Scopes this role may be assigned at.")

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ScopeKind(models.TextChoices):
    PLATFORM = "platform", "Platform"
    DISTRICT = "district", "District"
    SCHOOL = "school", "School"
    AGENCY = "agency", "Agency"


class RoleAssignment(RecordModel):
    """A role held by a user within one scope: the platform, a district, a school or an agency."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    district = models.ForeignKey(
        "organizations.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "organizations.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "organizations.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    record_class: ClassVar[str] = RecordClass.OPERATIONAL
    scope_paths: ClassVar[dict[str, str | None]] = {"district": "district", "school": "school", "agency": "agency"}
    # Who holds which role is administration: only named grants reach it, never a record-class grant.
    class_grant_actions: ClassVar[frozenset[str] | None] = frozenset()

    class Meta:
        ordering = ("user__username", "role__name")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(district__isnull=True, school__isnull=True, agency__isnull=True)
                    | Q(district__isnull=False, school__isnull=True, agency__isnull=True)
                    | Q(district__isnull=True, school__isnull=False, agency__isnull=True)
                    | Q(district__isnull=True, school__isnull=True, agency__isnull=False)
                ),
                name="roleassignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role.name} @ {self.scope_label}"

    @property
    def scope_kind(self) -> str:
        if self.school_id:
            return ScopeKind.SCHOOL
        if self.district_id:
            return ScopeKind.DISTRICT
        if self.agency_id:
            return ScopeKind.AGENCY
        return ScopeKind.PLATFORM

    @property
    def scope_label(self) -> str:
        target = self.school or self.district or self.agency
        return str(target) if target else "whole platform"

    def clean(self) -> None:
        super().clean()
        if sum(x is not None for x in (self.district_id, self.school_id, self.agency_id)) > 1:
            raise ValidationError("Choose one scope: a district, a school or an agency (or none for the platform).")
        # Uniqueness over nullable scope columns is checked here: SQLite has no NULLS NOT DISTINCT.
        duplicate = RoleAssignment.objects.alive().filter(
            user_id=self.user_id,
            role_id=self.role_id,
            district_id=self.district_id,
            school_id=self.school_id,
            agency_id=self.agency_id,
        )
        if self.user_id and self.role_id and duplicate.exclude(pk=self.pk).exists():
            raise ValidationError("The user already holds this role in this scope.")
        if self.role_id and self.role.scope_kinds and self.scope_kind not in self.role.scope_kinds:
            allowed = ", ".join(self.role.scope_kinds)
            raise ValidationError({"role": f"{self.role.name} can only be assigned at: {allowed}."})

    def get_absolute_url(self) -> str:
        return detail_url("accounts:roleassignment_detail", self.pk)


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """An API token. Only its SHA-256 is stored; the token itself is shown once, when created."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"

    @classmethod
    def issue(cls, user: Any, name: str = "") -> tuple[ApiToken, str]:
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[: cls.PREFIX_LENGTH], key_hash=hash_token(key))
        return token, key
