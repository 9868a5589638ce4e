"""Short API paths for student support, beside the registry's ``/api/v1/support/<slug>/`` (set as each
type's ``api_alias`` in records.py).

``/api/v1/referrals/``, ``/api/v1/mandated-reports/``, ``/api/v1/student-contacts/``,
``/api/v1/truancy-cases/`` and ``/api/v1/agency-requests/`` serve the same viewsets (the same policy
checks, filters and serializers); records' ``url`` fields keep pointing at the registry's paths.
"""

from __future__ import annotations

from typing import Any

from ..models import AgencyRequest, MandatedReport, Referral, StudentContact, TruancyCase

ALIASES: tuple[tuple[str, type[Any]], ...] = (
    ("referrals", Referral),
    ("mandated-reports", MandatedReport),
    ("student-contacts", StudentContact),
    ("truancy-cases", TruancyCase),
    ("agency-requests", AgencyRequest),
)
