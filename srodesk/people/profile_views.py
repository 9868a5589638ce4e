"""The lazy panels of the student profile at their own address (see ``people/profile.py``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from srodesk.audit.models import AuditEvent
from srodesk.core.views import is_partial

from .models import Student
from .profile import panel_for, student_in_scope


@login_required
@require_GET
def student_panels(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's panels named by ``?panel=``: for the profile page's request (htmx) each in place of its
    placeholder (out-of-band swaps, so one request fills them all); otherwise a page of their own, the
    link the placeholder offers without script. A student out of the viewer's scope, or no panel the
    viewer may see, is not found."""
    student = student_in_scope(request, pk)
    names = dict.fromkeys(request.GET.getlist("panel"))
    panels = [shown for shown in (panel_for(request, student, name) for name in names) if shown is not None]
    if not panels:
        raise Http404("No such panel")
    title = ", ".join(shown.title for shown in panels)
    context = {"object": student, "panels": panels, "title": title, "page_title": f"{title}: {student.display_name}"}
    if is_partial(request):
        # The profile page these complete has logged the student's view.
        return render(request, "people/student_panels.html#swaps", context)
    AuditEvent.record_access(
        action=AuditEvent.Action.VIEW, model=Student, objects=[student], detail={"panels": list(names)}
    )
    return render(request, "people/student_panels.html", context)
