"""The roster upload page and the live status of a roster import.

The upload page stores the ZIP under ``MEDIA_ROOT/roster-imports/``, creates a queued
:class:`RosterImport` and hands it to the ``run_roster_import`` task once the transaction commits. The
import's detail page (``people/rosterimport_detail.html``) polls :func:`status` every second until the
import has finished, then shows what it changed (or, on failure, every error: nothing was applied).
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from srodesk.core.audit import audit_context
from srodesk.core.permissions import grants, has_perm, perm_name, require, restrict
from srodesk.core.views import is_partial
from srodesk.organizations.models import District

from .choices import ImportStatus
from .models import RosterImport

UPLOAD_DIR = "roster-imports"
DEFAULT_MAX_MB = 200
#: Errors listed on the page; the rest are counted (the API and the record keep them all).
ERRORS_SHOWN = 500
SUMMARY_COUNTS = ("created", "updated", "deactivated", "unchanged")
FINISHED = frozenset({ImportStatus.SUCCEEDED, ImportStatus.FAILED})


def max_upload_mb() -> float:
    return float(getattr(settings, "ROSTER_UPLOAD_MAX_MB", DEFAULT_MAX_MB))


def max_upload_bytes() -> int:
    return int(max_upload_mb() * 1024 * 1024)


def upload_districts(user: Any) -> QuerySet[District]:
    """The districts where the user may start a roster import."""
    districts = District.objects.alive()
    if getattr(user, "is_superuser", False) and user.is_active:
        return districts  # type: ignore[no-any-return]
    ids: set[int] = set()
    for grant in grants(user):
        if not grant.allows(RosterImport, "add"):
            continue
        if grant.is_platform:
            return districts  # type: ignore[no-any-return]
        if grant.district_id is not None:
            ids.add(grant.district_id)
    return districts.filter(pk__in=ids)  # type: ignore[no-any-return]


class RosterUploadForm(forms.Form):
    district = forms.ModelChoiceField(queryset=District.objects.none(), empty_label=None)
    file = forms.FileField(
        label="OneRoster ZIP file",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    dry_run = forms.BooleanField(
        required=False,
        label="Dry run: check the files and show what would change, without changing anything",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        field.queryset = upload_districts(user)  # type: ignore[attr-defined]
        self.fields["file"].help_text = (
            "The OneRoster 1.1 or 1.2 CSV files (manifest.csv, orgs.csv, users.csv …) in one ZIP archive, "
            f"up to {max_upload_mb():g} MB."
        )
        for bound in self.fields.values():
            if bound.required:
                bound.widget.attrs.setdefault("aria-required", "true")

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".zip"):
            raise forms.ValidationError("Choose a .zip file: the roster's CSV files in one ZIP archive.")
        if upload.size is not None and upload.size > max_upload_bytes():
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the largest roster accepted is {max_upload_mb():g} MB."
            )
        is_zip = zipfile.is_zipfile(upload)
        upload.seek(0)
        if not is_zip:
            raise forms.ValidationError("This file is not a ZIP archive (it may be damaged). Nothing was uploaded.")
        return upload


def store_upload(upload: UploadedFile) -> Path:
    """Write the upload to ``MEDIA_ROOT/roster-imports/<uuid>.zip`` and return its path."""
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4()}.zip"
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


def enqueue_import(import_id: int) -> None:
    from .tasks import run_roster_import

    run_roster_import.enqueue(import_id)


def start_import(*, actor: Any, district: District, upload: UploadedFile, dry_run: bool) -> RosterImport:
    """Store the file, create the queued import and run it once the transaction commits."""
    roster_import = RosterImport(
        district=district,
        status=ImportStatus.QUEUED,
        dry_run=dry_run,
        source_name=Path(upload.name or "roster.zip").name[:255],
    )
    require(actor, perm_name(RosterImport, "add"), roster_import)
    path = store_upload(upload)
    try:
        with transaction.atomic(), audit_context(actor=actor):
            roster_import.source_path = str(path)
            roster_import.save()
            import_id = roster_import.pk

            def enqueue() -> None:
                enqueue_import(import_id)

            transaction.on_commit(enqueue)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return roster_import


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if not has_perm(request.user, perm_name(RosterImport, "add")):
        raise PermissionDenied
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            roster_import = start_import(
                actor=request.user,
                district=form.cleaned_data["district"],
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
            kind = "Dry run" if roster_import.dry_run else "Import"
            messages.success(request, f"{kind} of “{roster_import.source_name}” queued.")
            url = roster_import.get_absolute_url()
            if is_partial(request):
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return HttpResponseRedirect(url)
        status = 422
    else:
        form = RosterUploadForm(user=request.user)
        status = 200
    context = {
        "page_title": "Upload a roster",
        "form": form,
        "list_url": reverse("people:rosterimport_list"),
        "max_mb": max_upload_mb(),
    }
    template = "people/rosterimport_upload.html"
    return render(request, f"{template}#form" if is_partial(request) else template, context, status=status)


@never_cache
@vary_on_headers("HX-Request")
@login_required
@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress region of an import's page (and, once finished, its result, swapped out of band)."""
    if not has_perm(request.user, perm_name(RosterImport, "view")):
        raise PermissionDenied
    roster_import = get_object_or_404(restrict(RosterImport.objects.alive(), request.user, "view"), pk=pk)
    if request.GET.get("v") == state_token(roster_import):
        # Nothing changed since the page's last update: no swap, so nothing is announced again.
        return HttpResponse(status=204)
    context = {"object": roster_import, "oob": True}
    return render(request, "people/rosterimport_detail.html#progress", context)


