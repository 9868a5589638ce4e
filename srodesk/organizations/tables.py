from srodesk.core.tables import RecordTable

from .models import Agency, District, Partnership, School


class DistrictTable(RecordTable):
    model = District
    fields = ("name", "slug", "state", "nces_id", "created_at")
    default_columns = ("name", "state", "nces_id")


class SchoolTable(RecordTable):
    model = School
    fields = ("name", "district", "level", "nces_id", "city", "timezone", "created_at")
    default_columns = ("name", "district", "level", "city")


class AgencyTable(RecordTable):
    model = Agency
    fields = ("name", "ori", "state", "phone", "created_at")
    default_columns = ("name", "ori", "state")


class PartnershipTable(RecordTable):
    model = Partnership
    fields = ("agency", "district", "state", "drill_rule_set", "mandated_report_rules", "mou_signed_on")
    default_columns = ("agency", "district", "state", "drill_rule_set")
