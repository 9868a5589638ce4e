from srodesk.core.registry import RecordType, register

from .api.serializers import (
    DisclosureSerializer,
    GuardianSerializer,
    OtherPersonSerializer,
    RosterImportSerializer,
    StaffMemberSerializer,
    StudentSerializer,
    VehicleSerializer,
)
from .api.views import DisclosureViewSet
from .filtersets import (
    DisclosureFilterSet,
    GuardianFilterSet,
    OtherPersonFilterSet,
    RosterImportFilterSet,
    StaffMemberFilterSet,
    StudentFilterSet,
    VehicleFilterSet,
)
from .forms import (
    DisclosureForm,
    GuardianForm,
    OtherPersonForm,
    RosterImportForm,
    StaffMemberForm,
    StudentForm,
    VehicleForm,
)
from .models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle
from .tables import (
    DisclosureTable,
    GuardianTable,
    OtherPersonTable,
    RosterImportTable,
    StaffMemberTable,
    StudentTable,
    VehicleTable,
)

PEOPLE = "People"

register(
    RecordType(Student, StudentFilterSet, StudentTable, StudentForm, StudentSerializer, nav_group=PEOPLE, nav_order=10)
)
register(
    RecordType(
        StaffMember,
        StaffMemberFilterSet,
        StaffMemberTable,
        StaffMemberForm,
        StaffMemberSerializer,
        nav_group=PEOPLE,
        nav_order=11,
    )
)
register(
    RecordType(
        Guardian, GuardianFilterSet, GuardianTable, GuardianForm, GuardianSerializer, nav_group=PEOPLE, nav_order=12
    )
)
register(
    RecordType(
        OtherPerson,
        OtherPersonFilterSet,
        OtherPersonTable,
        OtherPersonForm,
        OtherPersonSerializer,
        nav_group=PEOPLE,
        nav_order=13,
    )
)
register(
    RecordType(Vehicle, VehicleFilterSet, VehicleTable, VehicleForm, VehicleSerializer, nav_group=PEOPLE, nav_order=14)
)
# Disclosures are written by the disclosure service only (append-only): no generic add/edit/delete pages.
register(
    RecordType(
        Disclosure,
        DisclosureFilterSet,
        DisclosureTable,
        DisclosureForm,
        DisclosureSerializer,
        nav_group=PEOPLE,
        nav_order=15,
        editable=False,
        viewset=DisclosureViewSet,
    )
)
# Imports are started from the upload page and run as a task.
register(
    RecordType(
        RosterImport,
        RosterImportFilterSet,
        RosterImportTable,
        RosterImportForm,
        RosterImportSerializer,
        nav_group="Administration",
        nav_order=190,
        editable=False,
    )
)
