from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.people.models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle

from .factories import (
    DisclosureFactory,
    GuardianFactory,
    OtherPersonFactory,
    RosterImportFactory,
    StaffMemberFactory,
    StudentFactory,
    VehicleFactory,
)


def side(cls: Any, home: bool) -> Any:
    return cls.school_home if home else cls.school_away


class StudentTests:
    model = Student
    factory = StudentFactory
    scope = "school"
    edit_field = ("family_name", "Renamed")

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "schools": [self.school_home.pk],  # type: ignore[attr-defined]
            "given_name": "María",
            "family_name": "Núñez",
            "identifier": "S999001",
            "birth_date": "2011-02-03",
            "grade": "09",
            "sex": "female",
            "active": True,
        }


class StudentViewTests(StudentTests, ViewTestCases.RecordViewTests):
    pass


class StaffMemberTests:
    model = StaffMember
    factory = StaffMemberFactory
    scope = "school"
    edit_field = ("title", "Dean of students")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return StaffMemberFactory(school=side(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            StaffMemberFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "schools": [self.school_home.pk],  # type: ignore[attr-defined]
            "given_name": "Pat",
            "family_name": "Rivera",
            "role": "counselor",
            "active": True,
        }


class StaffMemberViewTests(StaffMemberTests, ViewTestCases.RecordViewTests):
    pass


class GuardianTests:
    model = Guardian
    factory = GuardianFactory
    scope = "school"
    edit_field = ("phone", "555-0199")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return GuardianFactory(student=StudentFactory(school=side(cls, home)))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            GuardianFactory(student=StudentFactory(school=cls.school_home))  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        student = self.obj_home.students.get()  # type: ignore[attr-defined]
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "students": [student.pk],
            "given_name": "Rosa",
            "family_name": "Diaz",
            "relationship": "guardian",
            "phone": "555-0123",
            "active": True,
        }


class GuardianViewTests(GuardianTests, ViewTestCases.RecordViewTests):
    pass


class OtherPersonTests:
    model = OtherPerson
    factory = OtherPersonFactory
    scope = "school"
    edit_field = ("description", "Red jacket, about 180 cm")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return OtherPersonFactory(school=side(cls, home))

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "kind": "visitor",
            "given_name": "Chris",
            "family_name": "Doe",
        }


class OtherPersonViewTests(OtherPersonTests, ViewTestCases.RecordViewTests):
    pass


class VehicleTests:
    model = Vehicle
    factory = VehicleFactory
    scope = "school"
    edit_field = ("colour", "Silver")

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return VehicleFactory(school=side(cls, home))

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "school": self.school_home.pk,  # type: ignore[attr-defined]
            "plate": "XYZ 987",
            "plate_state": "MI",
            "make": "Honda",
            "model": "Civic",
            "colour": "Red",
        }


class VehicleViewTests(VehicleTests, ViewTestCases.RecordViewTests):
    pass


class DisclosureTests:
    model = Disclosure
    factory = DisclosureFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return DisclosureFactory(student=StudentFactory(school=side(cls, home)))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            DisclosureFactory(student=StudentFactory(school=cls.school_home))  # type: ignore[attr-defined]


class DisclosureViewTests(DisclosureTests, ViewTestCases.RecordViewTests):
    pass


class RosterImportTests:
    model = RosterImport
    factory = RosterImportFactory
    scope = "district"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return RosterImportFactory(district=cls.district_home if home else cls.district_away)  # type: ignore[attr-defined]


class RosterImportViewTests(RosterImportTests, ViewTestCases.RecordViewTests):
    pass
