"""In-process pass of the load harness: who signs in, what each endpoint requests, and queries per request.

    DATABASE_URL=postgres://…/srodesk_bench .venv/bin/python bench/probe.py --out plan.json

Run by ``bench/run.py`` (once per database) with the server's environment. It picks the users of the
largest generated district, expands every endpoint of ``endpoints.py`` into concrete paths for each of
them, then requests each endpoint once through Django's test ``Client`` inside ``CaptureQueriesContext``:
the number of queries it makes (at two page sizes for lists), its status, and the data SQL it sends (the
database floor replays it). Then it requests each GET endpoint's first path ``COST_REPEAT`` more times,
without load, and keeps the medians of one request's cost: wall time, CPU time of this process (Python)
and the summed time of its SQL statements (``cost``). The test client does no network I/O, so the wall
time is about the Python CPU time plus the wait for the database. Production code is not changed: the
test client runs the same URL map and middleware in this process, against the same database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srodesk.config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from endpoints import EMPTY_PATH, EXTRAS, GROUPS, ROLE_PREFERENCE, SESSIONS  # noqa: E402

from srodesk.accounts.models import RoleAssignment, User  # noqa: E402
from srodesk.bench_data.generators.organizations import BENCH_PASSWORD  # noqa: E402
from srodesk.core import registry  # noqa: E402
from srodesk.core.links import detail_url  # noqa: E402
from srodesk.core.permissions import has_perm, perm_name, restrict  # noqa: E402
from srodesk.organizations.models import District, School  # noqa: E402
from srodesk.people.models import Student  # noqa: E402

DETAILS_PER_USER = 40
#: Requests of a GET endpoint's first path whose median wall, CPU and SQL time make its ``cost``.
COST_REPEAT = 7
#: Tables of the request's plumbing (session, user, grants, MFA, audit writes): not part of the page's data.
PLUMBING = frozenset(
    {
        "django_session",
        "accounts_user",
        "accounts_roleassignment",
        "accounts_role",
        "otp_totp_totpdevice",
        "otp_static_staticdevice",
        "django_content_type",
        "audit_chainhead",
        "audit_auditevent",
    }
)


def district() -> District:
    found = District.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
    sizes = {pk: Student.objects.filter(district_id=pk).count() for pk in found}
    if not sizes:
        raise SystemExit("no generated district in this database: run `srodesk generate-district` first")
    return District.objects.get(pk=max(sizes, key=lambda pk: sizes[pk]))


def sessions(d: District) -> list[dict[str, Any]]:
    """16 users of several roles, from the busiest schools of the district."""
    sizes = dict(
        Student.objects.filter(district=d)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    schools = set(School.objects.filter(district=d).values_list("pk", flat=True))
    chosen: list[dict[str, Any]] = []
    for role, count in SESSIONS:
        rows = RoleAssignment.objects.alive().filter(role__slug=role).select_related("user")
        candidates = []
        for ra in rows:
            in_district = (
                ra.school_id in schools
                or ra.district_id == d.pk
                or (ra.agency_id and ra.agency.partnerships.filter(district=d).exists())
                or (role == "platform_admin" and ra.user.username.endswith(_code(d)))
            )
            if in_district:
                candidates.append(ra)
        candidates.sort(key=lambda ra: (-sizes.get(ra.school_id, 0), ra.pk))
        seen_schools: set[Any] = set()
        for ra in candidates:
            if len([c for c in chosen if c["role"] == role]) >= count:
                break
            if ra.school_id is not None and ra.school_id in seen_schools:
                continue
            seen_schools.add(ra.school_id)
            agency = ra.agency_id
            if ra.school_id and role == "sro":
                agency = _sro_agency(ra.user)
            chosen.append(
                {
                    "username": ra.user.username,
                    "user_id": ra.user_id,
                    "role": role,
                    "school": ra.school_id,
                    "district": d.pk,
                    "agency": agency,
                }
            )
    return chosen


def _code(d: District) -> str:
    _, profile, seed = d.slug.split("-", 2)
    return f".{profile[0]}{seed}"


def _sro_agency(user: User) -> int | None:
    """The agency the officer works for: the one of their incident reports, or of the persons they recorded."""
    from srodesk.incidents.models import Incident
    from srodesk.people.models import OtherPerson

    for model in (Incident, OtherPerson):
        agency = model.objects.filter(created_by=user).values_list("agency_id", flat=True).first()
        if agency is not None:
            return int(agency)
    return None


def common_family(d: District) -> str:
    name = (
        Student.objects.filter(district=d)
        .values_list("family_name")
        .annotate(n=Count("pk"))
        .order_by("-n", "family_name")
    ).first()
    return str(name[0])[:5].lower() if name else "smith"


def visible_ids(model: Any, user: User, seed: str) -> list[int]:
    ids = list(
        restrict(model._default_manager.alive(), user, "view").order_by("pk").values_list("pk", flat=True)[:5000]
    )
    rng = random.Random(seed)
    return rng.sample(ids, min(DETAILS_PER_USER, len(ids)))


def _entry(label: str) -> Any:
    """The registry entry of ``app_label.ModelName``, or ``None`` when that record type is not registered."""
    for entry in registry.entries():
        if entry.model._meta.label_lower == label.lower():
            return entry
    return None


def endpoints(d: District, users: list[dict[str, Any]], skipped: list[dict[str, str]]) -> list[dict[str, Any]]:
    by_role: dict[str, list[dict[str, Any]]] = {}
    for u in users:
        by_role.setdefault(u["role"], []).append(u)
    objects = {u["username"]: User.objects.get(pk=u["user_id"]) for u in users}
    family = common_family(d)
    result: list[dict[str, Any]] = []

    def role_for(model: Any) -> str | None:
        for role in ROLE_PREFERENCE:
            for u in by_role.get(role, []):
                user = objects[u["username"]]
                if has_perm(user, perm_name(model, "view")) and restrict(model._default_manager.alive(), user).exists():
                    return role
        return None

    for entry in registry.entries():
        role = role_for(entry.model)
        if role is None:
            skipped.append({"name": f"{entry.verbose_name_plural}", "reason": "no bench user sees a record of it"})
            continue
        label, table = entry.verbose_name_plural, entry.model._meta.db_table
        base = f"/{entry.app_label}/{entry.url_slug}/"
        api = f"/api/v1/{entry.app_label}/{entry.url_slug}/"
        ids = {
            u["username"]: visible_ids(entry.model, objects[u["username"]], f"{label}:{u['username']}")
            for u in by_role[role]
        }
        result.append(_ep(f"{label} list ({role})", "lists", role, {u: [base] for u in ids}, table, "ui"))
        result.append(
            _ep(
                f"{label} detail ({role})",
                "details",
                role,
                {u: [detail_url(entry.url_name("detail"), pk) for pk in pks] for u, pks in ids.items()},
                table,
            )
        )
        result.append(
            _ep(f"API {label} list ({role})", "api-read", role, {u: [f"{api}?limit=50"] for u in ids}, table, "api")
        )
        result.append(
            _ep(
                f"API {label} detail ({role})",
                "api-read",
                role,
                {u: [f"{api}{pk}/" for pk in pks] for u, pks in ids.items()},
                table,
            )
        )
    for extra in EXTRAS:
        entry = _entry(extra.model) if extra.model else None
        if extra.model and entry is None:
            skipped.append({"name": extra.name, "reason": f"{extra.model} is not a registered record type"})
            continue
        paths: dict[str, list[str]] = {}
        bodies: dict[str, dict[str, Any]] = {}
        for u in by_role.get(extra.role, []):
            user = objects[u["username"]]
            students = visible_ids(Student, user, f"students:{u['username']}") or [0]
            scope = {
                "district": u["district"],
                "school": u["school"] or "",
                "agency": u["agency"] or "",
                "family": quote(family),
            }
            if entry is not None:
                scope["list"] = f"/{entry.app_label}/{entry.url_slug}/"
                scope["api"] = f"/api/v1/{entry.app_label}/{entry.url_slug}/"
            if "{pk}" in extra.path:
                pks = visible_ids(entry.model, user, f"{extra.name}:{u['username']}") if entry is not None else []
                if pks:
                    paths[u["username"]] = [extra.path.format(pk=pk, student=students[0], **scope) for pk in pks]
            elif "{student}" in extra.path:
                paths[u["username"]] = [extra.path.format(student=pk, **scope) for pk in students]
            else:
                paths[u["username"]] = [extra.path.format(student=students[0], **scope)]
            if extra.body and u["username"] in paths:
                bodies[u["username"]] = {k: _fill(v, {**scope, "student": students[0]}) for k, v in extra.body.items()}
        if paths:
            result.append(
                _ep(
                    extra.name,
                    extra.group,
                    extra.role,
                    paths,
                    extra.table or (entry.model._meta.db_table if entry is not None else ""),
                    extra.paged,
                    extra.method,
                    bodies,
                    extra.expect,
                )
            )
        else:
            skipped.append({"name": extra.name, "reason": f"no {extra.role} user of the district sees a record of it"})
    for ep in result:
        if ep["group"] not in GROUPS:
            raise SystemExit(f"{ep['name']}: unknown group {ep['group']}")
    return result


def _fill(value: Any, scope: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    for key, replacement in scope.items():
        if value == f"{{{key}}}":
            return replacement if replacement != "" else None
        value = value.replace(f"{{{key}}}", str(replacement))
    return value


def _ep(
    name: str,
    group: str,
    role: str,
    paths: dict[str, list[str]],
    table: str = "",
    paged: str = "",
    method: str = "GET",
    bodies: dict[str, Any] | None = None,
    expect: int = 200,
) -> dict[str, Any]:
    return {
        "name": name,
        "group": group,
        "role": role,
        # A user who may see no record of the type has no detail page to request.
        "paths": {user: user_paths for user, user_paths in paths.items() if user_paths},
        "table": table,
        "paged": paged,
        "method": method,
        "bodies": bodies or {},
        "expect": expect,
    }


def with_limit(path: str, limit: int) -> str:
    path = re.sub(r"([?&])limit=\d+", rf"\1limit={limit}", path)
    return path if "limit=" in path else f"{path}{'&' if '?' in path else '?'}limit={limit}"


def request(client: Client, ep: dict[str, Any], username: str, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        if ep["method"] == "POST":
            body = {
                k: (v.replace("{n}", "probe") if isinstance(v, str) else v) for k, v in ep["bodies"][username].items()
            }
            response = client.post(path, data=json.dumps(body), content_type="application/json")
        else:
            response = client.get(path)
    return response.status_code, [q["sql"] for q in captured.captured_queries]


class SqlTimer:
    """``connection.execute_wrapper``: the summed wall time of the statements run through it, in seconds, and
    the CPU time this process spent inside them (the driver's share, also part of the process's CPU time)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu_seconds += time.process_time() - start_cpu


