"""Load harness: SRO Desk's production server on a generated district, 16 concurrent clients, with floors.

    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/srodesk_bench \\
        --small-database-url postgres://postgres@127.0.0.1:5432/srodesk_bench_small

``make bench`` builds the databases (``srodesk generate-district``) and runs this. One run:

1. ``probe.py`` (in-process, Django's test client) picks 16 users of several roles in the largest generated
   district, expands every endpoint of ``endpoints.py`` into paths each of them may request, and counts the
   queries of one request of each (lists at two page sizes; again on the small district's database when
   given, to show the count does not grow with the district). It also times a few requests of each GET
   endpoint without load: the Python CPU and SQL time of one request (``cost``), from which ``capacity``
   predicts the latency under the run's clients.
2. The production server starts as deployed: ``srodesk serve`` (gunicorn, 2 worker processes, threaded),
   with ``SRODESK_DEMO=true`` so the bench users need no second factor. A second gunicorn, identical but
   for one extra empty page (``floor_urls.py``), serves the framework floor.
3. Each client signs in through the sign-in page. Then, group by group and endpoint by endpoint, 16
   concurrent clients request the endpoint alone for a fixed time (5 s after 1 s of warm-up by default, at
   most 30 s, and at most a fixed number of requests), each request with the session of a user of the
   endpoint's role (the users of a role take turns), so each figure is the endpoint's own cost.
4. Floors, measured in the same run (before and after the endpoints): the framework floor (the empty
   page behind sign-in, same middleware and session) and ``/healthz`` (no session, ``SELECT 1``); and for
   every endpoint the database floor: the data SQL the probe saw it send, replayed with psycopg by as many
   concurrent connections as the server has threads (2 workers × 4). Each endpoint reports its p95 against
   both.
5. Resident memory of each worker is sampled every half second for the whole run.

An endpoint that answers the probe with another status than it expects is reported as not measured (and
misses the zero-errors target); one whose record type is not registered is reported as skipped.
``--only REGEX`` keeps the endpoints whose name matches; ``--warm-up`` and ``--max-requests`` shorten a run
(the test suite runs the law-enforcement endpoints on the small district this way).

Results go to ``bench/results/<date>.json``; ``--docs docs/performance.md`` also rewrites the table there.
Traffic goes to 127.0.0.1 only, and every loop is bounded in time and in requests.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
sys.path.insert(0, str(BENCH))

from endpoints import EMPTY_PATH, GROUPS  # noqa: E402

CLIENTS = 16
MAX_SECONDS = 30.0
WARM_UP = 1.0
#: Threads per worker: what ``srodesk serve`` starts (WEB_THREADS, default 4).
THREADS = 4
MAX_REQUESTS = 3_000
MAX_CREATES = 300
#: Idle connections are dropped by the client before gunicorn's keep-alive (2 s) closes them under it.
KEEPALIVE = 1.0
TARGET_P95_MS = 100.0
TARGET_FLOOR_RATIO = 3.0
TARGET_RSS_MB = 300.0
DOC_START, DOC_END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"


# --- measurements ------------------------------------------------------------------------------------
@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)

    def add(self, ms: float, status: int, ok: bool, detail: str = "") -> None:
        self.latencies.append(ms)
        self.statuses[status] += 1
        if not ok:
            self.errors += 1
            if len(self.error_samples) < 3:
                self.error_samples.append(detail[:300])

    def summary(self, seconds: float) -> dict[str, Any]:
        values = sorted(self.latencies)
        return {
            "requests": len(values),
            "rps": round(len(values) / seconds, 1) if seconds else 0.0,
            "p50": pct(values, 50),
            "p95": pct(values, 95),
            "p99": pct(values, 99),
            "mean": round(statistics.fmean(values), 2) if values else None,
            "errors": self.errors,
            "statuses": dict(self.statuses),
            "error_samples": self.error_samples,
        }


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted values (ms, two decimals)."""
    if not values:
        return None
    rank = max(0, min(len(values) - 1, round(q / 100 * len(values) + 0.5) - 1))
    return round(values[rank], 2)


