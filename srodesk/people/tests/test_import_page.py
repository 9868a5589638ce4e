"""The roster upload page, the import's live status and result, and the dashboard panel."""

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from srodesk.accounts.models import Role, RoleAssignment, User
from srodesk.organizations.models import District, School
from srodesk.people import import_views
from srodesk.people.choices import ImportStatus
from srodesk.people.models import RosterImport, Student
from srodesk.people.roster.generate import generate

pytestmark = pytest.mark.django_db

POLLING = 'hx-trigger="every 1s"'


@pytest.fixture(autouse=True)
def _no_mfa(settings: Any) -> None:
    settings.MFA_REQUIRED = False


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    ids: list[int] = []
    monkeypatch.setattr(import_views, "enqueue_import", ids.append)
    return ids


@pytest.fixture
def world() -> dict[str, Any]:
    home = District.objects.create(name="Riverside", slug="riverside", state="MI")
    away = District.objects.create(name="Lakeview", slug="lakeview", state="OH")
    school = School.objects.create(district=home, name="Riverside High")
    return {"home": home, "away": away, "school": school}


def user_with(slug: str, **scope: Any) -> User:
    user = User.objects.create_user(username=f"{slug}-user")
    RoleAssignment.objects.create(user=user, role=Role.objects.get(slug=slug), **scope)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.csv", "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n")
    return buffer.getvalue()


def upload_file(name: str = "roster.zip", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes() if data is None else data, content_type="application/zip")


UPLOAD = reverse("people:rosterimport_upload")


# --- Upload page ------------------------------------------------------------------------------------


