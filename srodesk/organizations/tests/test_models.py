import pytest
from django.core.exceptions import ValidationError

from srodesk.organizations.models import Agency, Partnership, School, validate_boundary

from .factories import DistrictFactory, PartnershipFactory, SchoolFactory

SQUARE = [[[-83.1, 42.3], [-83.0, 42.3], [-83.0, 42.4], [-83.1, 42.4], [-83.1, 42.3]]]


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Polygon", "coordinates": SQUARE},
        {"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": SQUARE}},
    ],
)
def test_valid_boundaries(value: object) -> None:
    validate_boundary(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"type": "Point", "coordinates": [-83.1, 42.3]}, "must be a GeoJSON Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[-83.1, 42.3], [-83.0, 42.3], [-83.1, 42.3]]]}, "at least 4 positions"),
        ({"type": "Polygon", "coordinates": [[[-83.1, 42.3], [-83.0, 42.3], [-83.0, 42.4], [-83.0, 42.5]]]}, "closed"),
        ({"type": "Polygon", "coordinates": [[[-200, 42.3], [-83.0, 42.3], [-83.0, 42.4], [-200, 42.3]]]}, "longitude"),
        ({"type": "Polygon", "coordinates": []}, "no coordinates"),
    ],
)
def test_invalid_boundaries(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_boundary(value)
    assert message in str(exc.value)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ori", "ok"), [("MI8123400", True), ("mi8123400", False), ("MI812340", False), ("M18123400", False)]
)
def test_ori_is_nine_characters_with_state_prefix(ori: str, ok: bool) -> None:
    agency = Agency(name="X", ori=ori, state="MI")
    if ok:
        agency.full_clean()
    else:
        with pytest.raises(ValidationError) as exc:
            agency.full_clean()
        assert "ori" in exc.value.message_dict


@pytest.mark.django_db
def test_school_timezone_must_exist() -> None:
    school = SchoolFactory.build(district=DistrictFactory(), timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as exc:
        school.full_clean()
    assert exc.value.message_dict["timezone"] == ["'Mars/Olympus' is not a known time zone (use e.g. America/Detroit)."]


@pytest.mark.django_db
def test_school_year_start_day_must_exist_in_month() -> None:
    partnership = PartnershipFactory.build(
        agency=PartnershipFactory().agency,
        district=DistrictFactory(),
        school_year_start_month=2,
        school_year_start_day=30,
    )
    with pytest.raises(ValidationError) as exc:
        partnership.full_clean()
    assert exc.value.message_dict["school_year_start_day"] == ["That month has only 28 days."]


@pytest.mark.django_db
def test_retention_years_by_record_class() -> None:
    partnership: Partnership = PartnershipFactory(retention_law_enforcement_years=10, retention_education_years=4)
    assert partnership.retention_years("law_enforcement") == 10
    assert partnership.retention_years("education") == 4


@pytest.mark.django_db
def test_school_names_are_unique_per_district_among_live_rows() -> None:
    district = DistrictFactory()
    first = School.objects.create(district=district, name="Central High")
    duplicate = School(district=district, name="Central High")
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    School.objects.filter(pk=first.pk).update(deleted_at="2026-01-01T00:00:00Z")
    duplicate.full_clean()  # a deleted school no longer holds its name
