"""Roster import benchmark: generate a OneRoster set, import it into a fresh database, compare with a raw insert.

    .venv/bin/python bench/roster_import.py --students 120000
    .venv/bin/python bench/roster_import.py --students 120000 \\
        --database-url postgres://postgres@127.0.0.1:5432/srodesk_bench

The database is the benchmark's own: a temporary SQLite file by default, or the PostgreSQL database named in
``--database-url`` (its name must contain "bench"), dropped and created again at the start and dropped at
the end. The DATABASE_URL of the environment is never used, so the developer's database is never touched.

Measured, in one run: the import (read, validate, write, audit rows) of the generated set; the same import
again (nothing changes); a raw ``executemany`` INSERT of the same student rows into a scratch table with the
student table's columns (the fastest of three); and ``verify-audit`` over the whole chain. Results go to
``bench/results/roster-import-<date>.json`` (one entry per database, students and version).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
TARGET_ROWS_PER_SECOND = 2000
TARGET_RATIO = 5.0
#: The raw insert is short, so the fastest of a few runs is the baseline.
RAW_REPEATS = 3


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=120_000)
    parser.add_argument("--schools", type=int, default=0, help="default: one school per 600 students (at least 3)")
    parser.add_argument("--version", choices=("1.1", "1.2"), default="1.2")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="postgres://…/<name with 'bench'>; a temporary SQLite file if omitted")
    parser.add_argument("--no-verify", action="store_true", help="skip verify-audit over the chain")
    parser.add_argument("--profile", action="store_true", help="profile the import (cProfile) and print the top")
    return parser.parse_args()


def prepare_database(url: str | None, workdir: Path) -> tuple[str, str]:
    """(DATABASE_URL to use, label). PostgreSQL: drop and create the named bench database."""
    if not url:
        return f"sqlite:///{workdir / 'bench.sqlite3'}", "sqlite"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme.startswith("sqlite"):
        raise SystemExit("give no --database-url for SQLite: the benchmark makes its own temporary file")
    if "bench" not in name:
        raise SystemExit(f"refusing to use the database {name!r}: its name must contain 'bench'")
    _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    return url, "postgresql"


def _postgres_admin(url: str, *statements: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme.replace("postgresql", "postgres"), parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def drop_database(url: str, label: str) -> None:
    if label == "postgresql":
        name = urlsplit(url).path.lstrip("/")
        _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def raw_insert(student_model: Any, connection: Any, transaction: Any) -> tuple[int, float]:
    """executemany INSERT of the imported student rows into a scratch table with the same columns
    (primary key only: no other index or constraint); the fastest of RAW_REPEATS runs."""
    fields = list(student_model._meta.concrete_fields)
    columns = [f.column for f in fields]
    qn = connection.ops.quote_name
    definitions = ", ".join(
        f"{qn(f.column)} {f.rel_db_type(connection) + ' PRIMARY KEY' if f.primary_key else f.db_type(connection)}"
        for f in fields
    )
    rows = [
        tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True))
        for row in student_model.objects.values_list(*[f.attname for f in fields]).iterator(chunk_size=5000)
    ]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO bench_raw_student ({', '.join(qn(c) for c in columns)}) VALUES ({placeholders})"  # noqa: S608
    best = float("inf")
    for _ in range(RAW_REPEATS):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw_student")
            cursor.execute(f"CREATE TABLE bench_raw_student ({definitions})")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        best = min(best, time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_student")
    return len(rows), best


def main() -> None:
    args = parse_args()
    schools = args.schools or max(3, args.students // 600)
    workdir = Path(tempfile.mkdtemp(prefix="srodesk-bench-"))
    url, label = prepare_database(args.database_url, workdir)
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = "srodesk.config.settings"
    os.environ["DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    try:
        result = run(args, schools, workdir, label)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url, label)
        shutil.rmtree(workdir, ignore_errors=True)
    report(result)


def run(args: argparse.Namespace, schools: int, workdir: Path, label: str) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from srodesk.audit.models import AuditEvent, verify_chain
    from srodesk.organizations.models import District
    from srodesk.people.models import Student
    from srodesk.people.roster import run_import
    from srodesk.people.roster.generate import generate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generated = generate(
        workdir / "roster", students=args.students, schools=schools, version=args.version, seed=args.seed
    )
    generate_seconds = time.perf_counter() - started
    district = District.objects.create(name="Bench District", slug="bench", state="MI")
    audit_before = AuditEvent.objects.count()

    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    first = run_import(district=district, path=generated.path, dry_run=False, actor=None)
    if profiler:
        profiler.disable()
    import_seconds = time.perf_counter() - started
    if first.status != "succeeded":
        raise SystemExit(f"import failed: {first.errors[:5]}")
    audit_rows = AuditEvent.objects.count() - audit_before

    started = time.perf_counter()
    again = run_import(district=district, path=generated.path, dry_run=False, actor=None)
    reimport_seconds = time.perf_counter() - started
    changed_again = sum(c["created"] + c["updated"] + c["deactivated"] for c in again.summary.values())

    raw_rows, raw_seconds = raw_insert(Student, connection, transaction)

    verify_seconds = None
    chain_ok = None
    if not args.no_verify:
        started = time.perf_counter()
        chain_ok = next(iter(verify_chain()), None) is None
        verify_seconds = time.perf_counter() - started

    rows = sum(c["rows"] for c in first.summary.values())
    students = generated.students
    import_rows_per_second = rows / import_seconds
    raw_rows_per_second = raw_rows / raw_seconds
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "database": label,
        "database_version": connection.Database.sqlite_version
        if label == "sqlite"
        else ".".join(str(p) for p in divmod(connection.pg_version, 10000)),
        "python": sys.version.split()[0],
        "oneroster_version": args.version,
        "students": students,
        "schools": schools,
        "staff": generated.staff,
        "guardians": generated.guardians,
        "csv_rows": rows,
        "rows_per_file": {name: c["rows"] for name, c in first.summary.items()},
        "audit_rows_written": audit_rows,
        "generate_seconds": round(generate_seconds, 2),
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_second": round(import_rows_per_second),
        "import_students_per_second": round(students / import_seconds),
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_changes": changed_again,
        "raw_insert_rows": raw_rows,
        "raw_insert_seconds": round(raw_seconds, 3),
        "raw_insert_rows_per_second": round(raw_rows_per_second),
        "ratio_per_row": round(raw_rows_per_second / import_rows_per_second, 2),
        "ratio_per_student": round(raw_rows_per_second / (students / import_seconds), 2),
        "verify_seconds": round(verify_seconds, 2) if verify_seconds is not None else None,
        "audit_chain_intact": chain_ok,
        "target_rows_per_second": TARGET_ROWS_PER_SECOND,
        "target_ratio": TARGET_RATIO,
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
        result["profile_top"] = out.getvalue()
    return result


def report(result: dict[str, Any]) -> None:
    profile = result.pop("profile_top", None)
    lines = [
        ("database", f"{result['database']} {result['database_version']}"),
        ("set", f"OneRoster {result['oneroster_version']}: {result['students']:,} students, "
                f"{result['staff']:,} staff, {result['guardians']:,} guardians, {result['schools']} schools"),
        ("CSV rows", f"{result['csv_rows']:,}"),
        ("audit rows written", f"{result['audit_rows_written']:,}"),
        ("import", f"{result['import_seconds']:.1f} s"),
        ("import rows/s", f"{result['import_rows_per_second']:,} (target ≥ {TARGET_ROWS_PER_SECOND:,})"),
        ("import students/s", f"{result['import_students_per_second']:,}"),
        ("re-import (no change)", f"{result['reimport_seconds']:.1f} s, {result['reimport_changes']} changes"),
        ("raw insert rows/s", f"{result['raw_insert_rows_per_second']:,} ({result['raw_insert_seconds']:.2f} s)"),
        ("ratio raw ÷ import, per row", f"{result['ratio_per_row']}× (target ≤ {TARGET_RATIO}×)"),
        ("ratio raw ÷ import, per student", f"{result['ratio_per_student']}×"),
        ("verify-audit", "skipped" if result["verify_seconds"] is None
         else f"{result['verify_seconds']:.1f} s, {'intact' if result['audit_chain_intact'] else 'BROKEN'}"),
    ]  # fmt: skip
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")
    if profile:
        print(profile)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"roster-import-{result['date']}.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else []
    key = (result["database"], result["students"], result["oneroster_version"])
    runs = [r for r in runs if (r["database"], r["students"], r["oneroster_version"]) != key] + [result]
    path.write_text(json.dumps({"runs": runs}, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
