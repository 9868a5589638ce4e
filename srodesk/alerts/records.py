from srodesk.core.registry import NavLink, RecordType, register, register_nav_link

from .api.serializers import AccountabilityReportSerializer, AlertSerializer
from .api.views import AlertViewSet
from .filtersets import AccountabilityReportFilterSet, AlertFilterSet
from .forms import AccountabilityReportForm, AlertForm
from .models import AccountabilityReport, Alert
from .services import ADD_ALERT
from .tables import AccountabilityReportTable, AlertTable

ALERTS = "Alerts"

# Alerts and reports are written by their workflow (services.py), never through the generic edit pages.
register(
    RecordType(
        Alert,
        AlertFilterSet,
        AlertTable,
        AlertForm,
        AlertSerializer,
        viewset=AlertViewSet,
        nav_group=ALERTS,
        nav_order=10,
        api_alias="alerts",
        editable=False,
    )
)
register(
    RecordType(
        AccountabilityReport,
        AccountabilityReportFilterSet,
        AccountabilityReportTable,
        AccountabilityReportForm,
        AccountabilityReportSerializer,
        nav_group=ALERTS,
        nav_order=11,
        in_nav=False,
        editable=False,
    )
)
register_nav_link(NavLink(ALERTS, "Start an alert", "alerts:alert_start", ADD_ALERT, order=9))
