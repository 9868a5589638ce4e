"""Where one request's time goes, in-process: pyinstrument over repeated requests of one path as one user.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/srodesk_bench SECRET_KEY=x SRODESK_DEMO=true \
      .venv/bin/python bench/profile_request.py --role school_admin /people/students/ [--repeat 20] [--html out.html]

The user is the first generated account holding the role at the busiest school (as ``probe.py`` picks them);
``--user`` names one instead. Prints the mean wall time and queries per request, then the profile (the first
request is a warm-up and is not profiled).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srodesk.config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from probe import district, sessions  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from srodesk.accounts.models import User  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--role", default="school_admin")
    parser.add_argument("--user")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--html")
    parser.add_argument(
        "--cprofile", metavar="SORT", help="also print cProfile's figures sorted by SORT (cumulative, tottime)"
    )
    parser.add_argument("--top", type=int, default=60, help="rows of the cProfile table")
    parser.add_argument("--sql", action="store_true", help="also print each query of one request with its time")
    args = parser.parse_args()

    # Static URLs without the collected manifest: the page's own work is what is profiled.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if args.user:
        user = User.objects.get(username=args.user)
    else:
        found = [s for s in sessions(district()) if s["role"] == args.role]
        if not found:
            raise SystemExit(f"no generated user with role {args.role}")
        user = User.objects.get(username=found[0]["username"])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    response = client.get(args.path)
    print(f"{args.path} as {user.username}: status {response.status_code}, {len(response.content)} bytes")
    timed: list[tuple[float, str]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timer):
        client.get(args.path)
    print(f"{len(timed)} queries, {sum(ms for ms, _ in timed):.1f} ms in the database")
    if args.sql:
        for ms, sql in timed:
            print(f"{ms:8.2f} ms  {sql[:400]}")
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):
        client.get(args.path)
    plain = (time.perf_counter() - started) / args.repeat
    cpu = (time.process_time() - cpu) / args.repeat
    print(f"mean {plain * 1000:.1f} ms per request without a profiler ({cpu * 1000:.1f} ms of CPU in this process)")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.stop()
    elapsed = (time.perf_counter() - started) / args.repeat
    print(f"mean {elapsed * 1000:.1f} ms per request under pyinstrument")
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False))
    if args.cprofile:
        stats = cProfile.Profile()
        stats.enable()
        for _ in range(args.repeat):
            client.get(args.path)
        stats.disable()
        pstats.Stats(stats).sort_stats(args.cprofile).print_stats(args.top)


if __name__ == "__main__":
    main()