def cost(client: Client, path: str) -> dict[str, Any]:
    """Medians over ``COST_REPEAT`` GET requests of one path: wall, process CPU and SQL time in ms; and the
    peak of Python memory one more request allocates (``tracemalloc``, MB).

    ``sql`` is the wall time of the statements, so it holds the driver's CPU time too (``sql_cpu``, also in
    ``python_cpu``): ``python_cpu + sql`` exceeds ``wall`` by about that much.
    """
    wall, cpu, sql, sql_cpu = [], [], [], []
    for _ in range(COST_REPEAT):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start_wall)
        sql.append(timer.seconds)
        sql_cpu.append(timer.cpu_seconds)
    # The most memory one request holds at once (Python objects), which sets a worker's resident size.
    tracemalloc.start()
    client.get(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "wall": round(statistics.median(wall) * 1000, 2),
        "python_cpu": round(statistics.median(cpu) * 1000, 2),
        "sql": round(statistics.median(sql) * 1000, 2),
        "sql_cpu": round(statistics.median(sql_cpu) * 1000, 2),
        "requests": COST_REPEAT,
        "python_peak_mb": round(peak / 2**20, 1),
    }


def count(users: list[dict[str, Any]], eps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Queries and cost of every endpoint (in ``eps``); returns the cost of the framework floor's empty page."""
    clients: dict[str, Client] = {}
    for u in users:
        client = Client()
        client.force_login(User.objects.get(pk=u["user_id"]))
        clients[u["username"]] = client
    for ep in eps:
        username = next(iter(ep["paths"]))
        client, path = clients[username], ep["paths"][username][0]
        request(client, ep, username, path)  # warm caches (content types, templates)
        status, queries = request(client, ep, username, path)
        ep["status"], ep["queries"] = status, len(queries)
        ep["query_tables"] = dict(Counter(_first_table(q) for q in queries))
        ep["floor_sql"] = [
            q
            for q in queries
            if q.lstrip().upper().startswith("SELECT")
            and (_first_table(q) not in PLUMBING or _first_table(q) == ep["table"])
        ]
        if ep["paged"] == "ui":
            counts = {}
            for size in (10, 50):
                with override_settings(LIST_PAGE_SIZE=size):
                    counts[size] = len(request(client, ep, username, path)[1])
            ep["queries_by_page_size"] = counts
        elif ep["paged"] == "api":
            ep["queries_by_page_size"] = {
                size: len(request(client, ep, username, with_limit(path, size))[1]) for size in (10, 50)
            }
        # A create is not repeated (each would add a record), nor a page that did not answer as expected.
        ep["cost"] = cost(client, path) if ep["method"] == "GET" and status == ep["expect"] else None
    return floor_cost(next(iter(clients.values()))) if clients else None


def floor_cost(client: Client) -> dict[str, Any] | None:
    """The cost of the framework floor's empty page, through the floor server's URL map (``floor_urls``)."""
    with override_settings(ROOT_URLCONF="floor_urls"):
        if client.get(EMPTY_PATH).status_code != 200:  # also warms the URL map
            return None
        return cost(client, EMPTY_PATH)


def _first_table(sql: str) -> str:
    match = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return match.group(1) if match else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", help="only the endpoints whose name matches this regular expression")
    args = parser.parse_args()
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    d = district()
    users = sessions(d)
    skipped: list[dict[str, str]] = []
    eps = endpoints(d, users, skipped)
    if args.only:
        eps = [ep for ep in eps if re.search(args.only, ep["name"])]
    framework_cost = count(users, eps)
    plan = {
        "district": {"slug": d.slug, "name": d.name, "students": Student.objects.filter(district=d).count()},
        "database": connection.vendor,
        "password": BENCH_PASSWORD,
        "sessions": users,
        "endpoints": eps,
        "framework_cost": framework_cost,
        "skipped": skipped,
    }
    Path(args.out).write_text(json.dumps(plan, indent=1, default=str))


if __name__ == "__main__":
    main()
