"""Benchmark: each persona's home page (its unit's figures of this month and this year,
read from the values table) on the full synthetic county, through the whole Django
stack (middleware, session, login, second factor, template), p50 / p95 / max.

    uv run python benchmarks/generate_county.py --keep DIR        # once
    uv run python benchmarks/indicators.py --var-dir DIR --skip-loop --skip-duckdb
    uv run python benchmarks/indicators_home.py --var-dir DIR [--requests 100]
    uv run python benchmarks/indicators_home.py --var-dir DIR --database-url postgres://...

Requirement (issue 9): p95 under 100 ms for every persona.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

PERSONAS = [
    ("county admin (会宁县)", "bench_home_county", "620422", "county_admin"),
    ("township clerk (会师镇)", "bench_home_clerk", "620422100", "township_clerk"),
    ("village worker (东关社区)", "bench_home_village", "620422100001", "village_worker"),
    ("auditor (会宁县)", "bench_home_auditor", "620422", "auditor"),
    ("facility (no figures)", "bench_home_facility", "620422", "facility"),
]


def setup(var_dir: Path, database_url: str | None) -> None:
    os.environ.update(
        FAMPLAN_ENV="development",
        FAMPLAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url or f"sqlite:///{var_dir}/famplan.sqlite3",
        DJANGO_SETTINGS_MODULE="famplan.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def client_for(username: str, unit: str, role: str):
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from famplan.accounts.models import User

    user, _ = User.objects.get_or_create(
        username=username, defaults={"org_unit_id": unit, "role": role}
    )
    client = Client()
    client.force_login(user)
    if role in settings.OTP_REQUIRED_ROLES:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    setup(args.var_dir, args.database_url)
    from django.db import connection

    from famplan.indicators.models import MeasureValue

    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {connection.vendor}")
    print(f"values table: {MeasureValue.objects.count():,} rows")
    print(f"{'persona':<28} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'CPU p50':>8}")
    for label, username, unit, role in PERSONAS:
        client = client_for(username, unit, role)
        for _ in range(5):  # warm: templates compiled, caches filled
            assert client.get("/").status_code == 200
        times, cpus = [], []
        for _ in range(args.requests):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get("/")
            times.append(1000 * (time.perf_counter() - started))
            cpus.append(1000 * (time.process_time() - cpu))
            assert response.status_code == 200
        # The page's first figure (期末人口: this month, this year), read off the HTML.
        found = re.search(r"<td>期末人口</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)<", response.text)
        shown = f"期末人口 {found.group(1)} / {found.group(2)}" if found else "(no figures)"
        print(
            f"{label:<28} {statistics.median(times):>7.1f} {percentile(times, 0.95):>7.1f}"
            f" {max(times):>7.1f} {statistics.median(cpus):>8.1f}   {shown}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
