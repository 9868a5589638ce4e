"""The short API paths (/api/v1/referrals/ …) answer exactly as the registry's paths do."""

import pytest
from rest_framework.test import APIClient

from srodesk.accounts.models import ApiToken
from srodesk.support.api.aliases import ALIASES

from . import factories as f
from .world import build, user

pytestmark = pytest.mark.django_db

FACTORIES = {
    "referrals": f.ReferralFactory,
    "mandated-reports": f.MandatedReportFactory,
    "student-contacts": f.StudentContactFactory,
    "truancy-cases": f.TruancyCaseFactory,
    "agency-requests": f.AgencyRequestFactory,
}


def test_short_paths_are_scoped_like_the_registry_paths() -> None:
    home, away = build("MI"), build("OH")
    admin = user("principal", "school_admin", school=home.school)
    client = APIClient()
    _, key = ApiToken.issue(admin, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert [prefix for prefix, _ in ALIASES] == list(FACTORIES)
    for prefix, factory in FACTORIES.items():
        mine, theirs = factory(school=home.school), factory(school=away.school)
        short = client.get(f"/api/v1/{prefix}/")
        assert short.status_code == 200, prefix
        assert [row["id"] for row in short.json()["results"]] == [mine.pk]
        assert short.json() == client.get(f"/api/v1/support/{prefix}/").json()
        assert client.get(f"/api/v1/{prefix}/{theirs.pk}/").status_code == 404
        assert APIClient().get(f"/api/v1/{prefix}/").status_code == 401
