from srodesk.core.registry import NavLink, RecordType, register, register_nav_link

from .api.serializers import DrillSerializer, EmergencyPlanSerializer
from .api.views import DrillViewSet
from .filtersets import DrillFilterSet, EmergencyPlanFilterSet
from .forms import DrillForm, EmergencyPlanForm
from .models import Drill, EmergencyPlan
from .tables import DrillTable, EmergencyPlanTable

EMERGENCY = "Emergency"

# /api/v1/drills/ (alias) beside /api/v1/drills/drills/; /api/v1/drills/compliance/?school=<id>.
register(
    RecordType(
        Drill,
        DrillFilterSet,
        DrillTable,
        DrillForm,
        DrillSerializer,
        viewset=DrillViewSet,
        nav_group=EMERGENCY,
        nav_order=70,
        api_alias="drills",
    )
)
register(
    RecordType(
        EmergencyPlan,
        EmergencyPlanFilterSet,
        EmergencyPlanTable,
        EmergencyPlanForm,
        EmergencyPlanSerializer,
        nav_group=EMERGENCY,
        nav_order=72,
    )
)
register_nav_link(NavLink(EMERGENCY, "Drill compliance", "drills:compliance", "drills.view_drill", order=71))
