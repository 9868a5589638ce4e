"""Sign-in, sign-out, multi-factor steps, password change and the user's own account page."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from srodesk.audit.models import AuditEvent

from . import services
from .forms import (
    ACCOUNT_LOCKED,
    INVALID_CODE,
    INVALID_CREDENTIALS,
    THROTTLED_CODE,
    AuthenticatorCodeForm,
    LoginForm,
    OneTimeCodeForm,
)
from .middleware import MFA_SETUP, MFA_VERIFY, pending_mfa_step
from .models import ApiToken, User

RECOVERY_CODES_SESSION_KEY = "srodesk_new_recovery_codes"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _default_destination(request: HttpRequest) -> str:
    return _safe_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _step_url(step: str, next_url: str) -> str:
    url = reverse(step)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _lock_message() -> str:
    return ACCOUNT_LOCKED.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        step = pending_mfa_step(request)
        return HttpResponseRedirect(_step_url(step, next_url) if step else _default_destination(request))
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.attempt_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.outcome is services.LoginOutcome.SIGNED_IN:
            step = pending_mfa_step(request)
            if step:
                return HttpResponseRedirect(_step_url(step, next_url))
            return HttpResponseRedirect(_default_destination(request))
        error = _lock_message() if result.outcome is services.LoginOutcome.LOCKED else INVALID_CREDENTIALS
    elif request.method == "POST":
        error = INVALID_CREDENTIALS
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "error": error,
            "next": next_url,
            "login_banner": settings.LOGIN_BANNER,
            "page_title": "Sign in",
        },
    )


@never_cache
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.sign_out(request)
    messages.info(request, "You have signed out.")
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    step = pending_mfa_step(request)
    if step is None:
        return HttpResponseRedirect(_default_destination(request))
    if step == MFA_SETUP:
        return HttpResponseRedirect(_step_url(MFA_SETUP, next_url))
    user = _user(request)
    form = OneTimeCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = services.verify_second_factor(request, user, form.cleaned_data["code"])
        if result.outcome is services.VerifyOutcome.VERIFIED:
            if result.recovery_codes_left is not None:
                left = result.recovery_codes_left
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} unused code{'s' if left != 1 else ''} left. "
                    "Generate new codes from your account page if you are running low.",
                )
            return HttpResponseRedirect(_default_destination(request))
        if result.outcome is services.VerifyOutcome.LOCKED:
            messages.error(request, _lock_message())
            return HttpResponseRedirect(reverse("accounts:login"))
        error = THROTTLED_CODE if result.outcome is services.VerifyOutcome.THROTTLED else INVALID_CODE
    elif request.method == "POST":
        error = INVALID_CODE
    return render(
        request,
        "accounts/mfa_verify.html",
        {"form": form, "error": error, "next": next_url, "page_title": "Verify it is you"},
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request)
    if services.user_has_mfa_device(user):
        if pending_mfa_step(request) == MFA_VERIFY:
            return HttpResponseRedirect(_step_url(MFA_VERIFY, next_url))
        messages.info(request, "Multi-factor sign-in is already set up for your account.")
        return HttpResponseRedirect(reverse("accounts:profile"))
    device = services.pending_totp_device(user)
    form = AuthenticatorCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome, codes = services.confirm_totp_device(request, user, device, form.cleaned_data["code"])
        if outcome is services.VerifyOutcome.VERIFIED:
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, "Multi-factor sign-in is set up.")
            return HttpResponseRedirect(_step_url("accounts:mfa_recovery_codes", next_url))
        error = THROTTLED_CODE if outcome is services.VerifyOutcome.THROTTLED else INVALID_CODE
    config_url = device.config_url
    context: dict[str, Any] = {
        "form": form,
        "error": error,
        "next": next_url,
        "qr_svg": services.qr_svg(config_url, label="QR code to add SRO Desk to an authenticator app"),
        "secret": services.totp_secret(device),
        "forced": settings.MFA_REQUIRED and services.user_requires_mfa(user),
        "page_title": "Set up multi-factor sign-in",
    }
    return render(request, "accounts/mfa_setup.html", context)


@never_cache
@login_required
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        messages.info(request, "Recovery codes are shown only once. Generate new ones if you no longer have them.")
        return HttpResponseRedirect(reverse("accounts:profile"))
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {
            "codes": codes,
            "continue_url": _safe_next(request) or reverse("accounts:profile"),
            "page_title": "Recovery codes",
        },
    )


@never_cache
@login_required
@require_POST
def mfa_recovery_regenerate(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.user_has_mfa_device(user):
        messages.error(request, "Set up multi-factor sign-in before generating recovery codes.")
        return HttpResponseRedirect(reverse("accounts:profile"))
    request.session[RECOVERY_CODES_SESSION_KEY] = services.regenerate_recovery_codes(user)
    return HttpResponseRedirect(reverse("accounts:mfa_recovery_codes"))


@sensitive_post_parameters("code")
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not services.user_has_mfa_device(user):
        return HttpResponseRedirect(reverse("accounts:profile"))
    if not services.mfa_optional(user):
        return HttpResponseForbidden("Multi-factor sign-in is required for your roles and cannot be turned off.")
    form = AuthenticatorCodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if services.check_current_code(user, form.cleaned_data["code"]):
            services.disable_mfa(user)
            messages.success(request, "Multi-factor sign-in is turned off for your account.")
            return HttpResponseRedirect(reverse("accounts:profile"))
        locked = services.register_failure(
            user, action=AuditEvent.Action.MFA_FAILED, detail={"method": "totp", "step": "disable", "factor": "otp"}
        )
        if locked:
            services.sign_out(request)
            messages.error(request, _lock_message())
            return HttpResponseRedirect(reverse("accounts:login"))
        error = INVALID_CODE
    return render(
        request,
        "accounts/mfa_disable.html",
        {"form": form, "error": error, "page_title": "Turn off multi-factor sign-in"},
    )


@method_decorator(never_cache, name="dispatch")
class PasswordChange(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        AuditEvent.record_auth(action=AuditEvent.Action.PASSWORD_CHANGED, user=form.user)
        messages.success(self.request, "Your password is changed.")
        return response


@never_cache
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assignments = user.role_assignments.alive().select_related("role", "district", "school", "agency")
    has_device = services.user_has_mfa_device(user)
    context: dict[str, Any] = {
        "assignments": assignments,
        "has_device": has_device,
        "mfa_optional": services.mfa_optional(user),
        "recovery_codes_left": services.recovery_codes_left(user) if has_device else 0,
        "tokens": ApiToken.objects.filter(user=user, revoked_at__isnull=True),
        "page_title": "My account",
    }
    return render(request, "accounts/profile.html", context)


@never_cache
@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(ApiToken, pk=pk, user=user, revoked_at__isnull=True)
    services.revoke_token(token, actor=user, via="profile")
    messages.success(request, f"The token {token.prefix}… is revoked.")
    return HttpResponseRedirect(reverse("accounts:profile"))
