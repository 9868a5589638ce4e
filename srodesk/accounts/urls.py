from django.urls import path

from srodesk.core import registry

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("mfa/recovery-codes/new/", views.mfa_recovery_regenerate, name="mfa_recovery_regenerate"),
    path("mfa/disable/", views.mfa_disable, name="mfa_disable"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.PasswordChange.as_view(), name="password_change"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns += registry.urlpatterns("accounts")
