import django_filters

from srodesk.core.filtersets import RecordFilterSet

from .models import Role, RoleAssignment


class RoleAssignmentFilterSet(RecordFilterSet):
    role = django_filters.ModelChoiceFilter(queryset=Role.objects.all())
    username = django_filters.CharFilter(field_name="user__username", lookup_expr="icontains", label="Username")

    class Meta:
        model = RoleAssignment
        fields = ("role",)
