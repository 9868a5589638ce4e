from srodesk.core.registry import NavLink, RecordType, register, register_nav_link

from .api.serializers import (
    EventStudentSerializer,
    ReunificationCardSerializer,
    ReunificationEventSerializer,
    ReunificationExceptionSerializer,
)
from .api.views import (
    EventStudentViewSet,
    ReunificationCardViewSet,
    ReunificationEventViewSet,
    ReunificationExceptionViewSet,
)
from .filtersets import (
    EventStudentFilterSet,
    ReunificationCardFilterSet,
    ReunificationEventFilterSet,
    ReunificationExceptionFilterSet,
)
from .forms import EventStudentForm, ReunificationCardForm, ReunificationEventForm, ReunificationExceptionForm
from .models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException
from .tables import EventStudentTable, ReunificationCardTable, ReunificationEventTable, ReunificationExceptionTable

EMERGENCY = "Emergency"

# Every type here is written by the reunification services only: no generic add, edit or delete pages.
register(
    RecordType(
        ReunificationEvent,
        ReunificationEventFilterSet,
        ReunificationEventTable,
        ReunificationEventForm,
        ReunificationEventSerializer,
        viewset=ReunificationEventViewSet,
        nav_group=EMERGENCY,
        nav_order=60,
        api_alias="reunifications",
        detail_template="reunification/reunificationevent_detail.html",
        editable=False,
    )
)
register(
    RecordType(
        EventStudent,
        EventStudentFilterSet,
        EventStudentTable,
        EventStudentForm,
        EventStudentSerializer,
        viewset=EventStudentViewSet,
        nav_group=EMERGENCY,
        nav_order=61,
        in_nav=False,
        editable=False,
    )
)
register(
    RecordType(
        ReunificationCard,
        ReunificationCardFilterSet,
        ReunificationCardTable,
        ReunificationCardForm,
        ReunificationCardSerializer,
        viewset=ReunificationCardViewSet,
        nav_group=EMERGENCY,
        nav_order=62,
        in_nav=False,
        editable=False,
    )
)
register(
    RecordType(
        ReunificationException,
        ReunificationExceptionFilterSet,
        ReunificationExceptionTable,
        ReunificationExceptionForm,
        ReunificationExceptionSerializer,
        viewset=ReunificationExceptionViewSet,
        nav_group=EMERGENCY,
        nav_order=63,
        in_nav=False,
        editable=False,
    )
)
register_nav_link(
    NavLink(EMERGENCY, "Start a reunification", "reunification:event_start", "reunification.add_reunificationevent", 64)
)
