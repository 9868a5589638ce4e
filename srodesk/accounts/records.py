from srodesk.core.registry import RecordType, register

from .filtersets import RoleAssignmentFilterSet
from .forms import RoleAssignmentForm
from .models import RoleAssignment
from .serializers import RoleAssignmentSerializer
from .tables import RoleAssignmentTable

register(
    RecordType(
        RoleAssignment,
        RoleAssignmentFilterSet,
        RoleAssignmentTable,
        RoleAssignmentForm,
        RoleAssignmentSerializer,
        nav_group="Administration",
        nav_order=200,
    )
)
