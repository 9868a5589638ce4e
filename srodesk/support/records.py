from srodesk.core.registry import RecordType, get, register

from . import filtersets as f
from . import forms
from . import tables as t
from .api import serializers as s
from .api import views as v
from .api.aliases import ALIASES
from .models import (
    AgencyRequest,
    AttendanceImport,
    AttendanceRecord,
    CommunityAgency,
    Intervention,
    MandatedReport,
    Referral,
    ReportingRule,
    StudentContact,
    TruancyCase,
    TruancyThreshold,
)

SUPPORT = "Student support"
TRUANCY = "Truancy"
SETTINGS = "Administration"

# API routes: /api/v1/support/<url slug>/ — referrals, mandated-reports, student-contacts,
# truancy-cases, agency-requests (the slugs follow each model's plural name).
register(
    RecordType(
        CommunityAgency,
        f.CommunityAgencyFilterSet,
        t.CommunityAgencyTable,
        forms.CommunityAgencyForm,
        s.CommunityAgencySerializer,
        nav_group=SUPPORT,
        nav_order=50,
    )
)
register(
    RecordType(
        Referral,
        f.ReferralFilterSet,
        t.ReferralTable,
        forms.ReferralForm,
        s.ReferralSerializer,
        viewset=v.ReferralViewSet,
        nav_group=SUPPORT,
        nav_order=51,
    )
)
register(
    RecordType(
        MandatedReport,
        f.MandatedReportFilterSet,
        t.MandatedReportTable,
        forms.MandatedReportForm,
        s.MandatedReportSerializer,
        viewset=v.MandatedReportViewSet,
        nav_group=SUPPORT,
        nav_order=52,
    )
)
register(
    RecordType(
        StudentContact,
        f.StudentContactFilterSet,
        t.StudentContactTable,
        forms.StudentContactForm,
        s.StudentContactSerializer,
        viewset=v.StudentContactViewSet,
        nav_group=SUPPORT,
        nav_order=53,
    )
)
register(
    RecordType(
        AgencyRequest,
        f.AgencyRequestFilterSet,
        t.AgencyRequestTable,
        forms.AgencyRequestForm,
        s.AgencyRequestSerializer,
        viewset=v.AgencyRequestViewSet,
        nav_group=SUPPORT,
        nav_order=54,
    )
)
register(
    RecordType(
        TruancyCase,
        f.TruancyCaseFilterSet,
        t.TruancyCaseTable,
        forms.TruancyCaseForm,
        s.TruancyCaseSerializer,
        nav_group=TRUANCY,
        nav_order=60,
    )
)
register(
    RecordType(
        Intervention,
        f.InterventionFilterSet,
        t.InterventionTable,
        forms.InterventionForm,
        s.InterventionSerializer,
        nav_group=TRUANCY,
        nav_order=61,
    )
)
register(
    RecordType(
        AttendanceRecord,
        f.AttendanceRecordFilterSet,
        t.AttendanceRecordTable,
        forms.AttendanceRecordForm,
        s.AttendanceRecordSerializer,
        viewset=v.AttendanceRecordViewSet,
        nav_group=TRUANCY,
        nav_order=62,
    )
)
# Imports are started from the upload page and applied by their service.
register(
    RecordType(
        AttendanceImport,
        f.AttendanceImportFilterSet,
        t.AttendanceImportTable,
        forms.AttendanceImportForm,
        s.AttendanceImportSerializer,
        viewset=v.AttendanceImportViewSet,
        nav_group=TRUANCY,
        nav_order=63,
        editable=False,
    )
)
register(
    RecordType(
        TruancyThreshold,
        f.TruancyThresholdFilterSet,
        t.TruancyThresholdTable,
        forms.TruancyThresholdForm,
        s.TruancyThresholdSerializer,
        nav_group=SETTINGS,
        nav_order=170,
    )
)
register(
    RecordType(
        ReportingRule,
        f.ReportingRuleFilterSet,
        t.ReportingRuleTable,
        forms.ReportingRuleForm,
        s.ReportingRuleSerializer,
        nav_group=SETTINGS,
        nav_order=171,
    )
)

# Short API paths (/api/v1/referrals/ …) beside the registry's /api/v1/support/<slug>/.
for _prefix, _model in ALIASES:
    get(_model).api_alias = _prefix
