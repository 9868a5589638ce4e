from typing import ClassVar

from srodesk.core.api import AUDIT_FIELDS, RecordSerializer

from .models import RoleAssignment


class RoleAssignmentSerializer(RecordSerializer):
    class Meta:
        model = RoleAssignment
        fields = ("id", "url", "display", "user", "role", "district", "school", "agency", *AUDIT_FIELDS)
        read_only_fields: ClassVar[tuple[str, ...]] = AUDIT_FIELDS