# --- What an import's page shows ------------------------------------------------------------------


@dataclass(frozen=True)
class FileSummary:
    name: str
    created: int
    updated: int
    deactivated: int
    unchanged: int


@dataclass(frozen=True)
class RowError:
    file: str
    row: str
    column: str
    value: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    status: str
    status_label: str
    dry_run: bool
    percent: int
    done: int
    total: int
    stage: str
    state: str
    files: list[FileSummary] = field(default_factory=list)
    checksums: list[tuple[str, str]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def succeeded(self) -> bool:
        return self.status == ImportStatus.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.status == ImportStatus.FAILED

    @property
    def queued(self) -> bool:
        return self.status == ImportStatus.QUEUED

    @property
    def errors_hidden(self) -> int:
        return self.error_count - len(self.errors)


def state_token(roster_import: RosterImport) -> str:
    """Changes whenever what the progress region shows changes."""
    parts = (
        roster_import.status,
        roster_import.progress_done,
        roster_import.progress_total,
        roster_import.progress_stage,
    )
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:16]


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _summary_rows(summary: Any) -> list[FileSummary]:
    """Per-file counts from ``{"users.csv": {"created": 3, …}}`` or ``[{"file": "users.csv", …}]``."""
    items: Iterable[tuple[str, Any]]
    if isinstance(summary, Mapping):
        items = summary.items()
    elif isinstance(summary, list):
        items = [(_text(row.get("file")), row) for row in summary if isinstance(row, Mapping)]
    else:
        items = []
    rows = []
    for name, counts in items:
        if not isinstance(counts, Mapping):
            continue
        rows.append(FileSummary(str(name), *(_count(counts.get(key)) for key in SUMMARY_COUNTS)))
    return rows


def _error_rows(errors: Any) -> list[RowError]:
    rows = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, Mapping):
            rows.append(RowError(*(_text(error.get(key)) for key in ("file", "row", "column", "value", "reason"))))
        else:
            rows.append(RowError("", "", "", "", _text(error)))
    return rows


def import_report(roster_import: RosterImport) -> ImportReport:
    errors = roster_import.errors if isinstance(roster_import.errors, list) else []
    checksums = roster_import.checksums if isinstance(roster_import.checksums, Mapping) else {}
    return ImportReport(
        status=roster_import.status,
        status_label=roster_import.get_status_display(),
        dry_run=roster_import.dry_run,
        percent=roster_import.percent,
        done=roster_import.progress_done,
        total=roster_import.progress_total,
        stage=roster_import.progress_stage,
        state=state_token(roster_import),
        files=_summary_rows(roster_import.summary),
        checksums=sorted((str(k), _text(v)) for k, v in checksums.items()),
        errors=_error_rows(errors[:ERRORS_SHOWN]),
        error_count=len(errors),
    )
