"""The CSTAG workflow: each path through the steps, and every refusal leaves the case as it was."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from srodesk.audit.models import AuditEvent
from srodesk.threats import services
from srodesk.threats.choices import CaseStatus, Classification, Step
from srodesk.threats.models import (
    CaseEvent,
    DisciplineRecord,
    Interview,
    MonitoringEntry,
    ProtectiveAction,
    SafetyPlanItem,
    TeamMember,
    ThemeFinding,
    ThreatCase,
)

from .conftest import World

pytestmark = pytest.mark.django_db

CHILDREN = (Interview, ProtectiveAction, SafetyPlanItem, MonitoringEntry, ThemeFinding, DisciplineRecord, CaseEvent)


def state(case: ThreatCase) -> dict[str, Any]:
    """Everything a refused step must leave untouched: the case row, its parts and the audit log."""
    row = ThreatCase.objects.filter(pk=case.pk).values().get()
    parts = {m.__name__: m.objects.filter(case=case).count() for m in CHILDREN}
    return {"row": row, "parts": parts, "audit": AuditEvent.objects.count()}


@contextmanager
def refused(case: ThreatCase, *messages: str, error: type[Exception] = ValidationError) -> Iterator[None]:
    """The block raises ``error`` naming each message, and changes nothing."""
    before = state(case)
    with pytest.raises(error) as info:
        yield
    text = " ".join(info.value.messages) if isinstance(info.value, ValidationError) else str(info.value)
    for message in messages:
        assert message in text
    assert state(case) == before


def interview(world: World, subject: str = "student") -> Interview:
    return services.record_interview(
        actor=world.counselor,
        case=world.case,
        subject=subject,
        person_name="Dylan Marsh" if subject == "student" else "Sam Lee",
        answers={"exact_words": "I said I'd beat him up.", "meaning": "I was angry about the game."},
    )


def fresh(case: ThreatCase) -> ThreatCase:
    return ThreatCase.objects.get(pk=case.pk)


def act(world: World, *kinds: str) -> None:
    for kind in kinds:
        services.record_protective_action(actor=world.counselor, case=world.case, kind=kind, notes="done")


SERIOUS_ACTIONS = ("victim_notified", "victim_parents_notified", "student_parents_notified")


# --- step 1 ---------------------------------------------------------------------------------------


def test_a_new_case_is_at_step_one_with_interview_and_classification_due(world: World) -> None:
    case = fresh(world.case)
    assert case.step == Step.EVALUATE
    assert [d.key for d in case.due()] == ["interview", "classify"]
    assert not any(d.overdue for d in case.due())
    late = case.reported_at + dt.timedelta(days=1, minutes=1)
    assert [d.overdue for d in case.due(late)] == [True, True]


def test_cannot_classify_before_an_interview(world: World) -> None:
    with refused(world.case, "record at least one interview before classifying"):
        services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")


def test_an_interview_keeps_the_answers_by_standard_prompt(world: World) -> None:
    row = interview(world)
    assert row.answers == {"exact_words": "I said I'd beat him up.", "meaning": "I was angry about the game."}
    assert row.answered_prompts() == [
        ("What exactly did you say or do? (record the exact words)", "I said I'd beat him up."),
        ("What did you mean when you said or did that?", "I was angry about the game."),
    ]
    assert row.interviewer == world.counselor
    assert list(CaseEvent.objects.filter(case=world.case).values_list("kind", flat=True)) == [
        "member_added",
        "interview",
    ]


def test_an_interview_needs_a_name_and_an_account(world: World) -> None:
    with refused(world.case, "Name the person interviewed.", "answer at least one prompt"):
        services.record_interview(
            actor=world.counselor, case=world.case, subject="witness", person_name=" ", answers={}
        )
    with refused(world.case, "Unknown prompts: favourite_colour."):
        services.record_interview(
            actor=world.counselor,
            case=world.case,
            subject="witness",
            person_name="Sam",
            answers={"favourite_colour": "x"},
        )


# --- transient ------------------------------------------------------------------------------------


def test_transient_path(world: World) -> None:
    interview(world)
    with refused(world.case, "A transient threat needs the reasoning"):
        services.classify(actor=world.counselor, case=world.case, classification="transient", reasoning="   ")
    case = services.classify(
        actor=world.counselor, case=world.case, classification="transient", reasoning="Figure of speech; apologised."
    )
    assert (case.classification, case.step) == (Classification.TRANSIENT, Step.TRANSIENT)
    assert case.classified_by == world.counselor
    assert [d.key for d in fresh(case).due()] == ["close"]
    assert services.closure_problems(fresh(case)) == []
    with refused(case, "Summarise the outcome of the case."):
        services.close_case(actor=world.counselor, case=case, summary="")
    closed = services.close_case(actor=world.counselor, case=case, summary="Resolved with an apology.")
    assert (closed.status, closed.step, closed.closed_by) == (CaseStatus.CLOSED, Step.CLOSED, world.counselor)
    assert fresh(closed).due() == []
    with refused(closed, "The case is closed"):
        interview(world)


def test_changing_a_classification_needs_a_reason(world: World) -> None:
    interview(world)
    services.classify(actor=world.counselor, case=world.case, classification="transient", reasoning="A joke.")
    with refused(world.case, "Give the reason for changing the classification."):
        services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")
    case = services.classify(
        actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="Repeated the threat."
    )
    assert case.step == Step.SERIOUS


# --- serious substantive --------------------------------------------------------------------------


def test_serious_substantive_path_needs_the_protective_actions(world: World) -> None:
    interview(world)
    services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")
    case = fresh(world.case)
    assert case.step == Step.SERIOUS
    assert [d.key for d in case.due()] == [
        "action:victim_notified",
        "action:victim_parents_notified",
        "action:student_parents_notified",
        "close",
    ]
    with refused(
        case,
        "Record the protective actions: Intended victim notified, Intended victim's parents notified, "
        "Student's parents notified.",
    ):
        services.close_case(actor=world.counselor, case=case, summary="Mediated.")
    act(world, "victim_notified", "victim_parents_notified")
    with refused(case, "Record the protective actions: Student's parents notified."):
        services.close_case(actor=world.counselor, case=case, summary="Mediated.")
    act(world, "student_parents_notified")
    assert [d.key for d in fresh(case).due()] == ["close"]
    closed = services.close_case(actor=world.counselor, case=case, summary="Mediated; parents informed.")
    assert closed.status == CaseStatus.CLOSED


def test_protective_actions_keep_their_times(world: World) -> None:
    at = timezone.now() - dt.timedelta(minutes=30)
    action = services.record_protective_action(
        actor=world.counselor, case=world.case, kind="student_parents_notified", taken_at=at, notes="Mother, by phone"
    )
    assert (action.taken_at, action.taken_by, action.notes) == (at, world.counselor, "Mother, by phone")
    with refused(world.case, "the time is in the future"):
        services.record_protective_action(
            actor=world.counselor,
            case=world.case,
            kind="victim_notified",
            taken_at=timezone.now() + dt.timedelta(hours=1),
        )
    with refused(world.case, "Describe the protective action."):
        services.record_protective_action(actor=world.counselor, case=world.case, kind="other")


def test_discipline_is_separate_from_the_classification(world: World) -> None:
    interview(world)
    services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")
    before = fresh(world.case)
    due_before = [d.key for d in before.due()]
    record = services.record_discipline(
        actor=world.admin, case=world.case, action="out_of_school_suspension", days=3, notes="Code of conduct 4.2"
    )
    after = fresh(world.case)
    assert (record.action, record.days, record.decided_by) == ("out_of_school_suspension", 3, world.admin)
    assert (after.classification, after.step, after.classified_at) == (
        before.classification,
        before.step,
        before.classified_at,
    )
    assert [d.key for d in after.due()] == due_before
    # And a classification never needs discipline: a transient case closes with none recorded.


# --- very serious substantive ---------------------------------------------------------------------


def test_very_serious_path_with_safety_evaluation_plan_and_review(world: World) -> None:
    interview(world)
    interview(world, "recipient")
    services.classify(
        actor=world.counselor, case=world.case, classification="very_serious_substantive", reasoning="Mentioned a gun."
    )
    case = fresh(world.case)
    assert case.step == Step.SAFETY_EVALUATION
    with refused(case, "Record first: Law enforcement consulted, Mental-health assessment."):
        services.complete_safety_evaluation(actor=world.counselor, case=case, summary="Low access to weapons.")
    with refused(case, "Complete the safety evaluation (step 4).", "Write the safety plan"):
        services.close_case(actor=world.counselor, case=case, summary="Done.")
    act(
        world, *SERIOUS_ACTIONS, "law_enforcement_consulted", "mental_health_assessment", "placement_pending_evaluation"
    )
    with refused(case, "Summarise the safety evaluation."):
        services.complete_safety_evaluation(actor=world.counselor, case=case, summary="")
    case = services.complete_safety_evaluation(actor=world.counselor, case=case, summary="No weapon access found.")
    assert case.step == Step.SAFETY_PLAN
    with refused(case, "already complete"):
        services.complete_safety_evaluation(actor=world.counselor, case=case, summary="again")

    # Step 5: a plan of at least one item, then a review of it.
    with refused(case, "Write the safety plan: at least one item (step 5)."):
        services.close_case(actor=world.counselor, case=case, summary="Done.")
    with refused(case, "There is no safety plan to review yet."):
        services.add_monitoring_entry(actor=world.counselor, case=case, kind="plan_review", notes="Reviewed.")
    with refused(case, "The owner must be on the case's team or added to the case."):
        services.add_plan_item(
            actor=world.counselor, case=case, action="Check-ins", owner=world.sro_outsider, due_on=timezone.localdate()
        )
    first = services.add_plan_item(
        actor=world.counselor,
        case=case,
        action="Daily check-in with the counselor",
        owner=world.counselor,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    assert [d.key for d in fresh(case).due()] == [f"item:{first.pk}", "plan_review", "close"]
    with refused(case, "Record a review of the safety plan after its last item was added."):
        services.close_case(actor=world.counselor, case=case, summary="Done.")
    services.add_monitoring_entry(actor=world.counselor, case=case, kind="plan_review", notes="Plan reviewed.")
    second = services.add_plan_item(
        actor=world.counselor,
        case=case,
        action="Bag check on arrival",
        owner=world.bit_added,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    with refused(case, "Record a review of the safety plan after its last item was added."):
        services.close_case(actor=world.counselor, case=case, summary="Done.")
    services.add_monitoring_entry(actor=world.counselor, case=case, kind="plan_review", notes="Revised plan reviewed.")
    done = services.complete_plan_item(actor=world.bit_added, item=second)
    assert done.done_at is not None
    with refused(case, "The item is already done."):
        services.complete_plan_item(actor=world.counselor, item=second)
    closed = services.close_case(actor=world.counselor, case=case, summary="Plan in place; monitoring ends.")
    assert closed.status == CaseStatus.CLOSED
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("protective_action") == 6
    assert kinds[-1] == "closed"


def test_a_safety_evaluation_is_only_for_very_serious_threats(world: World) -> None:
    interview(world)
    services.classify(actor=world.counselor, case=world.case, classification="serious_substantive", reasoning="")
    with refused(world.case, "step 4 of a very serious substantive threat only"):
        services.complete_safety_evaluation(actor=world.counselor, case=world.case, summary="x")


def test_a_plan_needs_a_substantive_classification(world: World) -> None:
    with refused(world.case, "classify the threat first"):
        services.add_plan_item(
            actor=world.counselor,
            case=world.case,
            action="Check-ins",
            owner=world.counselor,
            due_on=timezone.localdate(),
        )


def test_plan_items_are_overdue_after_their_date(world: World) -> None:
    interview(world)
    services.classify(actor=world.counselor, case=world.case, classification="very_serious_substantive", reasoning="")
    item = services.add_plan_item(
        actor=world.counselor,
        case=world.case,
        action="Check-ins",
        owner=world.counselor,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    due = {d.key: d for d in fresh(world.case).due()}
    assert due[f"item:{item.pk}"].overdue is True
    assert item.is_overdue is True


# --- themes ---------------------------------------------------------------------------------------


def test_themes_need_evidence_and_source_for_a_finding(world: World) -> None:
    with refused(world.case, "Give the evidence for this finding.", "Name the source of the evidence."):
        services.save_theme_findings(
            actor=world.counselor, case=world.case, findings={"weapons_access": {"finding": "concern"}}
        )
    rows = services.save_theme_findings(
        actor=world.counselor,
        case=world.case,
        findings={
            "weapons_access": {
                "finding": "concern",
                "evidence": "Father owns a rifle",
                "source": "Interview with mother",
            },
            "motive": {"finding": "not_assessed", "evidence": "", "source": ""},
        },
    )
    assert [(r.theme, r.finding, r.evidence, r.source) for r in rows] == [
        ("weapons_access", "concern", "Father owns a rifle", "Interview with mother")
    ]
    assert ThemeFinding.objects.filter(case=world.case).count() == 1


# --- who may take the steps -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sro_outsider", "counselor_other", "analyst", "removed"])
def test_people_who_cannot_see_the_case_cannot_change_it(world: World, who: str) -> None:
    with refused(world.case, error=PermissionDenied):
        services.record_interview(
            actor=world.users[who],
            case=world.case,
            subject="witness",
            person_name="Sam",
            answers={"what_happened": "x"},
        )


def test_the_school_administrator_may_take_steps_without_being_on_the_team(world: World) -> None:
    row = services.record_interview(
        actor=world.admin, case=world.case, subject="witness", person_name="Sam", answers={"what_happened": "A fight."}
    )
    assert row.interviewer == world.admin


# --- team membership ------------------------------------------------------------------------------


def test_only_the_school_administrator_changes_the_team(world: World) -> None:
    team = world.team
    for who in ("counselor", "sro_member", "sro_outsider", "counselor_other", "analyst"):
        before = TeamMember.objects.count()
        with pytest.raises(PermissionDenied):
            services.add_team_member(actor=world.users[who], team=team, user=world.sro_outsider, team_role="other")
        assert TeamMember.objects.count() == before
    member = services.add_team_member(
        actor=world.admin, team=team, user=world.sro_outsider, team_role="law_enforcement"
    )
    assert (member.team, member.user, member.team_role) == (team, world.sro_outsider, "law_enforcement")
    with pytest.raises(ValidationError, match="already on the team"):
        services.add_team_member(actor=world.admin, team=team, user=world.sro_outsider, team_role="other")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.remove_team_member(actor=world.admin, membership=member, reason=" ")


def test_a_removed_member_loses_sight_of_the_team_and_its_cases(world: World) -> None:
    def visible(user: Any) -> bool:
        return ThreatCase.objects.alive().restrict(user).filter(pk=world.case.pk).exists()

    member = services.add_team_member(actor=world.admin, team=world.team, user=world.sro_outsider, team_role="other")
    assert visible(world.sro_outsider)
    services.remove_team_member(actor=world.admin, membership=member, reason="reassigned")
    assert not visible(world.sro_outsider)
    event = AuditEvent.objects.for_object(member).get(action="delete")
    assert event.reason == "reassigned"


def test_people_added_to_a_case_see_it_until_removed(world: World) -> None:
    def visible(user: Any) -> bool:
        return ThreatCase.objects.alive().restrict(user).filter(pk=world.case.pk).exists()

    assert visible(world.bit_added)
    services.remove_case_member(actor=world.counselor, case=world.case, user=world.bit_added)
    assert not visible(world.bit_added)
    with refused(world.case, "was not added to the case"):
        services.remove_case_member(actor=world.counselor, case=world.case, user=world.bit_added)
