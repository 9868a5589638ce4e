"""The generated page suites: every reunification type, in and out of scope (scope: the event's school)."""

from typing import Any

from srodesk.core.testing import ViewTestCases
from srodesk.reunification.models import EventStudent, ReunificationCard, ReunificationEvent, ReunificationException

from .factories import (
    EventStudentFactory,
    ReunificationCardFactory,
    ReunificationEventFactory,
    ReunificationExceptionFactory,
)


def side(cls: Any, home: bool) -> Any:
    return cls.school_home if home else cls.school_away


class ReunificationEventTests:
    model = ReunificationEvent
    factory = ReunificationEventFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return ReunificationEventFactory(school=side(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            ReunificationEventFactory(school=cls.school_home)  # type: ignore[attr-defined]

    def get_form_data(self) -> dict[str, Any]:
        return {
            "district": self.district_home.pk,  # type: ignore[attr-defined]
            "schools": [self.school_home.pk],  # type: ignore[attr-defined]
            "site_name": "First Church",
            "site_address": "2 Oak Street",
            "assembly_area": "Fellowship hall",
            "is_drill": True,
        }


class EventStudentTests:
    model = EventStudent
    factory = EventStudentFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return EventStudentFactory(school=side(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            EventStudentFactory(school=cls.school_home)  # type: ignore[attr-defined]


class ReunificationCardTests:
    model = ReunificationCard
    factory = ReunificationCardFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return ReunificationCardFactory(school=side(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            ReunificationCardFactory(school=cls.school_home)  # type: ignore[attr-defined]


class ReunificationExceptionTests:
    model = ReunificationException
    factory = ReunificationExceptionFactory
    scope = "school"

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        return ReunificationExceptionFactory(school=side(cls, home))

    @classmethod
    def create_extra(cls, count: int) -> None:
        for _ in range(count):
            ReunificationExceptionFactory(school=cls.school_home)  # type: ignore[attr-defined]


class ReunificationEventViewTests(ReunificationEventTests, ViewTestCases.RecordViewTests):
    pass


class EventStudentViewTests(EventStudentTests, ViewTestCases.RecordViewTests):
    pass


class ReunificationCardViewTests(ReunificationCardTests, ViewTestCases.RecordViewTests):
    pass


class ReunificationExceptionViewTests(ReunificationExceptionTests, ViewTestCases.RecordViewTests):
    pass
