from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter, SimpleRouter

from srodesk.core import pages, registry

router = DefaultRouter()
registry.api_routes(router)
# Short paths (/api/v1/incidents/, /api/v1/threat-cases/ …) beside the registry's.
alias_router = SimpleRouter()
registry.api_alias_routes(alias_router)

api_patterns = [
    path("", include(router.urls)),
    path("", include(alias_router.urls)),
]

admin.site.site_header = "SRO Desk administration"
admin.site.site_title = "SRO Desk"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("srodesk.core.urls")),
    # Sign-in (with lockout, MFA and audit) happens in one place only.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", pages.healthz, name="healthz"),
]


def _app_urls() -> list[URLPattern | URLResolver]:
    """Each domain app at /<label>/: its urls module when it has one, else its registered record pages."""
    patterns: list[URLPattern | URLResolver] = []
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("srodesk.") or app_config.label == "core":
            continue
        try:
            module = import_module(f"{app_config.name}.urls")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_config.name}.urls":
                raise
            if registry.for_app(app_config.label):
                urls = (registry.urlpatterns(app_config.label), app_config.label)
                patterns.append(path(f"{app_config.label}/", include(urls)))
            continue
        patterns.append(path(f"{app_config.label}/", include(module)))
    return patterns


urlpatterns += _app_urls()

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
