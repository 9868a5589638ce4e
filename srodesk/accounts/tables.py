from srodesk.core.tables import RecordTable

from .models import RoleAssignment


class RoleAssignmentTable(RecordTable):
    model = RoleAssignment
    fields = ("user", "role", "district", "school", "agency", "created_at")
    default_columns = ("user", "role", "district", "school", "agency")
