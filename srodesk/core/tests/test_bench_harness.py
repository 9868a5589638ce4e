"""The load harness (``bench/run.py``) end to end on the small district, for a few seconds, so it cannot rot.

The harness serves the test database with the production server (gunicorn, two workers) and drives it
with 16 concurrent clients, so the generated district must be committed: the test runs on PostgreSQL
only (the SQLite test database lives in this process's memory) and needs the harness's client
(``bench/requirements.txt``). The law-enforcement endpoints (``--only``) are probed in-process and put
under load, with the floors.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from srodesk.accounts.models import User
from srodesk.bench_data import generate
from srodesk.bench_data.generators.organizations import BENCH_PASSWORD
from srodesk.core import registry

ROOT = Path(__file__).resolve().parents[3]
LOADED = r"incident|searches|evidence"
#: The law-enforcement endpoints the harness adds beyond the generic ones of every record type.
INCIDENT_EXTRAS = (
    "incidents ?status=approved (sro)",
    "incidents list (sro_supervisor)",
    "incidents ?status=closed (sro_supervisor)",
    "incident detail (sro)",
    "incident detail (sro_supervisor)",
    "searches list (sro)",
    "searches list (sro_supervisor)",
    "evidence list (sro)",
    "evidence list (sro_supervisor)",
    "API incidents list (sro)",
    "API incidents ?status=approved (sro_supervisor)",
    "API incident detail (sro)",
    "API incident detail (sro_supervisor)",
    "API create incident (sro)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url() -> str:
    s = connection.settings_dict
    credentials = quote(s["USER"] or "postgres") + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
    return f"postgres://{credentials}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_harness_measures_the_small_district(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the harness serves the district from PostgreSQL (run the suite with DATABASE_URL=postgres://…)")
    if importlib.util.find_spec("aiohttp") is None:
        pytest.skip("the harness's client is not installed: pip install -r bench/requirements.txt")
    result = generate("small", 5)
    # The test settings hash passwords with MD5, which the production server does not accept.
    User.objects.filter(username__endswith=f".{result.code}").update(
        password=PBKDF2PasswordHasher().encode(BENCH_PASSWORD, PBKDF2PasswordHasher().salt())
    )
    out = tmp_path / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    argv = [
        sys.executable,
        str(ROOT / "bench" / "run.py"),
        "--database-url",
        database_url(),
        "--seconds",
        "0.3",
        "--warm-up",
        "0",
        "--floor-seconds",
        "0.5",
        "--db-floor-seconds",
        "0.1",
        "--max-requests",
        "16",
        "--only",
        LOADED,
        "--port",
        str(free_port()),
        "--floor-port",
        str(free_port()),
        "--out",
        str(out),
    ]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    measured: dict[str, Any] = json.loads(out.read_text())

    # Every endpoint answered the probe as expected; only record types without a row in the district
    # (attachments are files, which the generator does not make) have no endpoints.
    assert measured["probe_failures"] == []
    skipped = {entry["name"] for entry in measured["skipped"]}
    assert not skipped & set(INCIDENT_EXTRAS)
    for entry in registry.entries():
        if entry.verbose_name_plural in skipped:
            assert not entry.model._default_manager.exists(), entry.verbose_name_plural
    rows = {row["name"]: row for row in measured["endpoints"]}
    assert set(INCIDENT_EXTRAS) <= set(rows)
    for name, row in rows.items():
        assert row["requests"] > 0, name
        assert row["errors"] == 0, (name, row["error_samples"])
        assert None not in (row["p50"], row["p95"], row["p99"]), name
        assert (row["x_framework"] or 0) > 0, name
        assert row["queries"] > 0, name
        if row["queries_by_page_size"]:
            assert len(set(row["queries_by_page_size"].values())) == 1, (name, row["queries_by_page_size"])
    # The database floor of the incident list: its own data SQL, replayed.
    floor = rows["incidents list (sro_supervisor)"]["db_floor"]
    assert floor is not None
    assert floor["statements"] > 0
    assert floor["requests"] > 0
    assert "incidents_incident" in rows["incidents list (sro_supervisor)"]["query_tables"]
    # The cost of one request, measured in-process without load: Python CPU and SQL time, and the capacity
    # estimate they give (a create is not repeated, so it has none).
    cost = rows["incidents list (sro_supervisor)"]["cost"]
    assert cost is not None
    assert cost["requests"] == 7
    assert cost["python_cpu"] > 0
    assert cost["sql"] >= 0
    assert cost["wall"] > 0
    assert cost["predicted_p50_ms"] >= 0
    assert cost["budget_ms"] > 0
    # The create really created: as many reports as the harness sent, numbered by the service.
    created = rows["API create incident (sro)"]
    assert created["statuses"] == {"201": created["requests"]}
    assert created["cost"] is None
    framework = measured["floors"]["framework"]
    assert framework["start"]["requests"] > 0
    assert framework["end"]["requests"] > 0
    assert measured["floors"]["framework_cost"]["python_cpu"] > 0
    assert measured["memory"]["peak_mb"] > 0
    assert measured["district"]["slug"] == "bench-small-5"
