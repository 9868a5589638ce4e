"""The record form for role assignments (the sign-in forms live in forms.py)."""

from srodesk.core.forms import RecordForm

from .models import RoleAssignment


class RoleAssignmentForm(RecordForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "district", "school", "agency")
