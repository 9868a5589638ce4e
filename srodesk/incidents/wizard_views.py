"""Mobile-first incident entry: a five-step wizard that saves the draft as the officer goes.

Steps: basics, narrative, offenses, people, review & submit. The first step creates the draft; every later
request loads it again through the policy engine. Each step's form autosaves through htmx (the response is
only the "Saved 10:42" status, so nothing the officer is typing is replaced), and a full post of a step
answers 422 with the errors and every typed value when something is wrong. Only the author, or a user who
may change incidents in the draft's scope, can continue a draft; a submitted or approved report opens on
its detail page instead.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from srodesk.audit.models import AuditEvent
from srodesk.core.audit import audit_context
from srodesk.core.filtersets import search_queryset
from srodesk.core.permissions import grants, has_perm, perm_name, restrict
from srodesk.organizations.models import Agency, School
from srodesk.people.models import Student

from .choices import IncidentStatus
from .models import Incident, InvolvedPerson, Offense
from .nibrs import codes

STEPS: tuple[tuple[str, str], ...] = (
    ("basics", "Basics"),
    ("narrative", "Narrative"),
    ("offenses", "Offenses"),
    ("people", "People"),
    ("review", "Review & submit"),
)
STEP_NAMES = tuple(name for name, _ in STEPS)
#: Statuses in which the author may still change the report through the wizard.
EDITABLE = frozenset({IncidentStatus.DRAFT, IncidentStatus.RETURNED})
STUDENT_RESULTS = 8
AGE_CODE = re.compile(r"^(\d{2}|\d{4}|NN|NB|BB)$")
ADD_INCIDENT = perm_name(Incident, "add")


# --- Scope ----------------------------------------------------------------------------------------


def schools_for(user: Any) -> QuerySet[School]:
    """The schools where the user may add an incident."""
    schools: QuerySet[School] = School.objects.alive().select_related("district").order_by("name", "pk")
    if user.is_superuser:
        return schools
    q = Q(pk__in=[])
    for grant in grants(user):
        if not grant.allows(Incident, "add"):
            continue
        if grant.is_platform:
            return schools
        if grant.school_id is not None:
            q |= Q(pk=grant.school_id)
        elif grant.district_id is not None:
            q |= Q(district_id=grant.district_id)
        elif grant.agency_id is not None:
            q |= Q(district__partnerships__agency_id=grant.agency_id, district__partnerships__deleted_at__isnull=True)
    return schools.filter(pk__in=School.objects.filter(q).values("pk"))


def agency_for(user: Any, school: School) -> Agency | None:
    """The agency of a new incident: the officer's own agency assignment, else the school's partnership agency."""
    partnered = Agency.objects.alive().filter(
        partnerships__district_id=school.district_id, partnerships__deleted_at__isnull=True
    )
    for grant in grants(user):
        if grant.agency_id is not None and grant.allows(Incident, "add"):
            agency: Agency | None = partnered.filter(pk=grant.agency_id).first()
            if agency is not None:
                return agency
    fallback: Agency | None = partnered.order_by("pk").first()
    return fallback


def _may_enter(user: Any) -> None:
    if not has_perm(user, ADD_INCIDENT):
        raise PermissionDenied


def load_draft(request: HttpRequest, pk: int) -> Incident:
    """The draft, if the user wrote it or may change it in its scope; 404 otherwise."""
    user = request.user
    _may_enter(user)
    alive = Incident.objects.alive().select_related("school", "agency")
    incident: Incident | None = restrict(alive, user, "change").filter(pk=pk).first()
    if incident is None:
        incident = alive.filter(Q(officer_id=user.pk) | Q(created_by_id=user.pk), pk=pk).first()
    if incident is None:
        raise Http404("No such draft.")
    return incident


def detail_url(incident: Incident) -> str:
    try:
        return incident.get_absolute_url()
    except NoReverseMatch:  # the record pages are not installed
        return reverse("core:dashboard")


def step_url(incident: Incident, step: str) -> str:
    return reverse("incidents:incident_wizard_step", args=[incident.pk, step])


# --- Forms ----------------------------------------------------------------------------------------

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def offense_choices() -> list[tuple[str, str]]:
    """UCR offenses as "Simple Assault (13B)", by name: typing the first letters in the list finds one."""
    rows = [(code, codes.label("OffenseCode", code)) for code, _ in codes.offense_choices()]
    return [("", "Choose an offense")] + [
        (code, f"{name} ({code})") for code, name in sorted(rows, key=lambda r: r[1].lower())
    ]


def _mark_errors(form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if field.required:
            field.widget.attrs.setdefault("aria-required", "true")
        if form.is_bound and name in form.errors:
            field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}_error"


class BasicsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Incident
        fields = (
            "school",
            "title",
            "occurred_at",
            "reported_at",
            "location_type",
            "school_relation",
            "location_detail",
            "source",
            "referred_by",
        )
        widgets = {
            "occurred_at": DATETIME_WIDGET,
            "reported_at": DATETIME_WIDGET,
            "school_relation": forms.RadioSelect,
            "source": forms.RadioSelect,
        }
        help_texts = {"occurred_at": "When it happened, as closely as known."}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        school.required = True
        school.queryset = schools_for(user)  # type: ignore[attr-defined]
        if school.queryset.count() == 1:  # type: ignore[attr-defined]
            school.empty_label = None  # type: ignore[attr-defined]
        self.fields["school_relation"].choices = [c for c in self.fields["school_relation"].choices if c[0]]  # type: ignore[attr-defined]
        self.fields["source"].choices = [c for c in self.fields["source"].choices if c[0]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        school: School | None = cleaned.get("school")
        if school is not None:
            moved = self.instance.district_id != school.district_id
            self.instance.district_id = school.district_id
            if self.instance.agency_id is None or moved:
                agency = agency_for(self.user, school)
                if agency is None:
                    self.add_error(
                        "school",
                        "No agency serves this school's district yet. Ask an administrator to record the partnership.",
                    )
                else:
                    self.instance.agency = agency
        return cleaned


class NarrativeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Incident
        fields = ("narrative",)
        widgets = {"narrative": forms.Textarea(attrs={"rows": 16, "spellcheck": "true"})}
        help_texts = {"narrative": "What happened, in order: who, what, when, where, how it came to you, what you did."}


class OffenseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Offense
        fields = ("ucr_code", "attempted_completed")
        labels = {"ucr_code": "Offense", "attempted_completed": "Attempted or completed"}
        widgets = {"attempted_completed": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ucr_code"].choices = offense_choices()  # type: ignore[attr-defined]


class PersonForm(forms.ModelForm):  # type: ignore[type-arg]
    """The officer's own NIBRS description of a person: never copied from the roster."""

    class Meta:
        model = InvolvedPerson
        fields: tuple[str, ...] = ("role", "age_code", "sex", "race", "ethnicity")
        labels = {"age_code": "Age (NIBRS)", "sex": "Sex (as observed)", "race": "Race (as observed)"}
        help_texts = {"age_code": "Two digits, 00 if unknown; a range as four digits (1517)."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age_code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_age_code(self) -> str:
        value: str = self.cleaned_data.get("age_code", "").strip().upper()
        if value and not AGE_CODE.match(value):
            raise ValidationError("Enter two digits (00 = unknown), a four-digit range such as 1517, or NN/NB/BB.")
        return value


class ChosenElsewhere(forms.HiddenInput):
    """Rendered by the student search results (radio buttons), not by the form itself."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        return SafeString("")


class NewPersonForm(PersonForm):
    student = forms.ModelChoiceField(
        queryset=Student.objects.none(),
        required=False,
        widget=ChosenElsewhere,
        error_messages={"invalid_choice": "Choose a student from the search results."},
    )

    class Meta(PersonForm.Meta):
        fields = ("role", "name", "age_code", "sex", "race", "ethnicity")
        labels = {**PersonForm.Meta.labels, "name": "Or: name of another person"}
        help_texts = {**PersonForm.Meta.help_texts, "name": "Staff, parent, visitor …: leave empty for a student."}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = restrict(Student.objects.alive(), user, "view")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        student = cleaned.get("student")
        name = cleaned.get("name", "").strip()
        if "student" in self.errors:
            return cleaned
        if student is None and not name:
            raise ValidationError("Choose a student from the search, or type the person's name.")
        if student is not None and name:
            raise ValidationError("Choose a student or type a name, not both.")
        return cleaned


# --- Rendering ------------------------------------------------------------------------------------


def _step_context(request: HttpRequest, incident: Incident | None, step: str, **extra: Any) -> dict[str, Any]:
    index = STEP_NAMES.index(step)
    steps = [
        {
            "name": name,
            "title": title,
            "number": i + 1,
            "url": step_url(incident, name) if incident is not None else "",
            "current": name == step,
        }
        for i, (name, title) in enumerate(STEPS)
    ]
    saved_at = timezone.localtime(incident.updated_at) if incident is not None else None
    return {
        "page_title": f"{'New incident' if incident is None else incident.number} · {STEPS[index][1]}",
        "incident": incident,
        "step": step,
        "step_title": STEPS[index][1],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "steps": steps,
        "next_step": STEP_NAMES[index + 1] if index + 1 < len(STEPS) else "",
        "previous_url": step_url(incident, STEP_NAMES[index - 1]) if incident is not None and index else "",
        "draft_key": f"srodesk:incident:{incident.pk if incident is not None else 'new'}",
        "saved_at": saved_at,
        "server_saved_ms": int(incident.updated_at.timestamp() * 1000) if incident is not None else 0,
        **extra,
    }


def _render_step(
    request: HttpRequest, incident: Incident | None, step: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _step_context(request, incident, step, **extra)
    for value in list(context.values()):
        if isinstance(value, forms.BaseForm):
            _mark_errors(value)
    for key in ("offense_rows", "person_rows"):
        for row in context.get(key, ()):
            _mark_errors(row["form"])
    return render(request, f"incidents/wizard_{step}.html", context, status=status)


def _status(request: HttpRequest, saved_at: Any = None, error: str = "", status: int = 200) -> HttpResponse:
    context = {
        "saved_at": timezone.localtime(saved_at) if saved_at else None,
        "saved_ms": int(saved_at.timestamp() * 1000) if saved_at else 0,
        "error": error,
    }
    return render(request, "incidents/wizard_status.html", context, status=status)


def _first_error(form: forms.BaseForm) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return "Check the fields marked."


def _is_autosave(request: HttpRequest) -> bool:
    return request.POST.get("autosave") == "1" or request.GET.get("autosave") == "1"


def _log_view(incident: Incident, step: str) -> None:
    AuditEvent.record_access(
        action=AuditEvent.Action.VIEW, model=Incident, objects=[incident], detail={"page": "wizard", "step": step}
    )


# --- Views ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def wizard_start(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new report: saving it creates the draft."""
    user = request.user
    _may_enter(user)
    if request.method == "GET":
        return _render_step(request, None, "basics", form=BasicsForm(user=user))
    form = BasicsForm(request.POST, user=user)
    if not form.is_valid():
        return _render_step(request, None, "basics", status=422, form=form)
    try:
        with transaction.atomic(), audit_context(actor=user):
            incident = form.save(commit=False)
            incident.officer = user
            incident.save()
            # The saved draft must lie inside the officer's add scope (the post-save check of the base views).
            if not has_perm(user, ADD_INCIDENT, incident):
                raise PermissionDenied
    except PermissionDenied:
        form.add_error(None, "You may not record an incident there: it would be outside your scope.")
        return _render_step(request, None, "basics", status=403, form=form)
    return HttpResponseRedirect(step_url(incident, "narrative"))


@login_required
@require_GET
def wizard_resume(request: HttpRequest, pk: int) -> HttpResponse:
    incident = load_draft(request, pk)
    if incident.status not in EDITABLE:
        return HttpResponseRedirect(detail_url(incident))
    step = "narrative" if not incident.narrative.strip() else "review"
    return HttpResponseRedirect(step_url(incident, step))


@login_required
@require_http_methods(["GET", "POST"])
def wizard_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404("No such step.")
    incident = load_draft(request, pk)
    if incident.status not in EDITABLE:
        if request.method == "POST" and _is_autosave(request):
            return _status(request, error="This report has been submitted and can no longer change here.", status=409)
        return HttpResponseRedirect(detail_url(incident))
    handler = _HANDLERS[step]
    return handler(request, incident)


def _save_incident_form(request: HttpRequest, incident: Incident, step: str, form_class: type[Any]) -> HttpResponse:
    kwargs: dict[str, Any] = {"user": request.user} if form_class is BasicsForm else {}
    if request.method == "GET":
        _log_view(incident, step)
        return _render_step(request, incident, step, form=form_class(instance=incident, **kwargs))
    form = form_class(request.POST, instance=incident, **kwargs)
    autosave = _is_autosave(request)
    if not form.is_valid():
        if autosave:
            return _status(request, error=_first_error(form), status=422)
        return _render_step(request, Incident.objects.get(pk=incident.pk), step, status=422, form=form)
    if form.has_changed():
        with transaction.atomic(), audit_context(actor=request.user):
            obj = form.save(commit=False)
            obj.save(update_fields=[*form.changed_data, "district", "agency"])
            if not _still_in_reach(request, obj):
                raise PermissionDenied
    if autosave:
        return _status(request, incident.updated_at)
    index = STEP_NAMES.index(step)
    return HttpResponseRedirect(step_url(incident, STEP_NAMES[index + 1]))


def _still_in_reach(request: HttpRequest, incident: Incident) -> bool:
    user = request.user
    in_scope = restrict(Incident.objects.filter(pk=incident.pk), user, "change").exists()
    return in_scope or incident.officer_id == user.pk or incident.created_by_id == user.pk


def _basics(request: HttpRequest, incident: Incident) -> HttpResponse:
    return _save_incident_form(request, incident, "basics", BasicsForm)


def _narrative(request: HttpRequest, incident: Incident) -> HttpResponse:
    return _save_incident_form(request, incident, "narrative", NarrativeForm)


# --- Offenses -------------------------------------------------------------------------------------


def _offenses_of(incident: Incident) -> list[Offense]:
    return list(Offense.objects.alive().filter(incident=incident).order_by("pk"))


def _offense_rows(incident: Incident, bound: dict[int, OffenseForm] | None = None) -> list[dict[str, Any]]:
    bound = bound or {}
    return [
        {
            "object": offense,
            "form": bound.get(offense.pk) or OffenseForm(instance=offense, prefix=f"offense-{offense.pk}"),
            "save_url": reverse("incidents:incident_wizard_offense", args=[incident.pk, offense.pk]),
            "remove_url": reverse("incidents:incident_wizard_offense_remove", args=[incident.pk, offense.pk]),
        }
        for offense in _offenses_of(incident)
    ]


def _offenses(request: HttpRequest, incident: Incident) -> HttpResponse:
    if request.method == "GET":
        _log_view(incident, "offenses")
        return _render_step(
            request, incident, "offenses", offense_rows=_offense_rows(incident), new_form=OffenseForm(prefix="new")
        )
    if request.POST.get("action") != "add":
        # "Save and continue": every row is already saved as it changes.
        return HttpResponseRedirect(step_url(incident, "people"))
    form = OffenseForm(request.POST, prefix="new")
    if not form.is_valid():
        return _render_step(
            request, incident, "offenses", status=422, offense_rows=_offense_rows(incident), new_form=form
        )
    with transaction.atomic(), audit_context(actor=request.user):
        offense = form.save(commit=False)
        offense.incident = incident
        offense.save()
    return HttpResponseRedirect(step_url(incident, "offenses") + "#offenses")


@login_required
@require_POST
def offense_save(request: HttpRequest, pk: int, offense_pk: int) -> HttpResponse:
    incident = _editable_draft(request, pk)
    offense = _part(Offense, incident, offense_pk)
    form = OffenseForm(request.POST, instance=offense, prefix=f"offense-{offense.pk}")
    autosave = _is_autosave(request)
    if not form.is_valid():
        if autosave:
            return _status(request, error=_first_error(form), status=422)
        return _render_step(
            request,
            incident,
            "offenses",
            status=422,
            offense_rows=_offense_rows(incident, {offense.pk: form}),
            new_form=OffenseForm(prefix="new"),
        )
    if form.has_changed():
        with transaction.atomic(), audit_context(actor=request.user):
            form.save()
    if autosave:
        return _status(request, Offense.objects.get(pk=offense.pk).updated_at)
    return HttpResponseRedirect(step_url(incident, "offenses") + "#offenses")


@login_required
@require_POST
def offense_remove(request: HttpRequest, pk: int, offense_pk: int) -> HttpResponse:
    incident = _editable_draft(request, pk)
    _remove(request, _part(Offense, incident, offense_pk))
    return HttpResponseRedirect(step_url(incident, "offenses") + "#offenses")


# --- People ---------------------------------------------------------------------------------------


def _people_of(incident: Incident) -> list[InvolvedPerson]:
    return list(
        InvolvedPerson.objects.alive()
        .filter(incident=incident)
        .select_related("student", "staff_member", "other_person")
        .order_by("pk")
    )


def _person_rows(incident: Incident, bound: dict[int, PersonForm] | None = None) -> list[dict[str, Any]]:
    bound = bound or {}
    return [
        {
            "object": person,
            "form": bound.get(person.pk) or PersonForm(instance=person, prefix=f"person-{person.pk}"),
            "save_url": reverse("incidents:incident_wizard_person", args=[incident.pk, person.pk]),
            "remove_url": reverse("incidents:incident_wizard_person_remove", args=[incident.pk, person.pk]),
        }
        for person in _people_of(incident)
    ]


def _next_sequence(incident: Incident, role: str, exclude: int | None = None) -> int:
    rows = InvolvedPerson.objects.alive().filter(incident=incident, role=role)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return int(rows.aggregate(n=Max("sequence_number"))["n"] or 0) + 1


def _people_page(
    request: HttpRequest, incident: Incident, form: NewPersonForm, status: int = 200, find: bool = False
) -> HttpResponse:
    query = request.POST.get("student_q", "") if request.method == "POST" else ""
    students = _find_students(request, incident, query) if find else []
    chosen = _chosen(request)
    if chosen is not None and chosen not in students:
        students.insert(0, chosen)
    return _render_step(
        request,
        incident,
        "people",
        status=status,
        person_rows=_person_rows(incident),
        new_form=form,
        student_q=query,
        students=students,
        chosen_pk=chosen.pk if chosen is not None else None,
    )


def _people(request: HttpRequest, incident: Incident) -> HttpResponse:
    user = request.user
    if request.method == "GET":
        _log_view(incident, "people")
        return _people_page(request, incident, NewPersonForm(prefix="new", user=user))
    action = request.POST.get("action")
    if action == "find":
        # Without JavaScript the search button posts the form: show the matches and keep what was typed.
        typed = {name: request.POST.get(f"new-{name}", "") for name in NewPersonForm.Meta.fields}
        return _people_page(request, incident, NewPersonForm(initial=typed, prefix="new", user=user), find=True)
    if action != "add":
        return HttpResponseRedirect(step_url(incident, "review"))
    form = NewPersonForm(request.POST, prefix="new", user=user)
    if not form.is_valid():
        return _people_page(request, incident, form, status=422)
    with transaction.atomic(), audit_context(actor=user):
        person = form.save(commit=False)
        person.incident = incident
        person.student = form.cleaned_data.get("student")
        person.sequence_number = _next_sequence(incident, person.role)
        person.save()
    return HttpResponseRedirect(step_url(incident, "people") + "#people")


def _chosen(request: HttpRequest) -> Student | None:
    value = request.POST.get("new-student", "")
    if not value.isdigit():
        return None
    return restrict(Student.objects.alive(), request.user, "view").filter(pk=int(value)).first()


def _find_students(request: HttpRequest, incident: Incident, query: str) -> list[Student]:
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    visible = restrict(Student.objects.alive(), request.user, "view").select_related("school")
    rows = list(search_queryset(visible, query).order_by("family_name", "given_name", "pk")[:STUDENT_RESULTS])
    if rows:
        AuditEvent.record_access(
            action=AuditEvent.Action.LIST,
            model=Student,
            objects=rows,
            detail={"search": query, "incident": incident.pk, "page": "wizard"},
        )
    return rows


@login_required
@require_GET
def student_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx search of the roster on the people step: only students the officer may see."""
    incident = _editable_draft(request, pk)
    query = request.GET.get("student_q", "")
    context = {"students": _find_students(request, incident, query), "student_q": query.strip()}
    return render(request, "incidents/wizard_students.html", context)


@login_required
@require_POST
def person_save(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    incident = _editable_draft(request, pk)
    person = _part(InvolvedPerson, incident, person_pk)
    old_role = person.role
    form = PersonForm(request.POST, instance=person, prefix=f"person-{person.pk}")
    autosave = _is_autosave(request)
    if not form.is_valid():
        if autosave:
            return _status(request, error=_first_error(form), status=422)
        return _render_step(
            request,
            incident,
            "people",
            status=422,
            person_rows=_person_rows(incident, {person.pk: form}),
            new_form=NewPersonForm(prefix="new", user=request.user),
        )
    if form.has_changed():
        with transaction.atomic(), audit_context(actor=request.user):
            obj = form.save(commit=False)
            if obj.role != old_role:
                obj.sequence_number = _next_sequence(incident, obj.role, exclude=obj.pk)
            obj.save()
    if autosave:
        return _status(request, InvolvedPerson.objects.get(pk=person.pk).updated_at)
    return HttpResponseRedirect(step_url(incident, "people") + "#people")


@login_required
@require_POST
def person_remove(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    incident = _editable_draft(request, pk)
    _remove(request, _part(InvolvedPerson, incident, person_pk))
    return HttpResponseRedirect(step_url(incident, "people") + "#people")


# --- Review ---------------------------------------------------------------------------------------


def _review(request: HttpRequest, incident: Incident) -> HttpResponse:
    context: dict[str, Any] = {"offenses": _offenses_of(incident), "people": _people_of(incident)}
    if request.method == "GET":
        _log_view(incident, "review")
        return _render_step(request, incident, "review", **context)
    from . import services  # the workflow module; imported here to keep entry independent of it

    try:
        services.submit(incident, request.user)
    except ValidationError as exc:
        return _render_step(request, incident, "review", status=422, submit_errors=exc.messages, **context)
    return HttpResponseRedirect(detail_url(incident))


_HANDLERS = {
    "basics": _basics,
    "narrative": _narrative,
    "offenses": _offenses,
    "people": _people,
    "review": _review,
}


# --- Parts ----------------------------------------------------------------------------------------


def _editable_draft(request: HttpRequest, pk: int) -> Incident:
    incident = load_draft(request, pk)
    if incident.status not in EDITABLE:
        raise PermissionDenied("The report has been submitted.")
    return incident


def _part(model: type[Any], incident: Incident, part_pk: int) -> Any:
    part = model.objects.alive().filter(incident=incident, pk=part_pk).first()
    if part is None:
        raise Http404("No such part of this report.")
    return part


def _remove(request: HttpRequest, part: Offense | InvolvedPerson) -> None:
    """Take a row out of the draft: it is marked deleted (and audited), never erased."""
    with transaction.atomic(), audit_context(actor=request.user, reason="Removed from the draft report"):
        part.deleted_at = timezone.now()
        part.deleted_by_id = request.user.pk
        part.save(update_fields=["deleted_at", "deleted_by"])