def test_upload_page_offers_only_the_directors_districts(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    response = client_for(director).get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Upload a roster</h1>" in html
    assert "Riverside" in html
    assert "Lakeview" not in html
    assert 'accept=".zip,application/zip"' in html
    assert "Dry run" in html
    assert "up to 200 MB" in html
    assert '<label for="id_file">' in html


def test_platform_admin_may_upload_for_every_district(world: dict[str, Any]) -> None:
    admin = user_with("platform_admin")
    html = client_for(admin).get(UPLOAD).content.decode()
    assert "Riverside" in html
    assert "Lakeview" in html


@pytest.mark.parametrize("slug", ["counselor", "sro", "school_admin"])
def test_upload_page_is_forbidden_without_the_grant(world: dict[str, Any], slug: str) -> None:
    user = user_with(slug, school=world["school"])
    assert client_for(user).get(UPLOAD).status_code == 403
    assert client_for(user).post(UPLOAD, {"district": world["home"].pk, "file": upload_file()}).status_code == 403
    assert not RosterImport.objects.exists()


def test_upload_stores_the_file_and_queues_the_import(
    world: dict[str, Any], settings: Any, enqueued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    director = user_with("safety_director", district=world["home"])
    data = zip_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(director).post(
            UPLOAD, {"district": world["home"].pk, "file": upload_file("Riverside 2026.zip", data), "dry_run": "on"}
        )
    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:rosterimport_detail", args=[roster_import.pk])
    assert roster_import.status == ImportStatus.QUEUED
    assert roster_import.district == world["home"]
    assert roster_import.dry_run is True
    assert roster_import.source_name == "Riverside 2026.zip"
    assert roster_import.created_by == director
    stored = Path(roster_import.source_path)
    assert stored.parent == Path(settings.MEDIA_ROOT) / "roster-imports"
    assert re.fullmatch(r"[0-9a-f-]{36}\.zip", stored.name)
    assert stored.read_bytes() == data
    assert enqueued == [roster_import.pk]


def test_the_task_is_enqueued_only_on_commit(
    world: dict[str, Any], enqueued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    director = user_with("safety_director", district=world["home"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(director).post(UPLOAD, {"district": world["home"].pk, "file": upload_file()})
    assert enqueued == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [RosterImport.objects.get().pk]


def test_htmx_upload_redirects_with_a_header(world: dict[str, Any], enqueued: list[int]) -> None:
    director = user_with("safety_director", district=world["home"])
    response = client_for(director).post(
        UPLOAD, {"district": world["home"].pk, "file": upload_file()}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == RosterImport.objects.get().get_absolute_url()


def stored_files(settings: Any) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "roster-imports"
    return sorted(folder.glob("*.zip")) if folder.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("roster.csv", None, "Choose a .zip file"),
        ("roster.zip", b"sourcedId,status\n1,active\n", "not a ZIP archive"),
    ],
)
def test_upload_rejects_what_is_not_a_zip(
    world: dict[str, Any], settings: Any, enqueued: list[int], name: str, data: bytes | None, message: str
) -> None:
    director = user_with("safety_director", district=world["home"])
    before = stored_files(settings)
    response = client_for(director).post(UPLOAD, {"district": world["home"].pk, "file": upload_file(name, data)})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not RosterImport.objects.exists()
    assert stored_files(settings) == before
    assert enqueued == []


def test_upload_rejects_a_file_over_the_limit(world: dict[str, Any], settings: Any, enqueued: list[int]) -> None:
    settings.ROSTER_UPLOAD_MAX_MB = 0.001
    director = user_with("safety_director", district=world["home"])
    big = zip_bytes() + b"\0" * 2048
    response = client_for(director).post(UPLOAD, {"district": world["home"].pk, "file": upload_file(data=big)})
    assert response.status_code == 422
    assert "the largest roster accepted is 0.001 MB" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_upload_rejects_a_district_out_of_scope(world: dict[str, Any], enqueued: list[int]) -> None:
    director = user_with("safety_director", district=world["home"])
    response = client_for(director).post(UPLOAD, {"district": world["away"].pk, "file": upload_file()})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not RosterImport.objects.exists()


def test_invalid_htmx_upload_answers_the_form_only(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    response = client_for(director).post(UPLOAD, {"district": world["home"].pk}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="form"')
    assert "This field is required" in html


# --- The import's page and its status --------------------------------------------------------------


def make_import(district: District, **fields: Any) -> RosterImport:
    return RosterImport.objects.create(district=district, source_name="roster.zip", **fields)


def detail(client: Client, roster_import: RosterImport) -> str:
    response = client.get(reverse("people:rosterimport_detail", args=[roster_import.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_queued_import_polls_and_offers_a_refresh_link(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"])
    html = detail(client_for(director), roster_import)
    status_url = reverse("people:rosterimport_status", args=[roster_import.pk])
    assert POLLING in html
    assert f'hx-get="{status_url}?v=' in html
    assert 'role="status" aria-live="polite"' in html
    assert '<progress id="import-progress-bar" max="100" value="0"' in html
    assert "waiting for a worker" in html
    assert f'<a href="{roster_import.get_absolute_url()}">Refresh</a>' in html
    assert 'id="import-result"' in html
    assert "Upload a roster" in html


def test_running_import_shows_percent_and_stage(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(
        world["home"],
        status=ImportStatus.RUNNING,
        progress_done=30,
        progress_total=120,
        progress_stage="Checking users.csv",
    )
    html = detail(client_for(director), roster_import)
    assert 'value="25"' in html
    assert "25% — Checking users.csv</p>" in html
    assert POLLING in html


SUMMARY = {
    "users.csv": {"created": 12, "updated": 3, "deactivated": 1, "unchanged": 480},
    "orgs.csv": {"created": 0, "updated": 0, "deactivated": 0, "unchanged": 4},
}
CHECKSUMS = {"users.csv": "a" * 64, "orgs.csv": "b" * 64}


def test_succeeded_import_stops_polling_and_shows_the_summary(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(
        world["home"], status=ImportStatus.SUCCEEDED, summary=SUMMARY, checksums=CHECKSUMS, progress_stage="Done"
    )
    html = detail(client_for(director), roster_import)
    assert "hx-trigger" not in html
    assert ">Refresh<" not in html
    assert 'value="100"' in html
    assert "The roster was imported." in html
    assert '<th scope="row">users.csv</th><td>12</td><td>3</td><td>1</td><td>480</td>' in html
    assert '<th scope="row">orgs.csv</th><td>0</td><td>0</td><td>0</td><td>4</td>' in html
    assert "a" * 64 in html
    assert "b" * 64 in html
    assert "nothing was applied" not in html


def test_dry_run_says_nothing_was_applied(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"], status=ImportStatus.SUCCEEDED, dry_run=True, summary=SUMMARY)
    html = detail(client_for(director), roster_import)
    assert "Dry run: nothing was applied." in html
    assert "Changes the import would make, per file" in html


ERRORS = [
    {"file": "users.csv", "row": 7, "column": "birthDate", "value": "2010-13-40", "reason": "Not a date (YYYY-MM-DD)."},
    {"file": "enrollments.csv", "row": 3, "column": "userSourcedId", "value": "u-999", "reason": "No such user."},
]


def test_failed_import_lists_every_error_and_says_nothing_was_applied(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"], status=ImportStatus.FAILED, errors=ERRORS)
    html = detail(client_for(director), roster_import)
    assert "hx-trigger" not in html
    assert "The import failed: nothing was applied." in html
    assert "Correct the 2 errors below" in html
    for header in ("File", "Row", "Column", "Value", "Reason"):
        assert f'<th scope="col">{header}</th>' in html
    assert "<td>users.csv</td><td>7</td><td>birthDate</td><td>2010-13-40</td><td>Not a date (YYYY-MM-DD).</td>" in html
    assert "<td>enrollments.csv</td><td>3</td><td>userSourcedId</td><td>u-999</td><td>No such user.</td>" in html


def test_a_long_error_list_is_cut_and_counted(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    errors = [{"file": "users.csv", "row": n, "column": "x", "value": "", "reason": "Bad."} for n in range(600)]
    roster_import = make_import(world["home"], status=ImportStatus.FAILED, errors=errors)
    html = detail(client_for(director), roster_import)
    assert f"the first {import_views.ERRORS_SHOWN} of 600" in html
    assert html.count("<td>Bad.</td>") == import_views.ERRORS_SHOWN


def status_of(client: Client, roster_import: RosterImport, **params: str) -> Any:
    url = reverse("people:rosterimport_status", args=[roster_import.pk])
    return client.get(url, params, headers={"HX-Request": "true"})


def test_status_partial_keeps_polling_while_running(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"], status=ImportStatus.RUNNING, progress_done=1, progress_total=4)
    response = status_of(client_for(director), roster_import)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="import-progress"')
    assert POLLING in html
    assert "25%" in html
    assert "hx-swap-oob" not in html
    assert "no-store" in response["Cache-Control"]


def test_status_partial_of_a_finished_import_stops_polling_and_brings_the_result(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"], status=ImportStatus.FAILED, errors=ERRORS)
    html = status_of(client_for(director), roster_import).content.decode()
    assert "hx-trigger" not in html
    assert "hx-get" not in html
    assert '<div id="import-result" hx-swap-oob="true">' in html
    assert "nothing was applied" in html
    assert "birthDate" in html


def test_status_partial_answers_no_content_when_nothing_changed(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    roster_import = make_import(world["home"], status=ImportStatus.RUNNING, progress_done=1, progress_total=4)
    client = client_for(director)
    token = import_views.state_token(roster_import)
    assert status_of(client, roster_import, v=token).status_code == 204
    roster_import.progress_done = 2
    roster_import.save()
    assert status_of(client, roster_import, v=token).status_code == 200


def test_status_and_page_are_scoped_to_the_district(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    elsewhere = make_import(world["away"], status=ImportStatus.RUNNING)
    client = client_for(director)
    assert status_of(client, elsewhere).status_code == 404
    assert client.get(reverse("people:rosterimport_detail", args=[elsewhere.pk])).status_code == 404


def test_status_is_forbidden_without_the_grant(world: dict[str, Any]) -> None:
    counselor = user_with("counselor", school=world["school"])
    roster_import = make_import(world["home"], status=ImportStatus.RUNNING)
    assert status_of(client_for(counselor), roster_import).status_code == 403


def test_view_only_role_sees_no_upload_link(world: dict[str, Any]) -> None:
    role = Role.objects.create(slug="import-viewer", name="Import viewer", permissions=["people.view_rosterimport"])
    user = User.objects.create_user(username="viewer")
    RoleAssignment.objects.create(user=user, role=role, district=world["home"])
    roster_import = make_import(world["home"])
    client = client_for(user)
    html = detail(client, roster_import)
    assert "Upload a roster" not in html
    assert reverse("people:rosterimport_upload") not in html
    assert client.get(UPLOAD).status_code == 403


# --- Dashboard ------------------------------------------------------------------------------------------


def test_dashboard_lists_the_latest_imports_and_the_upload_link(world: dict[str, Any]) -> None:
    director = user_with("safety_director", district=world["home"])
    for n in range(7):
        RosterImport.objects.create(district=world["home"], source_name=f"home-{n}.zip")
    RosterImport.objects.create(district=world["away"], source_name="away.zip")
    html = client_for(director).get(reverse("core:dashboard")).content.decode()
    assert '<h2 id="roster-imports-heading">Roster imports</h2>' in html
    assert f'href="{UPLOAD}"' in html
    assert html.count(".zip</td>") == 5
    assert "home-6.zip" in html
    assert "home-1.zip" not in html
    assert "away.zip" not in html


def test_dashboard_has_no_import_panel_for_other_roles(world: dict[str, Any]) -> None:
    counselor = user_with("counselor", school=world["school"])
    html = client_for(counselor).get(reverse("core:dashboard")).content.decode()
    assert "roster-imports-heading" not in html
    assert UPLOAD not in html


# --- With the import engine ----------------------------------------------------------------------------


def upload_and_run(client: Client, district: District, path: Path, capture: Any, *, dry_run: bool = False) -> Any:
    data = {"district": district.pk, "file": upload_file(path.name, path.read_bytes())}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        response = client.post(UPLOAD, data)
    assert response.status_code == 302
    return response


def test_an_uploaded_roster_is_imported(
    world: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    generated = generate(tmp_path / "riverside.zip", students=30, schools=2, seed=5)
    client = client_for(user_with("safety_director", district=world["home"]))
    upload_and_run(client, world["home"], generated.path, django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == ImportStatus.SUCCEEDED, roster_import.errors[:5]
    assert roster_import.summary == generated.expected
    assert Student.objects.filter(district=world["home"]).count() == generated.students
    html = detail(client, roster_import)
    assert "The roster was imported." in html
    assert "hx-trigger" not in html
    created = generated.expected["users.csv"]["created"]
    assert f'<th scope="row">users.csv</th><td>{created}</td>' in html
    for digest in roster_import.checksums.values():
        assert digest in html


def test_a_dry_run_changes_nothing(
    world: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    generated = generate(tmp_path / "riverside.zip", students=20, schools=1, seed=6)
    client = client_for(user_with("safety_director", district=world["home"]))
    upload_and_run(client, world["home"], generated.path, django_capture_on_commit_callbacks, dry_run=True)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == ImportStatus.SUCCEEDED, roster_import.errors[:5]
    assert roster_import.summary == generated.expected
    assert not Student.objects.exists()
    assert "Dry run: nothing was applied." in detail(client, roster_import)


def test_a_roster_with_errors_applies_nothing_and_lists_them(
    world: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    generated = generate(tmp_path / "riverside.zip", students=20, schools=1, seed=7)
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(generated.path) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "users.csv":
                lines = content.split(b"\r\n")
                first = lines[1].split(b",")
                first[2] = b"last tuesday"  # dateLastModified
                lines[1] = b",".join(first)
                content = b"\r\n".join(lines)
            target.writestr(name, content)
    client = client_for(user_with("safety_director", district=world["home"]))
    upload_and_run(client, world["home"], broken, django_capture_on_commit_callbacks)
    roster_import = RosterImport.objects.get()
    assert roster_import.status == ImportStatus.FAILED
    assert roster_import.errors
    assert not Student.objects.exists()
    html = detail(client, roster_import)
    assert "The import failed: nothing was applied." in html
    assert {"file": "users.csv", "column": "dateLastModified", "value": "last tuesday"}.items() <= (
        roster_import.errors[0].items()
    )
    assert "<td>users.csv</td><td>2</td><td>dateLastModified</td><td>last tuesday</td>" in html
