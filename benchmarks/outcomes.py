#!/usr/bin/env python
"""Benchmark of outcomes reporting: a program report over 1,000,000 check-ins from 100,000
people (target <= 2 s), and scoring one check-in (target <= 1 ms).

    .venv/bin/python benchmarks/outcomes.py [--checkins 1000000] [--people 100000]
        [--programs 4] [--repeat 20] [--seed 7] [--database sqlite|postgres|both]
        [--keep DIR] [--reuse] [--quiet-wait SECONDS] [--json [PATH]]

Reports never read check-ins: they count the pseudonymous evaluation scores a completed check-in
leaves (one `EvaluationScore` per scored check-in of a person who agreed to be counted). So for
each database the benchmark migrates a fresh database and loads those rows directly in bulk —
N check-ins from P people (P/N of them each), half WHO-5 and half PHQ-9, spread over the past
year, the people split over the programs 40/30/20/10 % — then times
`hearth.outcomes.selectors.program_report` for a one-year period: the largest program, and every
program one after another (all N check-ins, the figure set against the target), plus the impact
page's wellbeing figures (WHO-5 across every program). Each is timed `--repeat` times after one
warm-up, with the CPU it used (this process for SQLite; the PostgreSQL backend and its parallel
workers for PostgreSQL) and how busy the rest of the machine was meanwhile.

Scoring one check-in is measured by benchmarks/outcomes_scoring.py's own routine (every
instrument, random complete answers, each `score()` timed on its own).

It prints the figures beside the targets and marks each met or not met; it never fails on a
timing. Progress goes to stderr; the table (and, with --json, the JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import busy_ticks, git, log, psql

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "hearth_bench_outcomes"
TARGET_REPORT_S = 2.0
TARGET_SCORING_MS = 1.0
PROGRAM_SHARES = (0.4, 0.3, 0.2, 0.1)
INSTRUMENTS = ("who-5", "phq-9")
BATCH = 50_000
HZ = os.sysconf("SC_CLK_TCK")
QUIET_CORES = 0.25


# =============================================================================================
# CPU accounting


def _ticks(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def _parallel_workers(backend: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if f"parallel worker for PID {backend}".encode() in command:
            found.append(int(entry.name))
    return found


class Watch:
    """Wall time, the CPU the measured work used, and other work on the machine meanwhile."""

    def __init__(self, backend: int | None):
        self.backend = backend
        self.wall = time.perf_counter()
        self.cpu = time.process_time()
        self.busy = busy_ticks()
        self.backend_ticks = _ticks(backend) if backend else 0

    def stop(self, workers_before: dict[int, int]) -> dict:
        wall = time.perf_counter() - self.wall
        own = time.process_time() - self.cpu
        database = 0.0
        if self.backend:
            database = (_ticks(self.backend) - self.backend_ticks) / HZ
            for pid in _parallel_workers(self.backend):
                database += (_ticks(pid) - workers_before.get(pid, 0)) / HZ
        busy = (busy_ticks() - self.busy) / HZ
        cpu = own + database
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "other_cores": max(busy - cpu, 0.0) / max(wall, 1e-6),
        }


def wait_quiet(seconds: float) -> float:
    """Wait up to `seconds` for the machine's other work to fall below a quarter of a core;
    return how busy it was when measuring started."""
    deadline = time.monotonic() + seconds
    while True:
        before, mine = busy_ticks(), time.process_time()
        time.sleep(1.0)
        other = max((busy_ticks() - before) / HZ - (time.process_time() - mine), 0.0)
        if other < QUIET_CORES or time.monotonic() >= deadline:
            return other


# =============================================================================================
# The helper process: Django set up against one database (a process cannot set Django up twice)


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()


def _people_per_program(people: int) -> list[int]:
    counts = [int(people * share) for share in PROGRAM_SHARES]
    counts[0] += people - sum(counts)
    return counts


def _load(request: dict, programs: list) -> dict:
    """Evaluation scores straight into the table, as completed check-ins leave them."""
    from django.db import connection, transaction

    from hearth.outcomes.models import EvaluationScore

    rng = random.Random(request["seed"])
    checkins, people = request["checkins"], request["people"]
    per_person, extra = divmod(checkins, people)
    now = datetime.now(UTC)
    start = now - timedelta(days=364)
    table = EvaluationScore._meta.db_table
    columns = "pseudonym, program_id, instrument, score, at"
    started = time.perf_counter()
    written = 0
    person = 0

    def rows_for_people():
        nonlocal person
        for program, count in zip(programs, _people_per_program(people), strict=True):
            for _ in range(count):
                pseudonym = hashlib.sha256(f"{request['seed']}:{person}".encode()).hexdigest()
                pseudonym = pseudonym[:32]
                visits = per_person + (1 if person < extra else 0)
                person += 1
                times = sorted(start + timedelta(seconds=rng.random() * 364 * 86400)
                               for _ in range(visits))  # fmt: skip
                baseline = {"who-5": rng.randint(4, 18) * 4, "phq-9": rng.randint(3, 22)}
                for visit, at in enumerate(times):
                    instrument = INSTRUMENTS[visit % 2]
                    drift = rng.randint(-3, 4)
                    if instrument == "who-5":
                        score = float(min(100, max(0, baseline["who-5"] + 4 * drift)))
                    else:
                        score = float(min(27, max(0, baseline["phq-9"] - drift)))
                    yield pseudonym, program, instrument, score, at

    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for pseudonym, program, instrument, score, at in rows_for_people():
                    copy.write_row((pseudonym, str(program.pk), instrument, score, at))
                    written += 1
                    if written % 200_000 == 0:
                        log(f"  {written:,} scores")
        # What autovacuum does soon after a bulk insert on a live install: statistics, and the
        # visibility map that lets the report read the index alone.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        adapt = connection.ops.adapt_datetimefield_value
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"
        batch = []
        with connection.cursor() as cursor:
            for pseudonym, program, instrument, score, at in rows_for_people():
                batch.append((pseudonym, program.pk.hex, instrument, score, adapt(at)))
                if len(batch) >= BATCH:
                    with transaction.atomic():
                        cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
                    if written % 200_000 == 0:
                        log(f"  {written:,} scores")
            if batch:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                written += len(batch)
    return {"rows": written, "seconds": time.perf_counter() - started}


def helper_run(request: dict) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from hearth.accounts.models import Organization
    from hearth.outcomes import impact, selectors
    from hearth.outcomes.models import EvaluationScore, Program

    result: dict = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = time.perf_counter() - started

    organization = Organization.objects.filter(slug="outcomes-benchmark").first()
    reuse = request["reuse"] and organization is not None
    if reuse:
        programs = list(Program.objects.filter(organization=organization).order_by("name"))
        log(f"  reusing {EvaluationScore.objects.count():,} scores already loaded")
        result["load"] = None
    else:
        organization = Organization.objects.create(
            slug="outcomes-benchmark", name="Outcomes benchmark", kind="community_based"
        )
        programs = [
            Program.objects.create(
                organization=organization,
                name=f"Program {number + 1} ({int(share * 100)} %)",
                id=uuid.UUID(int=random.Random(request["seed"] + number).getrandbits(128)),
            )
            for number, share in enumerate(PROGRAM_SHARES)
        ]
        log(f"  loading {request['checkins']:,} scores from {request['people']:,} people")
        result["load"] = _load(request, programs)
        log(f"  loaded in {result['load']['seconds']:.1f} s")

    counts = {
        program.pk: EvaluationScore.objects.filter(program=program).count() for program in programs
    }
    result["rows"] = sum(counts.values())
    result["largest_rows"] = counts[programs[0].pk]
    result["who5_rows"] = EvaluationScore.objects.filter(instrument="who-5").count()
    until = datetime.now(UTC) + timedelta(minutes=1)
    since = until - timedelta(days=365)
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]

    def largest():
        return selectors.program_report(programs[0], since=since, until=until)

    def every_program():
        return [selectors.program_report(p, since=since, until=until) for p in programs]

    def wellbeing():
        return impact.wellbeing_figures(programs, since=since, until=until)

    measured = {}
    for name, call in (
        ("largest", largest),
        ("every_program", every_program),
        ("wellbeing", wellbeing),
    ):
        log(f"  timing {name} ({request['repeat']} runs)")
        call()  # warm-up
        samples = []
        for _ in range(request["repeat"]):
            quiet = wait_quiet(request["quiet_wait"]) if request["quiet_wait"] else None
            workers = {pid: _ticks(pid) for pid in _parallel_workers(backend)} if backend else {}
            watch = Watch(backend)
            call()
            sample = watch.stop(workers)
            sample["other_before"] = quiet
            samples.append(sample)
        measured[name] = samples
    reports = largest()
    result["check"] = [
        {
            "instrument": report.instrument,
            "people_measured": report.people_measured,
            "people_with_follow_up": report.people_with_follow_up,
            "mean_change": report.mean_change,
        }
        for report in reports
    ]
    result["measured"] = measured
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        result["database_version"] = cursor.fetchone()[0]
    return result


HELPERS = {"run": helper_run}


# =============================================================================================
# Scoring (benchmarks/outcomes_scoring.py's routine)


def scoring(runs: int, seed: int) -> dict:
    _scoring = _load_scoring_module()
    from hearth.outcomes.instruments import all_instruments, get, needs_safety_pathway

    rng = random.Random(seed)
    rows = {}
    for instrument in all_instruments():
        inputs = [_scoring.random_answers(instrument, rng) for _ in range(runs)]
        rows[instrument.short_name] = _scoring.measure(instrument.score, inputs)
    phq9 = get("phq-9")
    inputs = [_scoring.random_answers(phq9, rng) for _ in range(runs)]

    def check_in(answers):
        needs_safety_pathway(phq9, answers)
        phq9.score(answers)

    rows["PHQ-9 + safety check"] = _scoring.measure(check_in, inputs)
    return {
        name: {
            "p50_us": _scoring.percentile(samples, 0.50),
            "p95_us": _scoring.percentile(samples, 0.95),
        }
        for name, samples in rows.items()
    }


def _load_scoring_module():
    spec = importlib.util.spec_from_file_location(
        "outcomes_scoring", Path(__file__).with_name("outcomes_scoring.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# =============================================================================================
# Running, per database


def pg_exists(name: str) -> bool:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip() == "1"


def run_database(database: str, args, work: Path) -> dict:
    log(f"=== {database}: {args.checkins:,} check-ins from {args.people:,} people")
    work.mkdir(parents=True, exist_ok=True)
    data_dir = work / "data"
    reuse = args.reuse and (
        pg_exists(PG_DATABASE) if database == "postgres" else (data_dir / "hearth.sqlite3").exists()
    )
    if not reuse:
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HEARTH_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "HEARTH_LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    env.pop("HEARTH_DEBUG", None)
    if database == "postgres":
        if not reuse:
            psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            psql(f"CREATE DATABASE {PG_DATABASE}")
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    request = {
        "checkins": args.checkins,
        "people": args.people,
        "repeat": args.repeat,
        "seed": args.seed,
        "reuse": reuse,
        "quiet_wait": args.quiet_wait,
    }
    done = subprocess.run(
        [sys.executable, __file__, "--_helper", "run"],
        input=json.dumps(request),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    if done.returncode != 0:
        return {"database": database, "aborted": f"helper exited with {done.returncode}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["database"] = database
    return result


# =============================================================================================
# Output


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summarize(samples: list[dict]) -> dict:
    walls = [s["wall_s"] for s in samples]
    cpus = [s["cpu_s"] for s in samples]
    return {
        "n": len(samples),
        "p50_s": statistics.median(walls),
        "p95_s": percentile(walls, 0.95),
        "cpu_p50_s": statistics.median(cpus),
        "other_cores": statistics.fmean(s["other_cores"] for s in samples),
    }


ROWS = (
    ("largest", "program report, largest program (40 %)", "largest_rows"),
    ("every_program", "program report, every program", "rows"),
    ("wellbeing", "impact: WHO-5 across every program", "who5_rows"),
)


def render(results: list[dict], score: dict, meta: dict) -> str:
    lines = [
        f"Outcomes benchmark, {meta['date']} on {meta['machine']}",
        f"{meta['checkins']:,} check-ins from {meta['people']:,} people, "
        f"{len(PROGRAM_SHARES)} programs, seed {meta['seed']}, {meta['repeat']} runs each, "
        f"commit {meta['commit'] or '?'}"
        + (" (with uncommitted changes)" if meta["changed_files"] else ""),
        "",
        f"{'database':<9} {'what':<40} {'rows':>10} {'p50 s':>7} {'p95 s':>7} "
        f"{'cpu p50':>8} {'other':>6}  target",
    ]
    for result in results:
        database = result["database"]
        if "aborted" in result:
            lines.append(f"{database:<9} aborted: {result['aborted']}")
            continue
        load = result.get("load")
        if load:
            lines.append(
                f"{database:<9} {'load the scores (bulk, not a target)':<40} "
                f"{load['rows']:>10,} {load['seconds']:>7.1f}"
            )
        for key, label, rows in ROWS:
            figures = summarize(result["measured"][key])
            met = figures["p95_s"] <= TARGET_REPORT_S
            target = (
                f"<= {TARGET_REPORT_S:g} s {'met' if met else 'NOT met'}"
                if key == "every_program"
                else "(for comparison)"
            )
            lines.append(
                f"{database:<9} {label:<40} {result[rows]:>10,} {figures['p50_s']:>7.3f} "
                f"{figures['p95_s']:>7.3f} {figures['cpu_p50_s']:>8.3f} "
                f"{figures['other_cores']:>6.2f}  {target}"
            )
        lines.append(f"{'':<9} ({database} {result.get('database_version', '')})")
    slowest = max(score.values(), key=lambda row: row["p95_us"])
    worst_name = max(score, key=lambda name: score[name]["p95_us"])
    met = slowest["p95_us"] / 1000 <= TARGET_SCORING_MS
    lines += [
        "",
        f"scoring one check-in: slowest instrument {worst_name}, p50 {slowest['p50_us']:.1f} µs, "
        f"p95 {slowest['p95_us']:.1f} µs; target <= {TARGET_SCORING_MS:g} ms "
        f"{'met' if met else 'NOT met'}",
        "",
        "p50/p95: wall-clock seconds per run; cpu p50: CPU seconds the run used (this process "
        "on SQLite; the PostgreSQL backend and its parallel workers on PostgreSQL); other: "
        "cores used by other work on the machine meanwhile (read rows above about 0.3 as "
        "disturbed).",
    ]
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--_helper":
        request = json.loads(sys.stdin.read() or "{}")
        print(json.dumps(HELPERS[sys.argv[2]](request)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each report")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="work in DIR and keep it (and the PostgreSQL database)")  # fmt: skip
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: measure the scores a --keep run loaded")  # fmt: skip
    parser.add_argument("--scoring-runs", type=int, default=10_000)
    parser.add_argument(
        "--quiet-wait", type=float, default=0, metavar="SECONDS",
        help="before each timed run, wait up to this long for other work on the machine to "
        "fall below a quarter of a core (default 0: do not wait)",
    )  # fmt: skip
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH",
        help="also write the figures as JSON (to PATH, or to stdout after the table)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")
    if args.people < 1 or args.checkins < args.people or args.repeat < 1:
        parser.error("--people must be at least 1, --checkins at least --people, --repeat >= 1")

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "checkins": args.checkins,
        "people": args.people,
        "repeat": args.repeat,
        "seed": args.seed,
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_files": git("status", "--porcelain", "--untracked-files=no").splitlines(),
    }
    results = []
    try:
        for database in databases:
            try:
                results.append(run_database(database, args, root / database))
            except Exception as error:
                log(f"{database} failed: {type(error).__name__}: {error}")
                results.append({"database": database, "aborted": repr(error)})
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            if "postgres" in databases:
                try:
                    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                except subprocess.CalledProcessError as error:
                    log(f"could not drop {PG_DATABASE}: {error.stderr}")
    log("=== scoring one check-in")
    sys.path.insert(0, str(ROOT))
    score = scoring(args.scoring_runs, args.seed)
    print(render(results, score, meta))
    if args.json:
        document = json.dumps(
            {
                "meta": meta,
                "results": [
                    {
                        **{k: v for k, v in r.items() if k != "measured"},
                        "summary": {k: summarize(v) for k, v in r.get("measured", {}).items()},
                        "runs": r.get("measured", {}),
                    }
                    for r in results
                ],
                "scoring": score,
            },
            indent=2,
        )
        if args.json == "-":
            print()
            print(document)
        else:
            Path(args.json).write_text(document + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
