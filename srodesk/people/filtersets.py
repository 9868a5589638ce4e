import django_filters

from srodesk.core.filtersets import RecordFilterSet

from .choices import CrdcRace, DisclosureBasis, Grade, ImportStatus, OtherPersonKind, Sex, StaffRole
from .models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle


class StudentFilterSet(RecordFilterSet):
    grade = django_filters.ChoiceFilter(choices=Grade.choices)
    sex = django_filters.ChoiceFilter(choices=Sex.choices)
    crdc_race = django_filters.ChoiceFilter(choices=CrdcRace.choices, label="CRDC race/ethnicity")
    active = django_filters.BooleanFilter()
    birth_date = django_filters.DateFilter()
    idea = django_filters.BooleanFilter(label="IDEA")
    section_504 = django_filters.BooleanFilter(label="Section 504 only")
    english_learner = django_filters.BooleanFilter(label="English learner")

    class Meta:
        model = Student
        fields = ("grade", "sex", "crdc_race", "active", "birth_date", "idea", "section_504", "english_learner")


class StaffMemberFilterSet(RecordFilterSet):
    role = django_filters.ChoiceFilter(choices=StaffRole.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = StaffMember
        fields = ("role", "active")


class GuardianFilterSet(RecordFilterSet):
    active = django_filters.BooleanFilter()

    class Meta:
        model = Guardian
        fields = ("active", "relationship")


class OtherPersonFilterSet(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=OtherPersonKind.choices)

    class Meta:
        model = OtherPerson
        fields = ("kind",)


class VehicleFilterSet(RecordFilterSet):
    plate_state = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Vehicle
        fields = ("plate_state", "make")


class DisclosureFilterSet(RecordFilterSet):
    basis = django_filters.ChoiceFilter(choices=DisclosureBasis.choices)
    student_id = django_filters.NumberFilter(field_name="student_id")
    disclosed_after = django_filters.DateFilter(field_name="disclosed_at", lookup_expr="date__gte")
    disclosed_before = django_filters.DateFilter(field_name="disclosed_at", lookup_expr="date__lte")

    class Meta:
        model = Disclosure
        fields = ("basis", "recipient_kind")


class RosterImportFilterSet(RecordFilterSet):
    status = django_filters.ChoiceFilter(choices=ImportStatus.choices)

    class Meta:
        model = RosterImport
        fields = ("status", "dry_run")
