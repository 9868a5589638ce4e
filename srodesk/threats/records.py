from srodesk.core.registry import RecordType, register

from .api.serializers import TeamSerializer, ThreatCaseSerializer
from .api.views import TeamViewSet
from .filtersets import TeamFilterSet, ThreatCaseFilterSet
from .forms import TeamForm, ThreatCaseForm
from .models import Team, ThreatCase
from .tables import TeamTable, ThreatCaseTable

THREATS = "Student support"

register(
    RecordType(
        ThreatCase,
        ThreatCaseFilterSet,
        ThreatCaseTable,
        ThreatCaseForm,
        ThreatCaseSerializer,
        nav_group=THREATS,
        nav_order=30,
        detail_template="threats/threatcase_detail.html",
        api_alias="threat-cases",
    )
)
register(
    RecordType(
        Team,
        TeamFilterSet,
        TeamTable,
        TeamForm,
        TeamSerializer,
        nav_group=THREATS,
        nav_order=31,
        detail_template="threats/team_detail.html",
        viewset=TeamViewSet,
    )
)
