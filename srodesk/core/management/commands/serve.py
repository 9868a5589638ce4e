"""`srodesk serve`: the production server (gunicorn, threaded workers) with static files by WhiteNoise."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve SRO Desk with gunicorn (production-grade; DEBUG stays off)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        # Each open alert screen (a server-sent event stream) holds one thread and one connection.
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "32")))
        parser.add_argument(
            "--worker-connections", type=int, default=int(os.environ.get("WEB_WORKER_CONNECTIONS", "1000"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "srodesk.config.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--worker-connections",
            str(options["worker_connections"]),
            "--graceful-timeout",
            os.environ.get("WEB_GRACEFUL_TIMEOUT", "10"),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            "--timeout",
            "60",
        ]
        self.stdout.write(f"SRO Desk serving on http://{options['bind']}/ ({options['workers']} workers)")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
