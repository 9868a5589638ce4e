from typing import Any, ClassVar

from srodesk.core.testing import ViewTestCases
from srodesk.threats.models import Team, TeamMember, ThreatCase

from .factories import StudentFactory, TeamFactory, ThreatCaseFactory


class TeamTests:
    model = Team
    factory = TeamFactory
    scope = "school"
    edit_field: ClassVar[tuple[str, Any]] = ("name", "Renamed team")

    def get_form_data(self) -> dict[str, Any]:
        return {"school": self.school_home.pk, "name": "New team", "active": True}  # type: ignore[attr-defined]


class TeamViewTests(TeamTests, ViewTestCases.RecordViewTests):
    pass


class ThreatCaseTests:
    """In-scope users are on the home team (a case is need-to-know); the test role also holds the override."""

    model = ThreatCase
    factory = ThreatCaseFactory
    scope = "school"
    edit_field: ClassVar[tuple[str, Any]] = ("location", "Gymnasium")
    teams: ClassVar[dict[bool, Team]]
    students: ClassVar[dict[bool, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.teams = {}
        cls.students = {}
        super().setUpTestData()  # type: ignore[misc]
        for user, home in ((cls.user_in, True), (cls.user_adder, True), (cls.user_out, False)):  # type: ignore[attr-defined]
            TeamMember.objects.create(team=cls.side_team(home), user=user, team_role="other")

    @classmethod
    def side_team(cls, home: bool) -> Team:
        if home not in cls.teams:
            school = cls.school_home if home else cls.school_away  # type: ignore[attr-defined]
            cls.teams[home] = TeamFactory(school=school)
            cls.students[home] = StudentFactory(school=school)
        return cls.teams[home]

    @classmethod
    def create_object(cls, *, home: bool) -> Any:
        team = cls.side_team(home)
        return ThreatCaseFactory(school=team.school, team=team, student=cls.students[home])

    def get_form_data(self) -> dict[str, Any]:
        return {
            "team": self.side_team(True).pk,
            "student": self.students[True].pk,
            "reported_at": "2026-03-02T10:15",
            "how_reported": "online_form",
            "reporter_anonymous": True,
            "exact_words": "Watch what happens to you on Friday.",
            "targets": "A classmate",
        }


class ThreatCaseViewTests(ThreatCaseTests, ViewTestCases.RecordViewTests):
    pass
