from srodesk.core.registry import RecordType, register

from .api.serializers import AgencySerializer, DistrictSerializer, PartnershipSerializer, SchoolSerializer
from .filtersets import AgencyFilterSet, DistrictFilterSet, PartnershipFilterSet, SchoolFilterSet
from .forms import AgencyForm, DistrictForm, PartnershipForm, SchoolForm
from .models import Agency, District, Partnership, School
from .tables import AgencyTable, DistrictTable, PartnershipTable, SchoolTable

GROUP = "Organisations"

register(
    RecordType(
        District, DistrictFilterSet, DistrictTable, DistrictForm, DistrictSerializer, nav_group=GROUP, nav_order=90
    )
)
register(RecordType(School, SchoolFilterSet, SchoolTable, SchoolForm, SchoolSerializer, nav_group=GROUP, nav_order=91))
register(RecordType(Agency, AgencyFilterSet, AgencyTable, AgencyForm, AgencySerializer, nav_group=GROUP, nav_order=92))
register(
    RecordType(
        Partnership,
        PartnershipFilterSet,
        PartnershipTable,
        PartnershipForm,
        PartnershipSerializer,
        nav_group=GROUP,
        nav_order=93,
    )
)
