from srodesk.core.tables import RecordTable

from .models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle


class StudentTable(RecordTable):
    model = Student
    fields = (
        "display_name",
        "identifier",
        "grade",
        "school",
        "birth_date",
        "sex",
        "crdc_race",
        "active",
        "idea",
        "section_504",
        "english_learner",
        "sourced_id",
    )
    default_columns = ("display_name", "identifier", "grade", "school", "birth_date", "active")
    headers = {"display_name": "Name"}


class StaffMemberTable(RecordTable):
    model = StaffMember
    fields = ("full_name", "role", "title", "email", "phone", "identifier", "active")
    default_columns = ("full_name", "role", "email", "phone", "active")
    headers = {"full_name": "Name"}


class GuardianTable(RecordTable):
    model = Guardian
    fields = ("full_name", "relationship", "phone", "sms", "email", "active")
    headers = {"full_name": "Name"}


class OtherPersonTable(RecordTable):
    model = OtherPerson
    fields = ("full_name", "kind", "birth_date", "school", "phone", "created_at")
    default_columns = ("full_name", "kind", "school", "created_at")
    headers = {"full_name": "Name"}


class VehicleTable(RecordTable):
    model = Vehicle
    fields = ("plate", "plate_state", "make", "model", "colour", "year", "school")
    default_columns = ("plate", "plate_state", "make", "model", "colour")


class DisclosureTable(RecordTable):
    model = Disclosure
    fields = ("disclosed_at", "student", "recipient_name", "recipient_organization", "basis", "created_by")
    headers = {"created_by": "Disclosed by"}


class RosterImportTable(RecordTable):
    model = RosterImport
    fields = ("created_at", "source_name", "status", "dry_run", "oneroster_version", "mode", "created_by")
