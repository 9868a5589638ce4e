"""Forms of the sign-in pages, and the record form for role assignments."""

from __future__ import annotations

from django import forms

from srodesk.core.forms import RecordForm

from .models import RoleAssignment

INVALID_CREDENTIALS = "The username or password is not correct."
ACCOUNT_LOCKED = (
    "This account is locked after too many failed sign-in attempts. "
    "Try again in {minutes} minutes, or ask an administrator to unlock it."
)
INVALID_CODE = "That code is not correct. Enter the current 6-digit code or an unused recovery code."
THROTTLED_CODE = "Too many codes in a short time. Wait a few seconds and try again."


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )
    password = forms.CharField(
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )


class AuthenticatorCodeForm(forms.Form):
    code = forms.RegexField(
        label="6-digit code",
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": "Enter the 6 digits shown in your authenticator app."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": r"\d{3} ?\d{3}", "maxlength": 7}
        ),
    )


class RoleAssignmentForm(RecordForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "district", "school", "agency")
