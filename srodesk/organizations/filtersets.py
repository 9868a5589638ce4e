import django_filters

from srodesk.core.filtersets import RecordFilterSet

from .choices import RuleSet, SchoolLevel
from .models import Agency, District, Partnership, School


class DistrictFilterSet(RecordFilterSet):
    class Meta:
        model = District
        fields = ("state",)


class SchoolFilterSet(RecordFilterSet):
    level = django_filters.ChoiceFilter(choices=SchoolLevel.choices)

    class Meta:
        model = School
        fields = ("level", "city")


class AgencyFilterSet(RecordFilterSet):
    class Meta:
        model = Agency
        fields = ("state", "ori")


class PartnershipFilterSet(RecordFilterSet):
    drill_rule_set = django_filters.ChoiceFilter(choices=RuleSet.choices)

    class Meta:
        model = Partnership
        fields = ("state", "drill_rule_set")
