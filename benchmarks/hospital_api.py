"""Benchmark: the hospitals' delivery API over HTTP against a real server.

    uv run python benchmarks/hospital_api.py [--posts 1000] [--batch 1000] [--people 50000]

With DATABASE_URL=postgres://... it runs on a scratch PostgreSQL database too
(benchmarks/_harness.py). Builds a fresh database (Huining's divisions, `--people`
residents across its 322 villages, among them enough women of 20-40 to be the
mothers), a county hospital with an API token; starts `famplan serve` (waitress, as a
county runs it) on a free port in a child process; then
  1. posts `--posts` deliveries one by one (one keep-alive connection, each a new
     mother), timing each request from send to the full response: p50 / p95 / max;
  2. posts one batch of `--batch` deliveries of other mothers, timed the same way.
Requirements: p95 under 50 ms per delivery; a 1,000-delivery batch under 2 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _harness import run_on_fresh_databases

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "src/famplan/orgunits/fixtures/huining_620422_divisions.csv"


def setup() -> dict[str, str]:
    """In the child process, whose environment names the fresh database (_harness)."""
    env = {
        "FAMPLAN_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "famplan.settings",
        "LOG_LEVEL": "WARNING",
    }
    if not os.environ.get("FAMPLAN_VAR_DIR"):
        env["FAMPLAN_VAR_DIR"] = tempfile.mkdtemp()
    os.environ.update(env)
    import django

    django.setup()
    return {k: os.environ[k] for k in ("DATABASE_URL", "FAMPLAN_VAR_DIR", *env)}


def build(people: int, mothers_needed: int) -> tuple[str, list[str]]:
    """Migrate, load the divisions, write the residents; a hospital and its token.
    Returns the token and the mothers' ID numbers."""
    from django.core.management import call_command

    from famplan.accounts.models import User
    from famplan.accounts.roles import Role
    from famplan.common.idnumbers import make_id_number
    from famplan.deliveries.services import facility_create, token_create
    from famplan.orgunits.models import Level, OrgUnit
    from famplan.orgunits.services import divisions_import
    from famplan.registry.services.people import PersonData, people_write

    call_command("migrate", verbosity=0)
    divisions_import(FIXTURE, source_name=FIXTURE.name)
    admin = User.objects.create(
        username="bench_admin", org_unit_id="620422", role=Role.COUNTY_ADMIN
    )
    villages = list(OrgUnit.objects.filter(level=Level.VILLAGE).values_list("code", flat=True))
    rng = random.Random(2026)
    rows, mothers, used = [], [], set()
    for i in range(people):
        mother = i < mothers_needed
        sex = "F" if mother else rng.choice("MF")
        born = date(1986, 1, 1) + timedelta(days=rng.randrange(365 * 18)) if mother else (
            date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 80))
        )  # fmt: skip
        while True:
            number = make_id_number("620422", born, rng.randrange(1, 500), sex)
            if number not in used:
                used.add(number)
                break
        rows.append(
            PersonData(
                name=f"居民{i}", sex=sex, birth_date=born, unit_id=rng.choice(villages),
                id_number=number, ethnicity="汉族", hukou_type="rural", registered_on=born,
            )
        )  # fmt: skip
        if mother:
            mothers.append(number)
    for start in range(0, len(rows), 20000):
        people_write(actor=admin, people=rows[start : start + 20000], audit=False)
    facility = facility_create(
        actor=admin, code="H620422001", name="会宁县人民医院", unit_id="620422"
    )
    _, token = token_create(actor=admin, facility=facility, name="bench")
    return token, mothers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux): steadier than the wall clock on a
    machine other work shares."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def delivery(number: str, i: int, rng: random.Random) -> dict:
    return {
        "record_id": f"ZY{i:07d}",
        "mother_id_number": number,
        "delivered_on": (date.today() - timedelta(days=rng.randrange(1, 60))).isoformat(),
        "sex": rng.choice("MF"),
        "weight_g": rng.randrange(2500, 4200),
        "place": "hospital",
        # Hospitals send the certificate number: its uniqueness check is on the path.
        "medical_certificate_number": f"Q{620000000 + i}",
    }


def run(posts: int, batch: int, people: int) -> None:
    env = setup()
    started = time.perf_counter()
    token, mothers = build(max(people, posts + batch), posts + batch)
    print(f"built {len(mothers):,} mothers in {people:,} residents "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "famplan.cli", "serve", f"127.0.0.1:{port}"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        measure(port, token, mothers, posts, batch, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)


def measure(port: int, token: str, mothers: list[str], posts: int, batch: int, pid: int) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rng = random.Random(7)
    # Warm-up: the first request imports and connects.
    conn.request("GET", "/api/deliveries/none", headers=headers)
    conn.getresponse().read()
    times: list[float] = []
    cpu = cpu_seconds(pid)
    for i in range(posts):
        body = json.dumps(delivery(mothers[i], i, rng))
        t0 = time.perf_counter()
        conn.request("POST", "/api/deliveries", body, headers)
        response = conn.getresponse()
        data = response.read()
        times.append((time.perf_counter() - t0) * 1000)
        if response.status != 200:
            raise SystemExit(f"post {i}: {response.status} {data[:300]!r}")
    cpu = cpu_seconds(pid) - cpu
    print(
        f"{posts} single posts: p50 {statistics.median(times):.1f} ms, "
        f"p95 {percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms "
        f"(requirement p95 < 50 ms); server CPU {cpu * 1000 / posts:.1f} ms a post"
    )
    items = [delivery(mothers[posts + j], posts + j, rng) for j in range(batch)]
    body = json.dumps({"deliveries": items})
    cpu = cpu_seconds(pid)
    t0 = time.perf_counter()
    conn.request("POST", "/api/deliveries/batch", body, headers)
    response = conn.getresponse()
    data = response.read()
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu
    if response.status != 200:
        raise SystemExit(f"batch: {response.status} {data[:500]!r}")
    result = json.loads(data)
    print(
        f"batch of {batch}: {seconds:.2f} s ({cpu:.2f} s server CPU), "
        f"counts {result['counts']} (requirement < 2 s)"
    )
    # And the batch again: every item a replay.
    t0 = time.perf_counter()
    conn.request("POST", "/api/deliveries/batch", body, headers)
    again = json.loads(conn.getresponse().read())
    print(f"the same batch again (replays): {time.perf_counter() - t0:.2f} s, "
          f"counts {again['counts']}")  # fmt: skip


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run(*(int(n) for n in sys.argv[2].split(",")))
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--people", type=int, default=50000)
    args = parser.parse_args()
    print(f"load before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    status = run_on_fresh_databases(
        __file__, f"{args.posts},{args.batch},{args.people}", "hospital_api"
    )
    print(f"load after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return status


if __name__ == "__main__":
    sys.exit(main())