class MemorySampler(threading.Thread):
    """Resident set size of each gunicorn worker of the server, every half second."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master = master_pid
        self.peak: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop = threading.Event()

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.master:
                pids.append(int(entry.name))
        return pids

    @staticmethod
    def rss_mb(pid: int) -> float | None:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def run(self) -> None:
        while not self.stop.wait(0.5):
            for pid in self.workers():
                rss = self.rss_mb(pid)
                if rss is not None:
                    self.last[pid] = rss
                    self.peak[pid] = max(rss, self.peak.get(pid, 0.0))

    def report(self) -> dict[str, Any]:
        workers = {
            str(pid): {"peak_mb": round(self.peak[pid], 1), "last_mb": round(self.last[pid], 1)} for pid in self.peak
        }
        return {"workers": workers, "peak_mb": round(max(self.peak.values(), default=0.0), 1)}


# --- servers ------------------------------------------------------------------------------------------
def server_env(database_url: str, static_root: Path, settings: str = "srodesk.config.settings") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY_FILE", "DEBUG"}}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        SRODESK_DEMO="true",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(static_root),
        DJANGO_SETTINGS_MODULE=settings,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(p for p in (str(BENCH), env.get("PYTHONPATH", "")) if p),
    )
    return env


@contextmanager
def server(argv: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_ready(port, proc)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer /healthz within 60 s")


def gunicorn_argv(port: int, workers: int, app: str = "srodesk.config.wsgi:application") -> list[str]:
    """The arguments ``srodesk serve`` gives gunicorn (see core/management/commands/serve.py)."""
    return [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(THREADS),
        "--worker-class",
        "gthread",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "127.0.0.1",
        "--timeout",
        "60",
    ]


# --- clients ------------------------------------------------------------------------------------------
class Clients:
    """One signed-in aiohttp session per bench user."""

    def __init__(self, base: str, password: str) -> None:
        self.base = base
        self.password = password
        self.sessions: dict[str, Any] = {}
        self.by_role: dict[str, list[str]] = defaultdict(list)
        self.counter = itertools.count(1)

    async def sign_in(self, users: list[dict[str, Any]]) -> None:
        import aiohttp

        for user in users:
            jar = aiohttp.CookieJar(unsafe=True)
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE),
                cookie_jar=jar,
                timeout=aiohttp.ClientTimeout(total=60),
            )
            async with session.get(f"{self.base}/accounts/login/") as response:
                await response.read()
            token = self.cookie(session, "csrftoken")
            form = {"username": user["username"], "password": self.password, "csrfmiddlewaretoken": token}
            async with session.post(f"{self.base}/accounts/login/", data=form, allow_redirects=False) as response:
                await response.read()
                if response.status != 302 or not self.cookie(session, "sessionid"):
                    raise SystemExit(f"could not sign in as {user['username']}: HTTP {response.status}")
            self.sessions[user["username"]] = session
            self.by_role[user["role"]].append(user["username"])

    @staticmethod
    def cookie(session: Any, name: str) -> str:
        for morsel in session.cookie_jar:
            if morsel.key == name:
                return str(morsel.value)
        return ""

    async def close(self) -> None:
        for session in self.sessions.values():
            await session.close()


async def timed(
    session: Any, method: str, url: str, body: dict[str, Any] | None, expect: int
) -> tuple[float, int, bool, str]:
    headers = {"Accept": "application/json"} if "/api/" in url else {}
    if method == "POST":
        headers.update({"X-CSRFToken": Clients.cookie(session, "csrftoken"), "Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        async with session.request(
            method, url, data=json.dumps(body) if body is not None else None, headers=headers, allow_redirects=False
        ) as response:
            payload = await response.read()
            status = response.status
    except Exception as exc:
        return (time.perf_counter() - start) * 1000, 0, False, f"{type(exc).__name__}: {exc}"
    ms = (time.perf_counter() - start) * 1000
    ok = status == expect
    return ms, status, ok, "" if ok else f"{status} {url}: {payload[:200]!r}"


async def drive(
    clients: Clients, eps: list[dict[str, Any]], seconds: float, max_requests: int, record: bool = True
) -> tuple[dict[str, Samples], float]:
    """16 concurrent clients request the endpoints in turn until the time or the request budget is spent."""
    samples = {ep["name"]: Samples() for ep in eps}
    order = itertools.cycle(eps)
    turns: dict[str, Iterator[str]] = {}
    paths: dict[tuple[str, str], Iterator[str]] = {}
    budget = [max_requests]
    started = time.perf_counter()
    deadline = started + seconds

    def next_request() -> tuple[dict[str, Any], str, str, dict[str, Any] | None] | None:
        if budget[0] <= 0 or time.perf_counter() >= deadline:
            return None
        budget[0] -= 1
        ep = next(order)
        users = [u for u in clients.by_role[ep["role"]] if u in ep["paths"]]
        turn = turns.setdefault(ep["name"], itertools.cycle(users))
        user = next(turn)
        path = next(paths.setdefault((ep["name"], user), itertools.cycle(ep["paths"][user])))
        body = None
        if ep["method"] == "POST":
            n = next(clients.counter)
            body = {k: (v.replace("{n}", str(n)) if isinstance(v, str) else v) for k, v in ep["bodies"][user].items()}
        return ep, user, path, body

    async def worker() -> None:
        while (item := next_request()) is not None:
            ep, user, path, body = item
            ms, status, ok, detail = await timed(
                clients.sessions[user], ep["method"], clients.base + path, body, ep["expect"]
            )
            if record:
                samples[ep["name"]].add(ms, status, ok, detail)

    await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return samples, time.perf_counter() - started


async def floor_requests(clients: Clients, base: str, path: str, seconds: float, signed_in: bool) -> dict[str, Any]:
    """The same 16 clients on one path of a server (the empty page, or /healthz)."""
    users = list(clients.sessions)
    ep = {
        "name": path,
        "role": "any",
        "method": "GET",
        "paths": {u: [path] for u in users},
        "bodies": {},
        "expect": 200,
    }
    floor_clients = Clients(base, clients.password)
    floor_clients.sessions = clients.sessions if signed_in else {u: await _anonymous() for u in users}
    floor_clients.by_role["any"] = users
    await drive(floor_clients, [ep], min(3.0, seconds), MAX_REQUESTS, record=False)
    samples, elapsed = await drive(floor_clients, [ep], seconds, MAX_REQUESTS)
    if not signed_in:
        for session in floor_clients.sessions.values():
            await session.close()
    return samples[path].summary(elapsed)


async def _anonymous() -> Any:
    import aiohttp

    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE), cookie_jar=aiohttp.DummyCookieJar()
    )


# --- the database floor -----------------------------------------------------------------------------
def database_floor(database_url: str, statements: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    """The endpoint's data SQL, replayed by as many connections as the server has threads: one request's worth."""
    import psycopg

    conninfo = database_url.replace("postgres://", "postgresql://", 1)
    latencies: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(concurrency)

    def replay() -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            run(conn)
            ready.wait()
            deadline = time.perf_counter() + seconds
            local: list[float] = []
            while len(local) < 3 or (time.perf_counter() < deadline and len(local) < MAX_REQUESTS // concurrency):
                start = time.perf_counter()
                run(conn)
                local.append((time.perf_counter() - start) * 1000)
            with lock:
                latencies.extend(local)

    def run(conn: Any) -> None:
        with conn.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace("%", "%%"))
                cursor.fetchall()

    threads = [threading.Thread(target=replay) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = sorted(latencies)
    return {"requests": len(values), "statements": len(statements), "p50": pct(values, 50), "p95": pct(values, 95)}


# --- the run ------------------------------------------------------------------------------------------
def probe(database_url: str, static_root: Path, out: Path, only: str | None = None) -> dict[str, Any]:
    env = server_env(database_url, static_root)
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    argv = [PYTHON, str(BENCH / "probe.py"), "--out", str(out), *(["--only", only] if only else [])]
    subprocess.run(argv, env=env, check=True, cwd=ROOT)
    plan: dict[str, Any] = json.loads(out.read_text())
    return plan


def machine(database_url: str) -> dict[str, Any]:
    import django
    import psycopg

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        version = str(row[0]) if row else "?"
        size_row = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": version,
        "database_size": str(size_row[0]) if size_row else "?",
    }


async def load(
    args: argparse.Namespace, plan: dict[str, Any], port: int, floor_port: int, memory: MemorySampler
) -> dict[str, Any]:
    base, floor_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
    clients = Clients(base, plan["password"])
    await clients.sign_in(plan["sessions"])
    floors: dict[str, Any] = {"framework": {}, "healthz": {}}
    try:
        log("floors (start)")
        floors["framework"]["start"] = await floor_requests(clients, floor_base, EMPTY_PATH, args.floor_seconds, True)
        floors["healthz"]["start"] = await floor_requests(clients, base, "/healthz", args.floor_seconds, False)
        groups: dict[str, Any] = {}
        results: dict[str, Any] = {}
        for group in GROUPS:
            eps = [ep for ep in plan["endpoints"] if ep["group"] == group and ep["status"] == ep["expect"]]
            if not eps:
                continue
            budget = min(MAX_CREATES if group == "api-write" else MAX_REQUESTS, args.max_requests)
            log(f"group {group}: {len(eps)} endpoints, {args.seconds:g} s each")
            requests, elapsed_total = 0, 0.0
            for ep in eps:
                if args.warm_up > 0:
                    await drive(clients, [ep], args.warm_up, budget, record=False)
                samples, elapsed = await drive(clients, [ep], args.seconds, budget)
                results[ep["name"]] = samples[ep["name"]].summary(elapsed)
                requests += len(samples[ep["name"]].latencies)
                elapsed_total += elapsed
            groups[group] = {"endpoints": len(eps), "requests": requests, "seconds": round(elapsed_total, 1)}
        log("floors (end)")
        floors["framework"]["end"] = await floor_requests(clients, floor_base, EMPTY_PATH, args.floor_seconds, True)
        floors["healthz"]["end"] = await floor_requests(clients, base, "/healthz", args.floor_seconds, False)
    finally:
        await clients.close()
    return {"floors": floors, "groups": groups, "results": results, "memory": memory.report()}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def combine(
    plan: dict[str, Any], small: dict[str, Any] | None, measured: dict[str, Any], db_floors: dict[str, Any]
) -> list[dict[str, Any]]:
    framework = measured["floors"]["framework"]
    fw_p95 = statistics.fmean(v["p95"] for v in framework.values())
    small_counts = {ep["name"]: ep.get("queries") for ep in (small or {}).get("endpoints", [])}
    rows = []
    for ep in plan["endpoints"]:
        result = measured["results"].get(ep["name"])
        if result is None:
            continue
        floor = db_floors.get(ep["name"])
        by_size = ep.get("queries_by_page_size")
        row = {
            "name": ep["name"],
            "group": ep["group"],
            "role": ep["role"],
            "method": ep["method"],
            **{k: result[k] for k in ("requests", "rps", "p50", "p95", "p99", "errors", "statuses", "error_samples")},
            "queries": ep["queries"],
            "query_tables": ep["query_tables"],
            "queries_by_page_size": by_size,
            "queries_small_district": small_counts.get(ep["name"]),
            "cost": capacity(ep.get("cost")),
            "db_floor": floor,
            "x_framework": round(result["p95"] / fw_p95, 2) if result["p95"] is not None else None,
            "x_database": round(result["p95"] / floor["p95"], 2) if floor and floor["p95"] else None,
        }
        same_size = by_size is None or len(set(by_size.values())) == 1
        same_district = row["queries_small_district"] in (None, ep["queries"])
        row["meets"] = {
            "p95": result["p95"] is not None and result["p95"] <= TARGET_P95_MS,
            "x_framework": row["x_framework"] is not None and row["x_framework"] <= TARGET_FLOOR_RATIO,
            "errors": result["errors"] == 0,
            "queries_constant": same_size and same_district,
        }
        rows.append(row)
    return rows


def capacity(cost: dict[str, Any] | None, clients: int = CLIENTS) -> dict[str, Any] | None:
    """The probe's cost of one request, with what it predicts under load.

    ``clients`` closed-loop clients on ``cores`` cores shared by the server and the database: each request
    waits for the work of all the others, so latency ≈ clients × (Python + SQL) / cores. ``budget_ms`` is the
    Python + SQL of one request that gives 100 ms at that concurrency.
    """
    if not cost:
        return None
    cores = os.cpu_count() or 1
    return {
        **cost,
        "predicted_p50_ms": round(clients * (cost["python_cpu"] + cost["sql"]) / cores, 1),
        "budget_ms": round(TARGET_P95_MS * cores / clients, 1),
    }


def budget_ms(result: dict[str, Any]) -> float:
    """The Python + SQL of one request that gives 100 ms with the run's clients on its machine's cores."""
    return round(float(TARGET_P95_MS * result["machine"]["cores"] / result["config"]["clients"]), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/srodesk_bench")
    parser.add_argument("--small-database-url", help="a database with the small district: query counts compared")
    parser.add_argument("--seconds", type=float, default=5.0, help="per endpoint, after 1 s of warm-up (at most 30)")
    parser.add_argument("--floor-seconds", type=float, default=8.0)
    parser.add_argument("--db-floor-seconds", type=float, default=3.0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--floor-port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warm-up", type=float, default=WARM_UP, help="seconds per endpoint before measuring")
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS, help="per endpoint (a create: at most 300)")
    parser.add_argument("--only", help="only the endpoints whose name matches this regular expression")
    parser.add_argument("--out", type=Path, help="default: bench/results/<date>.json")
    parser.add_argument("--docs", type=Path, help="rewrite the results table in this Markdown file")
    parser.add_argument("--render", type=Path, help="only render the table of an existing result into --docs")
    args = parser.parse_args()
    if args.render:
        render_docs(json.loads(args.render.read_text()), args.docs or ROOT / "docs" / "performance.md")
        return
    args.seconds = min(args.seconds, MAX_SECONDS)
    args.floor_seconds = min(args.floor_seconds, MAX_SECONDS)
    for url in (args.database_url, args.small_database_url):
        if url and urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"{url}: the bench only talks to a database on this machine")
    work = Path(tempfile.mkdtemp(prefix="srodesk-bench-"))
    static_root = work / "static"
    env = server_env(args.database_url, static_root)
    log("collectstatic")
    subprocess.run([PYTHON, "-m", "srodesk", "collectstatic", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    log("probe: users, paths and queries per request")
    plan = probe(args.database_url, static_root, work / "plan.json", args.only)
    small = (
        probe(args.small_database_url, static_root, work / "plan-small.json", args.only)
        if args.small_database_url
        else None
    )
    failed = [
        {"name": ep["name"], "status": ep["status"], "expected": ep["expect"]}
        for ep in plan["endpoints"]
        if ep["status"] != ep["expect"]
    ]
    for failure in failed:
        log(f"not measured: {failure['name']} answered {failure['status']} (expected {failure['expected']})")
    floor_env = server_env(args.database_url, static_root, settings="floor_settings")
    floor_env["SECRET_KEY"] = env["SECRET_KEY"]
    serve = [PYTHON, "-m", "srodesk", "serve", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
    log(f"starting the server ({args.workers} workers) and the floor server")
    with (
        server(serve, env, args.port, work / "server.log") as main_server,
        server(gunicorn_argv(args.floor_port, args.workers), floor_env, args.floor_port, work / "floor.log"),
    ):
        memory = MemorySampler(main_server.pid)
        memory.start()
        started = dt.datetime.now(dt.UTC)
        measured = asyncio.run(load(args, plan, args.port, args.floor_port, memory))
        memory.stop.set()
    log("database floors")
    db_floors = {
        ep["name"]: database_floor(args.database_url, ep["floor_sql"], args.db_floor_seconds, args.workers * THREADS)
        for ep in plan["endpoints"]
        if ep["floor_sql"] and ep["method"] == "GET" and ep["name"] in measured["results"]
    }
    rows = combine(plan, small, measured, db_floors)
    measured["floors"]["framework_cost"] = capacity(plan.get("framework_cost"))
    result = {
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(args.database_url),
        "config": {
            "clients": CLIENTS,
            "workers": args.workers,
            "threads": THREADS,
            "seconds_per_endpoint": args.seconds,
            "warm_up_seconds": args.warm_up,
            "max_requests_per_endpoint": args.max_requests,
            "only": args.only,
            "db_floor_concurrency": args.workers * THREADS,
            "floor_seconds": args.floor_seconds,
            "db_floor_seconds": args.db_floor_seconds,
            "server": "srodesk serve (gunicorn gthread)",
            "database": "postgresql",
        },
        "district": plan["district"],
        "small_district": small["district"] if small else None,
        "sessions": [{k: u[k] for k in ("username", "role")} for u in plan["sessions"]],
        "floors": measured["floors"],
        "groups": measured["groups"],
        "memory": measured["memory"],
        "endpoints": rows,
        "probe_failures": failed,
        "skipped": plan.get("skipped", []),
    }
    result["targets"] = targets(result)
    out = args.out or RESULTS / f"{started.date().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    log(f"results written to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if args.docs:
        render_docs(result, args.docs)
    print(table(result))


def targets(result: dict[str, Any]) -> dict[str, Any]:
    rows = result["endpoints"]
    missed = {
        key: [r["name"] for r in rows if not r["meets"][key]]
        for key in ("p95", "x_framework", "errors", "queries_constant")
    }
    return {
        "p95_le_100ms": not missed["p95"],
        "p95_le_3x_framework_floor": not missed["x_framework"],
        "zero_errors": not missed["errors"] and not result.get("probe_failures"),
        "queries_independent_of_page_and_district_size": not missed["queries_constant"],
        "rss_le_300mb_per_worker": result["memory"]["peak_mb"] <= TARGET_RSS_MB,
        "missed": missed,
    }


def table(result: dict[str, Any]) -> str:
    fw = result["floors"]["framework"]
    hz = result["floors"]["healthz"]
    fw_cost = result["floors"].get("framework_cost")
    clients, cores = result["config"]["clients"], result["machine"]["cores"]
    lines = [
        f"Framework floor (empty page behind sign-in): p50 {fw['start']['p50']}/{fw['end']['p50']} ms, "
        f"p95 {fw['start']['p95']}/{fw['end']['p95']} ms (start/end); /healthz p95 {hz['start']['p95']}/"
        f"{hz['end']['p95']} ms; {fw['start']['rps']}/{fw['end']['rps']} req/s"
        + (f"; one request in-process: {_cost(fw_cost)} ms Python / SQL" if fw_cost else ""),
        "",
        f"At {clients} clients on {cores} cores, p95 ≤ {TARGET_P95_MS:.0f} ms needs at most ≈ {budget_ms(result)} ms "
        "of server and database work per request (Python + SQL columns).",
        "",
        "| Endpoint | Group | p50 ms | p95 ms | p99 ms | req/s | Errors | Queries (10/50 rows; small district) "
        "| Python / SQL ms (one request) | DB floor p95 ms | p95 ÷ framework | p95 ÷ DB floor |",
        "|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|",
    ]
    for r in result["endpoints"]:
        by_size = r["queries_by_page_size"]
        sizes = (
            f" ({by_size['10']}/{by_size['50']})"
            if by_size and "10" in by_size
            else (f" ({by_size[10]}/{by_size[50]})" if by_size else "")
        )
        small = f"; {r['queries_small_district']}" if r["queries_small_district"] is not None else ""
        floor = r["db_floor"]["p95"] if r["db_floor"] else "–"
        miss = "" if all(r["meets"].values()) else " ✗"
        lines.append(
            f"| {r['name']}{miss} | {r['group']} | {r['p50']} | {r['p95']} | {r['p99']} | {r['rps']} | {r['errors']} "
            f"| {r['queries']}{sizes}{small} | {_cost(r.get('cost'))} | {floor} | {r['x_framework']} "
            f"| {r['x_database'] or '–'} |"
        )
    memory = result["memory"]
    lines += [
        "",
        "Resident memory per worker (peak / at the end): "
        + ", ".join(f"{w['peak_mb']} / {w['last_mb']} MB" for w in memory["workers"].values()),
    ]
    for failure in result.get("probe_failures", []):
        lines.append(
            f"Not measured: {failure['name']} answered {failure['status']} in the probe "
            f"(expected {failure['expected']})"
        )
    for skip in result.get("skipped", []):
        lines.append(f"Skipped: {skip['name']}: {skip['reason']}")
    t = result["targets"]
    lines += ["", "Targets: " + "; ".join(f"{k}: {'met' if v else 'missed'}" for k, v in t.items() if k != "missed")]
    return "\n".join(lines)


def _cost(cost: dict[str, Any] | None) -> str:
    """One request's Python CPU and SQL time, ``31.2 / 6.4``; ``–`` when the probe did not measure it."""
    return f"{cost['python_cpu']:.1f} / {cost['sql']:.1f}" if cost else "–"


def render_docs(result: dict[str, Any], path: Path) -> None:
    m, c = result["machine"], result["config"]
    header = (
        f"Run of {result['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB), Linux {m['kernel']}, "
        f"Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']} (database {m['database_size']}). "
        f"District: {result['district']['name']} ({result['district']['students']:,} students). "
        f"{c['clients']} concurrent clients, {c['workers']} workers × {c['threads']} threads, "
        f"{c['seconds_per_endpoint']:.0f} s per endpoint after {c['warm_up_seconds']:.0f} s of warm-up; "
        f"database floors replayed by {c['db_floor_concurrency']} connections."
    )
    block = f"{DOC_START}\n{header}\n\n{table(result)}\n{DOC_END}"
    text = path.read_text() if path.exists() else f"# Performance\n\n{DOC_START}\n{DOC_END}\n"
    start, end = text.find(DOC_START), text.find(DOC_END)
    if start < 0 or end < 0:
        text = text.rstrip() + f"\n\n{block}\n"
    else:
        text = text[:start] + block + text[end + len(DOC_END) :]
    path.write_text(text)


if __name__ == "__main__":
    main()
