from django import forms

from srodesk.core.forms import RecordForm

from .models import Disclosure, Guardian, OtherPerson, RosterImport, StaffMember, Student, Vehicle

DATE = forms.DateInput(attrs={"type": "date"})


class StudentForm(RecordForm):
    class Meta:
        model = Student
        fields = (
            "district",
            "school",
            "schools",
            "given_name",
            "middle_name",
            "family_name",
            "preferred_given_name",
            "preferred_family_name",
            "identifier",
            "birth_date",
            "grade",
            "sex",
            "hispanic_latino",
            "american_indian",
            "asian",
            "black",
            "pacific_islander",
            "white",
            "two_or_more_races",
            "idea",
            "idea_start",
            "idea_end",
            "section_504",
            "section_504_start",
            "section_504_end",
            "english_learner",
            "english_learner_start",
            "english_learner_end",
            "email",
            "phone",
            "active",
        )
        widgets = {
            "birth_date": DATE,
            "idea_start": DATE,
            "idea_end": DATE,
            "section_504_start": DATE,
            "section_504_end": DATE,
            "english_learner_start": DATE,
            "english_learner_end": DATE,
        }


class StaffMemberForm(RecordForm):
    class Meta:
        model = StaffMember
        fields = (
            "district",
            "schools",
            "given_name",
            "middle_name",
            "family_name",
            "role",
            "title",
            "identifier",
            "email",
            "phone",
            "active",
        )


class GuardianForm(RecordForm):
    class Meta:
        model = Guardian
        fields = (
            "district",
            "students",
            "given_name",
            "family_name",
            "relationship",
            "phone",
            "sms",
            "email",
            "active",
        )


class OtherPersonForm(RecordForm):
    class Meta:
        model = OtherPerson
        fields = (
            "district",
            "school",
            "agency",
            "kind",
            "given_name",
            "middle_name",
            "family_name",
            "birth_date",
            "phone",
            "address",
            "description",
        )
        widgets = {"birth_date": DATE}


class VehicleForm(RecordForm):
    class Meta:
        model = Vehicle
        fields = (
            "district",
            "school",
            "plate",
            "plate_state",
            "make",
            "model",
            "year",
            "colour",
            "owner_student",
            "owner_staff",
            "owner_other",
        )


class DisclosureForm(RecordForm):
    class Meta:
        model = Disclosure
        fields = (
            "student",
            "disclosed_at",
            "recipient_name",
            "recipient_organization",
            "recipient_kind",
            "requested_by",
            "basis",
            "legitimate_interest",
            "records_disclosed",
            "threat_description",
            "court_order_reference",
            "parent_notified_on",
            "redisclosure_allowed",
            "redisclosure_note",
        )
        widgets = {
            "disclosed_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "parent_notified_on": DATE,
        }


class RosterImportForm(RecordForm):
    class Meta:
        model = RosterImport
        fields = ("district", "dry_run")
