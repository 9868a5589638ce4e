"""The framework floor: an empty page behind sign-in, served through SRO Desk's settings and middleware.

Only the bench's floor server loads this URL map (``floor_settings``); production never does.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from endpoints import EMPTY_PATH


@login_required
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [
    path(EMPTY_PATH.lstrip("/"), empty),
    path("", include("srodesk.config.urls")),
]
