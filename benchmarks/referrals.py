#!/usr/bin/env python
"""Benchmark of closed-loop referrals through the member API: the whole lifecycle (create →
accepted → in-progress → completed) with concurrent clients against a real server.

    .venv/bin/python benchmarks/referrals.py [--database sqlite|postgres|both] [--clients 8]
        [--duration 60] [--warmup 5] [--pairs 4] [--people 6000]
        [--server 4[,2x4...]] [--floor-seconds 10] [--quiet-wait S] [--keep DIR] [--json [PATH]]

For each database it makes a fresh `HEARTH_DATA_DIR` and database (`hearth migrate`), then a
helper process with Django set up against that data seeds, through Hearth's own services, pairs
of organizations: a sender with an admin and an API token, and a receiver whose directory
listing it has claimed (`directory.Organization.member`) with an active service, an admin and a
token (`referrals.services.api_token_create`); and the people the senders hold
(`people.services.person_create`, one per lifecycle). For each `--server` configuration it
starts gunicorn, and `--clients` threads, each with its own connection (the standard library's
`http.client`: sync workers close it after each answer, and it reconnects), loop over:

    POST /api/v1/referrals                          (sender's token; the referral is "requested")
    POST /api/v1/referrals/<id>/transition accepted   (receiver's token)
    POST /api/v1/referrals/<id>/transition in-progress
    POST /api/v1/referrals/<id>/transition completed

for `--warmup` seconds (not counted) and then `--duration` seconds, timing every request. It
reports p50/p95/p99 per request type, every non-2xx answer, complete lifecycles per second, the
server workers' peak memory, the CPU each part used (server, PostgreSQL backends, clients,
other work) and, on PostgreSQL, which lock the backends waited for; then checks that the
database holds exactly as many completed referrals as the clients completed and that
`hearth audit-verify` passes. With the same clients and server it then measures two floors for
`--floor-seconds` each: `GET /healthz` and `GET /api/v1/referrals/<id>` (a token and reads), and
the CPU each costs a request. Unless `--no-profile`, it then runs a few lifecycles
in-process (Django's test client against the same database, no HTTP server) under cProfile and
shows where the time goes (and the CPU and SQL each request type costs). It never asserts a
timing. See benchmarks/README.md.

E-mail: every transition notifies the other side's staff and e-mails them after commit. The
default backend prints to the console (the gunicorn log); the benchmark sets
HEARTH_EMAIL_BACKEND to Django's dummy backend so that writing e-mails to a log does not
dominate (`--email-backend` to change it).

Progress goes to stderr; the table (and, with --json, the JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from common import busy_ticks, git, log, percentile, psql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HEARTH = str(BIN / "hearth")
GUNICORN = str(BIN / "gunicorn")
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "hearth_bench_referrals"

# The targets from the issue ("Closed-loop referrals").
TARGET_TRANSITION_P95_MS = 50
TARGET_LIFECYCLES_PER_S = 100  # on PostgreSQL, on this 2-core machine

DUMMY_EMAIL = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_SERVER = (4, 1)  # see --server and benchmarks/README.md for why

# The request types of one lifecycle, in order: (key, label, status set, which side's token).
STEPS = [
    ("create", "create (POST /referrals → requested)", "requested", "sender"),
    ("accepted", "transition → accepted", "accepted", "receiver"),
    ("in-progress", "transition → in-progress", "in-progress", "receiver"),
    ("completed", "transition → completed", "completed", "receiver"),
]
PROFILE_PLAIN, PROFILE_SQL, PROFILE_CPROFILE = 20, 5, 20  # lifecycles in each profile pass
# Extra people for the in-process profile, never handed to the clients.
PROFILE_PEOPLE = 3 + PROFILE_PLAIN + PROFILE_SQL + PROFILE_CPROFILE


# =============================================================================================
# Helper processes: Django set up against the benchmark's data (the parent process never sets
# Django up, so that it can run against both databases one after the other).


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()


def helper_seed(request: dict) -> dict:
    """Pairs of organizations, their admins and tokens, a claimed listing with an active
    service for each receiver, and the people each sender holds — all through the services."""
    _django()
    from django.db import transaction

    from hearth.accounts.models import Membership, Organization, Role, User
    from hearth.core import crypto
    from hearth.directory.models import Organization as Listing
    from hearth.directory.models import Service
    from hearth.people import services as people_services
    from hearth.referrals import services as referral_services

    def admin_of(organization, label):
        user = User.objects.create_user(
            f"{label}@bench.invalid", password=None, full_name=f"Admin of {organization.name}"
        )
        Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
        _record, token = referral_services.api_token_create(
            actor=user, organization=organization, name="Benchmark client"
        )
        return user, token

    started = time.perf_counter()
    pairs = []
    for n in range(request["pairs"]):
        sender = Organization.objects.create(
            slug=f"sender-{n}", name=f"Sender {n}", kind=Organization.Kind.COMMUNITY_BASED
        )
        receiver = Organization.objects.create(
            slug=f"receiver-{n}", name=f"Receiver {n}", kind=Organization.Kind.PEER_SUPPORT
        )
        listing = Listing.objects.create(
            name=f"Receiver {n}", description="A member organization.", member=receiver
        )
        service = Service.objects.create(
            organization=listing,
            name=f"Peer support {n}",
            description="Somebody to talk to.",
            status=Service.Status.ACTIVE,
        )
        crypto.organization_key(receiver)  # made on first use; an install has it already
        sender_admin, sender_token = admin_of(sender, f"sender-{n}")
        _receiver_admin, receiver_token = admin_of(receiver, f"receiver-{n}")
        pairs.append(
            {
                "sender": str(sender.pk),
                "receiver": str(receiver.pk),
                "service": str(service.pk),
                "sender_token": sender_token,
                "receiver_token": receiver_token,
                "people": [],
                "_admin": sender_admin,
                "_org": sender,
            }
        )
    organizations_s = time.perf_counter() - started

    started = time.perf_counter()
    total = request["people"]
    batch = 200
    made = 0
    while made < total:
        with transaction.atomic():  # a batch per transaction: fewer commits, same records
            for i in range(made, min(made + batch, total)):
                pair = pairs[i % len(pairs)]
                person = people_services.person_create(
                    actor=pair["_admin"],
                    organization=pair["_org"],
                    identity={"chosen_name": f"Person {i}", "pronouns": "they/them"},
                )
                pair["people"].append(str(person.pk))
        made = min(made + batch, total)
        if made % 1000 == 0 or made == total:
            print(f"  {made:,} people", file=sys.stderr, flush=True)
    people_s = time.perf_counter() - started
    for pair in pairs:
        del pair["_admin"], pair["_org"]
    return {"pairs": pairs, "organizations_s": organizations_s, "people_s": people_s}


def helper_verify(_request: dict) -> dict:
    _django()
    from django.db.models import Count

    from hearth.core.models import AuditRecord
    from hearth.referrals.models import Referral, ReferralEvent

    by_status = dict(
        Referral.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return {
        "referrals": sum(by_status.values()),
        "by_status": by_status,
        "events": ReferralEvent.objects.count(),
        "audit_records": AuditRecord.objects.count(),
    }


def helper_profile(request: dict) -> dict:
    """A few lifecycles in-process through Django's test client (the whole request stack, no
    HTTP server), under cProfile; plus the SQL statements each request type runs."""
    _django()
    import cProfile
    import pstats
    from collections import defaultdict
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    pair = request["pair"]
    people = list(request["people"])
    client = Client(HTTP_HOST="127.0.0.1")
    sender = {"HTTP_AUTHORIZATION": f"Bearer {pair['sender_token']}"}
    receiver = {"HTTP_AUTHORIZATION": f"Bearer {pair['receiver_token']}"}
    expires = (timezone.now() + timedelta(days=60)).isoformat()

    def post(path, body, auth):
        response = client.post(path, json.dumps(body), content_type="application/json", **auth)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
        return response.json()

    def backend() -> int | None:
        """The PostgreSQL backend process serving this connection (None on SQLite)."""
        if connection.vendor != "postgresql":
            return None
        connection.ensure_connection()
        return connection.connection.info.backend_pid

    def backend_cpu_ms(pid: int | None) -> float | None:
        """CPU used so far by a PostgreSQL backend process (on this machine)."""
        if pid is None:
            return None
        try:  # nanoseconds on a CPU (precise), else clock ticks from stat
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
        except (OSError, ValueError, IndexError):
            pass
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

    def lifecycle(person_id, timings=None, sql=None, cpu=None):
        """One lifecycle; with `timings`, each request's time by type; with `sql`, each
        request's statements (text, ms) by type; with `cpu`, the CPU time (this process, and
        the PostgreSQL backend) each request used."""

        def send(key, path, body, auth):
            recorder = SqlRecorder()
            pid = backend() if cpu is not None else None
            started, started_cpu, started_db = (
                time.perf_counter(),
                time.process_time(),
                backend_cpu_ms(pid),
            )
            if sql is not None:
                with connection.execute_wrapper(recorder):
                    answer = post(path, body, auth)
                sql[key].append(recorder.statements)
            else:
                answer = post(path, body, auth)
            if timings is not None:
                timings[key].append((time.perf_counter() - started) * 1000)
            if cpu is not None:
                cpu["python"][key].append((time.process_time() - started_cpu) * 1000)
                ended_db = backend_cpu_ms(pid)
                if started_db is not None and ended_db is not None and backend() == pid:
                    cpu["database"][key].append(ended_db - started_db)
            return answer

        created = send(
            "create",
            "/api/v1/referrals",
            {
                "person_id": person_id,
                "service_id": pair["service"],
                "categories": ["identity"],
                "summary": "Mornings are best.",
                "expires_at": expires,
                "attestation": "Agreed at the drop-in",
            },
            sender,
        )
        for key, _label, status, _side in STEPS[1:]:
            send(key, f"/api/v1/referrals/{created['id']}/transition", {"status": status}, receiver)
        return created["id"]

    class SqlRecorder:
        def __init__(self):
            self.statements = []

        def __call__(self, execute, sql_text, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql_text, params, many, context)
            finally:
                self.statements.append((sql_text, (time.perf_counter() - started) * 1000))

    for _ in range(3):  # warm caches, open connections
        last_id = lifecycle(people.pop())

    # Floors: what any request costs (Django's middleware), and an authenticated API read.
    floors = {}
    for name, path, auth in (
        ("GET /healthz (no token, SELECT 1)", "/healthz", {}),
        ("GET /api/v1/referrals/<id> (token, 4 reads)", f"/api/v1/referrals/{last_id}", receiver),
    ):
        walls, cpus = [], []
        for _ in range(60):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, **auth)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code}")
        floors[name] = {
            "wall_p50_ms": sorted(walls[10:])[len(walls[10:]) // 2],
            "cpu_mean_ms": sum(cpus[10:]) / len(cpus[10:]),
        }

    # Without the profiler: what a lifecycle costs in one process, with no HTTP server.
    plain = defaultdict(list)
    cpu = {"python": defaultdict(list), "database": defaultdict(list)}
    for _ in range(request["plain"]):
        lifecycle(people.pop(), timings=plain, cpu=cpu)

    # The SQL each request type runs.
    sql = defaultdict(list)
    for _ in range(request["sql"]):
        lifecycle(people.pop(), sql=sql)
    queries = {}
    for key, runs in sql.items():
        queries[key] = {
            "statements": sum(len(r) for r in runs) / len(runs),
            "sql_ms": sum(ms for r in runs for _text, ms in r) / len(runs),
        }
    one_transition = [
        re.sub(r"\s+", " ", text)[:160] + f"  [{ms:.2f} ms]" for text, ms in sql["accepted"][0]
    ]

    timings = defaultdict(list)
    profiler = cProfile.Profile()
    lifecycles = len(people)
    profiler.enable()
    for person_id in people:
        lifecycle(person_id, timings)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total_ms = sum(sum(v) for v in timings.values())

    def label(func):
        filename, line, name = func
        short = re.sub(r".*/(site-packages|lib/python3\.\d+)/", "", filename)
        short = re.sub(r".*/hearth/", "hearth/", short)
        return f"{short}:{line}({name})"

    def per_lifecycle(ms):
        return ms / lifecycles

    top_tottime = sorted(entries.items(), key=lambda kv: -kv[1][2])[:25]
    # Where time goes, by what Hearth calls: cumulative time of chosen functions (they may
    # nest: audit.record_many inside a service, for instance).
    watched = {
        "referral_services.referral_create": ("hearth/referrals/services.py", "referral_create"),
        "referral_services.referral_transition": (
            "hearth/referrals/services.py",
            "referral_transition",
        ),
        "referral_services.api_token_authenticate": (
            "hearth/referrals/services.py",
            "api_token_authenticate",
        ),
        "referral_services.side_of": ("hearth/referrals/services.py", "side_of"),
        "referral_services._notify_other_side": (
            "hearth/referrals/services.py",
            "_notify_other_side",
        ),
        "notifications._send_emails (on commit)": ("hearth/core/notifications.py", "_send_emails"),
        "audit.record_many (chain head locked from here to commit)": (
            "hearth/core/audit.py",
            "record_many",
        ),
        "audit.compute_hash": ("hearth/core/audit.py", "compute_hash"),
        "access.access_person": ("hearth/people/access.py", "access_person"),
        "access.person_for_change": ("hearth/people/access.py", "person_for_change"),
        "access.decide": ("hearth/people/access.py", "decide"),
        "people_services.consent_record": ("hearth/people/services.py", "consent_record"),
        "crypto.data_key_create": ("hearth/core/crypto.py", "data_key_create"),
        "crypto.seal_for_organization": ("hearth/core/crypto.py", "seal_for_organization"),
        "crypto.Cipher.__init__ (unwrap a data key)": ("hearth/core/crypto.py", "__init__"),
        "selectors.referral_for (after the transition)": (
            "hearth/referrals/selectors.py",
            "referral_for",
        ),
        "argon2 / password hashing": ("argon2", "hash"),
        "SQL: CursorWrapper.execute": ("django/db/backends/utils.py", "_execute"),
        "SQL: commit": ("django/db/backends/base/base.py", "commit"),
    }
    buckets = []
    for name, (path_part, func_name) in watched.items():
        cumulative, calls = 0.0, 0
        for (filename, _line, fname), (_cc, nc, _tt, ct, _callers) in entries.items():
            if path_part in filename and fname == func_name:
                cumulative += ct
                calls += nc
        buckets.append(
            {
                "what": name,
                "calls_per_lifecycle": calls / lifecycles,
                "ms_per_lifecycle": per_lifecycle(cumulative * 1000),
            }
        )
    return {
        "database": connection.vendor,
        "lifecycles": lifecycles,
        "plain_lifecycles": request["plain"],
        "plain_mean_ms": {k: sum(v) / len(v) for k, v in plain.items()},
        "plain_lifecycle_ms": sum(sum(v) for v in plain.values()) / request["plain"],
        "plain_cpu_ms": {
            side: {k: sum(v) / len(v) for k, v in by_type.items()} for side, by_type in cpu.items()
        },
        "database_cpu_measured": bool(cpu["database"]),
        "floors": floors,
        "mean_ms": {k: sum(v) / len(v) for k, v in timings.items()},
        "lifecycle_ms": total_ms / lifecycles,
        "queries": queries,
        "sql_of_one_transition": one_transition,
        "buckets": buckets,
        "top_tottime": [
            {
                "function": label(func),
                "calls_per_lifecycle": nc / lifecycles,
                "self_ms_per_lifecycle": per_lifecycle(tt * 1000),
                "cumulative_ms_per_lifecycle": per_lifecycle(ct * 1000),
            }
            for func, (_cc, nc, tt, ct, _callers) in top_tottime
        ],
    }


HELPERS = {"seed": helper_seed, "verify": helper_verify, "profile": helper_profile}


def call_helper(name: str, env: dict, request: dict, timeout: float = 3600) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--_helper", name],
        input=json.dumps(request),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=None if name == "seed" else subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helper {name} failed:\n{(done.stderr or '')[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# =============================================================================================
# Other work on the machine (as in directory.py): figures mean little if something else was
# busy meanwhile.

HZ = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (ppid, command name, CPU ticks used so far); for PostgreSQL processes the name
    is their title ("postgres: user database address state"), so backends can be told apart
    by database."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        if name.startswith("postgres"):
            with contextlib.suppress(OSError):
                name = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def _tree(processes: dict, root: int) -> set[int]:
    ours, grew = {root}, True
    while grew:
        grew = False
        for pid, (ppid, _name, _ticks) in processes.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                grew = True
    return ours


class CpuWatch:
    """Cores used, over a phase, by: this benchmark's process (the clients), the server
    (gunicorn and its workers), the PostgreSQL backends serving `database` (not PostgreSQL's
    background processes, which serve every database on the server: they count as other
    work), and everything else.

    With `sample` seconds, the process table is also read every `sample` seconds meanwhile, so
    that processes which end during the phase still count (PostgreSQL backends do: a worker's
    connection is closed and reopened once it is older than CONN_MAX_AGE); only their last
    fraction of a sample is lost, to "other"."""

    def __init__(
        self,
        server_pid: int | None = None,
        sample: float | None = None,
        database: str | None = None,
    ):
        self.server_pid = server_pid
        self.backend_marker = f" {database} " if database else None
        self.started = time.perf_counter()
        self.busy = busy_ticks()
        self.first = _processes()
        self.last = dict(self.first)
        self.stopping = threading.Event()
        self.thread = None
        if sample:
            self.thread = threading.Thread(target=self._sample, args=(sample,), daemon=True)
            self.thread.start()

    def _sample(self, interval: float) -> None:
        while not self.stopping.wait(interval):
            self.last.update(_processes())

    def stop(self) -> dict:
        self.stopping.set()
        if self.thread:
            self.thread.join()
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        busy = (busy_ticks() - self.busy) / HZ
        self.last.update(_processes())
        seen = self.last
        server = _tree(seen, self.server_pid) if self.server_pid else set()
        ours = _tree(seen, os.getpid())
        clients = server_cpu = postgres = 0.0
        for pid, (_ppid, name, ticks) in seen.items():
            delta = max(ticks - self.first.get(pid, (0, "", 0))[2], 0) / HZ
            if pid in server:
                server_cpu += delta
            elif pid in ours:
                clients += delta
            elif self.backend_marker and self.backend_marker in name:
                postgres += delta
        return {
            "seconds": elapsed,
            "busy_cores": busy / elapsed,
            "server_cores": server_cpu / elapsed,
            "client_cores": clients / elapsed,
            "postgres_cores": postgres / elapsed,
            "other_cores": max(busy - server_cpu - clients - postgres, 0.0) / elapsed,
        }


def other_benchmarks() -> list[str]:
    """Other benchmark scripts running on this machine (their command lines)."""
    found = []
    mine = _tree(_processes(), os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        line = " ".join(a.decode(errors="replace") for a in argv if a)
        if "benchmarks/" in line and "python" in line:
            found.append(line)
    return found


QUIET_CORES = 0.25


def wait_quiet(limit: float) -> float:
    """Wait up to `limit` seconds for other work to fall below a quarter of a core; return the
    last reading."""
    deadline = time.perf_counter() + limit
    while True:
        watch = CpuWatch()
        time.sleep(1)
        other = watch.stop()["busy_cores"]
        if other < QUIET_CORES or time.perf_counter() > deadline:
            return other
        log(f"  {other:.2f} cores busy elsewhere; waiting")
        time.sleep(4)


# =============================================================================================
# Commands


def run(name: str, argv: list[str], env: dict, logs: Path, timeout: float = 1800) -> dict:
    log(f"  {name}: {' '.join(argv[1:]) if argv[0] == HEARTH else ' '.join(argv)}")
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
    started = time.perf_counter()
    with log_file.open("w") as output:
        done = subprocess.run(
            argv, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, timeout=timeout
        )
    seconds = time.perf_counter() - started
    text = log_file.read_text(errors="replace").strip()
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed (exit {done.returncode}): {text[-1500:]}")
    return {"seconds": seconds, "output": text[-500:]}


def fresh_pg(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


def pg_settings() -> dict:
    names = ["max_connections", "shared_buffers", "synchronous_commit", "fsync", "autovacuum"]
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         "SELECT name, setting FROM pg_settings WHERE name IN ("
         + ", ".join(f"'{n}'" for n in names) + ")"],
        capture_output=True, text=True,
    )  # fmt: skip
    settings = dict(line.split("|", 1) for line in done.stdout.split("\n") if "|" in line)
    version = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         "SHOW server_version"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return {"version": version, **settings}


class LockSampler(threading.Thread):
    """On PostgreSQL: how many of the benchmark database's backends are running a statement,
    and how many of those wait for a lock (the audit chain head, a referral row), a few times a
    second."""

    def __init__(self, database: str, interval: float = 0.2):
        super().__init__(daemon=True)
        self.database, self.interval = database, interval
        self.stopping = threading.Event()
        self.samples = 0
        self.active = 0
        self.waiting = 0
        self.waiting_by: collections.Counter = collections.Counter()
        self.error = ""

    def run(self) -> None:
        try:
            import psycopg
        except ImportError as error:
            self.error = str(error)
            return
        try:
            with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as connection:
                while not self.stopping.is_set():
                    rows = connection.execute(
                        "SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()",
                        (self.database,),
                    ).fetchall()
                    self.samples += 1
                    for state, wait_type, wait_event, query in rows:
                        if state != "active":
                            continue
                        self.active += 1
                        if wait_type == "Lock":
                            self.waiting += 1
                            table = re.search(r'FROM "(\w+)"', query or "")
                            what = table.group(1) if table else (query or "")[:40]
                            self.waiting_by[f"{wait_event}: {what}"] += 1
                    self.stopping.wait(self.interval)
        except Exception as error:
            self.error = f"{type(error).__name__}: {error}"

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        n = max(self.samples, 1)
        return {
            "samples": self.samples,
            "mean_active_statements": self.active / n,
            "mean_waiting_for_lock": self.waiting / n,
            "waiting_on": {k: v / n for k, v in self.waiting_by.most_common(5)},
            "error": self.error,
        }


# =============================================================================================
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB; (0, 0) if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M))
    return int(values.get("VmRSS", 0)), int(values.get("VmHWM", 0))


def parse_config(text: str) -> tuple[int, int]:
    """ "4" → four sync workers; "2x4" → two gthread workers of four threads each."""
    found = re.fullmatch(r"\s*(\d+)\s*(?:[x*]\s*(\d+))?\s*", text)
    if not found or int(found.group(1)) < 1 or int(found.group(2) or 1) < 1:
        raise argparse.ArgumentTypeError(f"not a server configuration: {text!r}")
    return int(found.group(1)), int(found.group(2) or 1)


def describe_config(config: tuple[int, int]) -> str:
    workers, threads = config
    if threads > 1:
        return f"{workers} gthread workers x {threads} threads"
    return f"{workers} sync workers"


class Server:
    def __init__(self, env: dict, logs: Path, config: tuple[int, int]):
        self.env, self.logs = env, logs
        self.workers_wanted, self.threads = config
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def argv(self) -> list[str]:
        argv = [GUNICORN, "hearth.wsgi", "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers_wanted)]  # fmt: skip
        if self.threads > 1:
            argv += ["--worker-class", "gthread", "--threads", str(self.threads)]
        return argv

    def start(self) -> float:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.output = (self.logs / f"gunicorn-{self.port}.log").open("w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv(), env=self.env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT
        )
        import urllib3

        pool = urllib3.HTTPConnectionPool("127.0.0.1", self.port, retries=False, timeout=2)
        while time.perf_counter() - started < 120:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited {self.process.returncode}; see {self.output.name}"
                )
            try:
                if (
                    pool.request("GET", "/healthz").status == 200
                    and len(self.workers()) >= self.workers_wanted
                ):
                    return time.perf_counter() - started
            except Exception:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not answer /healthz within 120 s")

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
            return [int(p) for p in text.split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.output.close()


def server_errors(log_file: Path) -> dict[str, int]:
    """The exceptions the server logged (the last line of each traceback), counted."""
    if not log_file.exists():
        return {}
    found = collections.Counter()
    for line in log_file.read_text(errors="replace").splitlines():
        match = re.match(r"^([A-Za-z_][\w.]*(?:Error|Exception|Detected|Timeout)\w*): (.*)", line)
        if match:
            found[f"{match.group(1)}: {match.group(2)[:160]}"] += 1
        elif "WORKER TIMEOUT" in line or "[ERROR]" in line:
            found[line.split("] ", 2)[-1][:160]] += 1
    return dict(found.most_common(10))


def pg_deadlocks() -> int | None:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT deadlocks FROM pg_stat_database WHERE datname = '{PG_DATABASE}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    try:
        return int(done.stdout.strip())
    except ValueError:
        return None


class MemorySampler(threading.Thread):
    """Peak VmRSS of any one worker, and of all workers together, every 100 ms; with VmHWM
    (the kernel's own high-water mark per process) read at the end."""

    def __init__(self, server: Server, interval: float = 0.1):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.stopping = threading.Event()
        self.peak_worker_kb = 0
        self.peak_total_kb = 0
        self.peak_hwm_kb = 0
        self.pids: set[int] = set()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(self.interval)

    def sample(self) -> None:
        total = 0
        for pid in self.server.workers():
            rss, hwm = memory_kb(pid)
            self.pids.add(pid)
            total += rss
            self.peak_worker_kb = max(self.peak_worker_kb, rss)
            self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
        self.peak_total_kb = max(self.peak_total_kb, total)

    def stop(self) -> dict:
        self.stopping.set()
        self.join()
        self.sample()
        master = memory_kb(self.server.process.pid)[0] if self.server.process else 0
        return {
            "peak_worker_rss_mb": self.peak_worker_kb / 1024,
            "peak_worker_hwm_mb": self.peak_hwm_kb / 1024,
            "peak_workers_total_rss_mb": self.peak_total_kb / 1024,
            "master_rss_mb": master / 1024,
            "worker_processes_seen": len(self.pids),
        }


# =============================================================================================
# The clients


def summarize(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": max(samples) if samples else None,
        "mean_ms": sum(samples) / len(samples) if samples else None,
    }


class Run:
    """Shared state of one measured run: what each client recorded."""

    def __init__(self, pairs: list[dict], warmup: float, duration: float):
        self.pairs = pairs
        self.queues = [collections.deque(p["people"]) for p in pairs]
        self.lock = threading.Lock()
        self.t0 = 0.0
        self.measure_from = 0.0
        self.measure_until = 0.0
        self.warmup, self.duration = warmup, duration
        # (request type, start offset s, latency ms, HTTP status or None)
        self.requests: list[tuple[str, float, float, int | None]] = []
        # (start offset s, end offset s) of each lifecycle that completed
        self.lifecycles: list[tuple[float, float]] = []
        self.errors: list[dict] = []
        self.abandoned = 0
        self.ran_out = None  # when a client found no person left

    def next_person(self, pair_index: int) -> str | None:
        with self.lock:
            queue = self.queues[pair_index]
            return queue.popleft() if queue else None


def client_loop(run: Run, index: int, port: int, expires_at: str, stop: threading.Event):
    import http.client

    pair_index = index % len(run.pairs)
    pair = run.pairs[pair_index]
    # The standard library's client, the lightest at hand: the clients share the two cores with
    # the server. It reconnects by itself after a response that closes the connection (sync
    # workers close every one) and keeps it open otherwise.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {
        "sender": {
            "Authorization": f"Bearer {pair['sender_token']}",
            "Content-Type": "application/json",
        },
        "receiver": {
            "Authorization": f"Bearer {pair['receiver_token']}",
            "Content-Type": "application/json",
        },
    }
    records, lifecycles, errors = [], [], []
    abandoned = 0

    def send(kind: str, path: str, body: dict, side: str):
        started = time.perf_counter()
        try:
            connection.request("POST", path, body=json.dumps(body).encode(), headers=headers[side])
            response = connection.getresponse()
            status, data = response.status, response.read()
        except Exception as error:
            connection.close()
            status, data = None, f"{type(error).__name__}: {error}".encode()
        elapsed = (time.perf_counter() - started) * 1000
        records.append((kind, started - run.t0, elapsed, status))
        if status not in (200, 201):
            text = data[:2000].decode(errors="replace")
            title = re.search(r"<title>(.*?)</title>", text, re.S)
            errors.append(
                {
                    "type": kind,
                    "status": status,
                    "at_s": round(started - run.t0, 2),
                    "body": f"(HTML page) {title.group(1).strip()}" if title else text[:500],
                }
            )
            return None
        try:
            return json.loads(data)
        except ValueError:
            errors.append({"type": kind, "status": status, "body": "not JSON: " + repr(data[:200])})
            return None

    while not stop.is_set():
        person_id = run.next_person(pair_index)
        if person_id is None:
            with run.lock:
                if run.ran_out is None:
                    run.ran_out = time.perf_counter() - run.t0
            break
        began = time.perf_counter()
        created = send(
            "create",
            "/api/v1/referrals",
            {
                "person_id": person_id,
                "service_id": pair["service"],
                "categories": ["identity"],
                "summary": "Mornings are best; a quiet room if possible.",
                "expires_at": expires_at,
                "attestation": "Agreed at the drop-in",
            },
            "sender",
        )
        done = created is not None and created.get("status") == "requested"
        if done:
            for kind, _label, status, side in STEPS[1:]:
                moved = send(
                    kind,
                    f"/api/v1/referrals/{created['id']}/transition",
                    {"status": status},
                    side,
                )
                if moved is None or moved.get("status") != status:
                    done = False
                    break
        if done:
            lifecycles.append((began - run.t0, time.perf_counter() - run.t0))
        else:
            abandoned += 1
    with run.lock:
        run.requests.extend(records)
        run.lifecycles.extend(lifecycles)
        run.errors.extend(errors)
        run.abandoned += abandoned


def drive(server: Server, pairs: list[dict], args, database: str) -> dict:
    from datetime import timedelta

    run = Run(pairs, args.warmup, args.duration)
    expires_at = (datetime.now(UTC) + timedelta(days=60)).isoformat()
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=client_loop, args=(run, i, server.port, expires_at, stop), daemon=True
        )
        for i in range(args.clients)
    ]
    memory = MemorySampler(server)
    locks = LockSampler(PG_DATABASE) if database == "postgres" else None
    run.t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    memory.start()
    log(f"  {args.clients} clients running; warm-up {args.warmup:.0f} s")
    time.sleep(args.warmup)
    run.measure_from = time.perf_counter() - run.t0
    cpu = CpuWatch(
        server.process.pid, sample=0.5, database=PG_DATABASE if database == "postgres" else None
    )
    if locks:
        locks.start()
    log(f"  measuring for {args.duration:.0f} s")
    deadline = time.perf_counter() + args.duration
    while time.perf_counter() < deadline and any(t.is_alive() for t in threads):
        time.sleep(min(1.0, max(deadline - time.perf_counter(), 0)))
    run.measure_until = time.perf_counter() - run.t0
    usage = cpu.stop()
    lock_figures = locks.stop() if locks else None
    stop.set()
    log("  letting the clients finish the lifecycles they started")
    for thread in threads:
        thread.join(timeout=300)
    memory_figures = memory.stop()

    window = run.measure_until - run.measure_from
    measured = [r for r in run.requests if run.measure_from <= r[1] < run.measure_until]
    by_type = {key: [] for key, *_ in STEPS}
    statuses = {key: collections.Counter() for key, *_ in STEPS}
    for kind, _start, ms, status in measured:
        statuses[kind][str(status)] += 1
        if status in (200, 201):
            by_type[kind].append(ms)
    complete_in_window = [
        lc for lc in run.lifecycles if run.measure_from <= lc[1] < run.measure_until
    ]
    lifecycle_ms = [(end - start) * 1000 for start, end in complete_in_window]
    errors_in_window = [
        e for e in run.errors if run.measure_from <= e.get("at_s", 0) < run.measure_until
    ]
    return {
        "window_s": window,
        "requests": {key: summarize(by_type[key]) for key, *_ in STEPS},
        "statuses": {key: dict(statuses[key]) for key in statuses},
        "requests_in_window": len(measured),
        "requests_per_s": len(measured) / window if window else None,
        "lifecycles_in_window": len(complete_in_window),
        "lifecycles_per_s": len(complete_in_window) / window if window else None,
        "lifecycle": summarize(lifecycle_ms),
        "lifecycles_completed_total": len(run.lifecycles),
        "abandoned": run.abandoned,
        "errors_total": len(run.errors),
        "errors_in_window": len(errors_in_window),
        "first_errors": run.errors[:10],
        "error_bodies": dict(
            collections.Counter(f"{e['type']} {e['status']}: {e['body'][:200]}" for e in run.errors)
        ),
        "ran_out_of_people_at_s": run.ran_out,
        "requests_total": len(run.requests),
        "cpu": usage,
        "cpu_ms_per_lifecycle": (
            {
                part: usage[f"{part}_cores"] * window * 1000 / len(complete_in_window)
                for part in ("server", "postgres", "client")
            }
            if complete_in_window
            else None
        ),
        "memory": memory_figures,
        "locks": lock_figures,
    }


def floors(server: Server, pairs: list[dict], args, database: str) -> dict:
    """What the server costs for requests that do far less than a lifecycle's: with the same
    clients and server, `GET /healthz` (no token, `SELECT 1`) and `GET /api/v1/referrals/<id>`
    (the token, then the referral read through the access rules), each for `--floor-seconds`.
    Their CPU per request bounds what four requests of a lifecycle could ever cost."""
    import http.client

    pair = pairs[0]
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    auth = {"Authorization": f"Bearer {pair['sender_token']}"}
    connection.request("GET", "/api/v1/referrals?per_page=1", headers=auth)
    listed = json.loads(connection.getresponse().read())
    connection.close()
    if not listed.get("contents"):
        return {}
    referral_path = f"/api/v1/referrals/{listed['contents'][0]['id']}"
    results = {}
    for name, path, headers in (
        ("healthz", "/healthz", {}),
        ("referral_get", referral_path, auth),
    ):
        stop = threading.Event()
        counts, failures = [0] * args.clients, [0] * args.clients

        def loop(index, path=path, headers=headers, stop=stop, counts=counts, failures=failures):
            client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            while not stop.is_set():
                try:
                    client.request("GET", path, headers=headers)
                    response = client.getresponse()
                    response.read()
                    ok = response.status == 200
                except Exception:
                    client.close()
                    ok = False
                if ok:
                    counts[index] += 1
                else:
                    failures[index] += 1

        threads = [
            threading.Thread(target=loop, args=(i,), daemon=True) for i in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)  # warm-up, not counted
        before = sum(counts)
        cpu = CpuWatch(
            server.process.pid,
            sample=0.5,
            database=PG_DATABASE if database == "postgres" else None,
        )
        time.sleep(args.floor_seconds)
        usage = cpu.stop()
        done = sum(counts) - before
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        per_request = {
            part: usage[f"{part}_cores"] * usage["seconds"] * 1000 / done if done else None
            for part in ("server", "postgres", "client")
        }
        results[name] = {
            "path": path if name == "healthz" else "/api/v1/referrals/<id>",
            "requests_per_s": done / usage["seconds"],
            "failures": sum(failures),
            "cpu": usage,
            "cpu_ms_per_request": per_request,
        }
        log(
            f"  floor {name}: {done / usage['seconds']:.0f} requests/s, server "
            f"{fmt(per_request['server'], 2)} ms + PostgreSQL {fmt(per_request['postgres'], 2)} ms "
            f"+ clients {fmt(per_request['client'], 2)} ms of CPU a request"
        )
    return results


# =============================================================================================
# One database


def run_database(database: str, args, work: Path) -> dict:
    log(f"=== {database} in {work}")
    shutil.rmtree(work, ignore_errors=True)
    data_dir = work / "data"
    logs = work / "logs"
    data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "HEARTH_DATA_DIR": str(data_dir),
        "HEARTH_SECURE_COOKIES": "false",
        "HEARTH_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "HEARTH_LOG_LEVEL": "WARNING",
        "HEARTH_EMAIL_BACKEND": args.email_backend,
    }
    for name in ("HEARTH_DEBUG", "HEARTH_SEARCH_INDEX_DIR", "DATABASE_URL", "HEARTH_TESTING"):
        env.pop(name, None)
    report: dict = {"database": database}
    if database == "postgres":
        fresh_pg(PG_DATABASE)
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
        report["postgres"] = pg_settings()
    report["migrate_s"] = run("migrate", [HEARTH, "migrate", "--no-input"], env, logs)["seconds"]
    run("collectstatic", [HEARTH, "collectstatic", "--no-input", "--verbosity", "0"], env, logs)

    people = args.people + PROFILE_PEOPLE
    log(f"  seeding {args.pairs} pairs of organizations and {people:,} people")
    started = time.perf_counter()
    seed = call_helper("seed", env, {"pairs": args.pairs, "people": people})
    report["seed"] = {
        "pairs": args.pairs,
        "people": people,
        "organizations_s": seed["organizations_s"],
        "people_s": seed["people_s"],
        "people_per_s": people / seed["people_s"] if seed["people_s"] else None,
        "wall_s": time.perf_counter() - started,
    }
    log(
        f"  seeded: {people:,} people in {seed['people_s']:.1f} s "
        f"({report['seed']['people_per_s']:.0f}/s, person_create in batches of 200)"
    )
    pairs = seed["pairs"]
    reserve = pairs[0]["people"][-PROFILE_PEOPLE:]
    del pairs[0]["people"][-PROFILE_PEOPLE:]
    if database == "postgres":
        run("ANALYZE", ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", PG_DATABASE,
                        "-qc", "ANALYZE"], env, logs)  # fmt: skip
    before = call_helper("verify", env, {})

    report["runs"] = []
    for config in args.server:
        others = other_benchmarks()
        if others:
            log(f"  other benchmarks running: {others}")
        if args.quiet_wait > 0:
            busy = wait_quiet(args.quiet_wait)
            log(f"  machine busy: {busy:.2f} cores before measuring")
        entry = {"config": describe_config(config), "other_benchmarks_at_start": others}
        deadlocks = pg_deadlocks() if database == "postgres" else None
        server = Server(env, logs, config)
        try:
            entry["server_start_s"] = server.start()
            entry["server_argv"] = " ".join(server.argv()[1:])
            log(f"  gunicorn {entry['server_argv']} on port {server.port}")
            entry["run"] = drive(server, pairs, args, database)
            if args.floor_seconds > 0:
                entry["floors"] = floors(server, pairs, args, database)
        finally:
            server.stop()
        entry["server_errors"] = server_errors(Path(server.output.name))
        if database == "postgres":
            after_deadlocks = pg_deadlocks()
            if deadlocks is not None and after_deadlocks is not None:
                entry["pg_deadlocks"] = after_deadlocks - deadlocks
        entry["other_benchmarks_at_end"] = other_benchmarks()
        report["runs"].append(entry)
        r = entry["run"]
        log(
            f"  {entry['config']}: {r['lifecycles_in_window']} lifecycles in "
            f"{r['window_s']:.1f} s = {r['lifecycles_per_s']:.1f}/s; p95 "
            + ", ".join(f"{k} {fmt(v['p95_ms'])}" for k, v in r["requests"].items())
            + f" ms; {r['errors_total']} errors; other work {r['cpu']['other_cores']:.2f} cores"
        )
        if r["ran_out_of_people_at_s"] is not None:
            break

    after = call_helper("verify", env, {})
    completed = after["by_status"].get("completed", 0) - before["by_status"].get("completed", 0)
    by_clients = sum(e["run"]["lifecycles_completed_total"] for e in report["runs"])
    audit = subprocess.run(
        [HEARTH, "audit-verify"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    report["verify"] = {
        "referrals": after["referrals"],
        "by_status": after["by_status"],
        "events": after["events"],
        "audit_records": after["audit_records"],
        "completed_in_database": completed,
        "completed_by_clients": by_clients,
        "match": completed == by_clients,
        "audit_verify_ok": audit.returncode == 0,
        "audit_verify_output": (audit.stdout + audit.stderr).strip()[-400:],
    }
    log(
        f"  completed in the database {completed}, by the clients {by_clients}; "
        f"audit-verify: {report['verify']['audit_verify_output']}"
    )

    if args.profile:
        log("  profiling lifecycles in-process (cProfile, Django test client, no server)")
        try:
            report["profile"] = call_helper(
                "profile",
                env,
                {
                    "pair": pairs[0] | {"people": []},
                    "people": reserve,
                    "plain": PROFILE_PLAIN,
                    "sql": PROFILE_SQL,
                },
            )
        except Exception as error:
            report["profile"] = {"error": str(error)[-1500:]}
    return report


# =============================================================================================
# Printing


def fmt(value, digits=1, unit=""):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def mark(met: bool) -> str:
    return "met" if met else "NOT MET"


def render_run(entry: dict, db: str) -> list[str]:
    out = []
    r = entry["run"]
    out.append("")
    out.append(f"### gunicorn {entry['server_argv'].split(' ', 3)[-1]} ({entry['config']})")
    header = (
        f"{'request':<38} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'non-2xx':>7}  target → met?"
    )
    out.append(header)
    out.append("-" * len(header))
    for key, label, _status, _side in STEPS:
        s = r["requests"][key]
        bad = sum(n for code, n in r["statuses"][key].items() if code not in ("200", "201"))
        met = s["p95_ms"] is not None and s["p95_ms"] <= TARGET_TRANSITION_P95_MS and not bad
        out.append(
            f"{label:<38} {s['n']:>6} {fmt(s['p50_ms']):>7} {fmt(s['p95_ms']):>7} "
            f"{fmt(s['p99_ms']):>7} {fmt(s['max_ms']):>7} {bad:>7}  "
            f"p95 ≤ {TARGET_TRANSITION_P95_MS} → {mark(met)}"
        )
    lc = r["lifecycle"]
    out.append(
        f"{'whole lifecycle (4 requests)':<38} {lc['n']:>6} {fmt(lc['p50_ms']):>7} "
        f"{fmt(lc['p95_ms']):>7} {fmt(lc['p99_ms']):>7} {fmt(lc['max_ms']):>7}"
    )
    rate_met = (r["lifecycles_per_s"] or 0) >= TARGET_LIFECYCLES_PER_S
    rate_target = (
        f"≥ {TARGET_LIFECYCLES_PER_S}/s → {mark(rate_met)}"
        if db == "postgres"
        else f"(target {TARGET_LIFECYCLES_PER_S}/s is set for PostgreSQL)"
    )
    out.append(
        f"complete lifecycles: {r['lifecycles_in_window']:,} in {fmt(r['window_s'])} s = "
        f"{fmt(r['lifecycles_per_s'])}/s {rate_target}; requests {fmt(r['requests_per_s'])}/s"
    )
    cpu = r["cpu"]
    out.append(
        f"cores used while measuring: server {fmt(cpu['server_cores'], 2)}, PostgreSQL backends "
        f"{fmt(cpu['postgres_cores'], 2)}, clients {fmt(cpu['client_cores'], 2)}, other work "
        f"{fmt(cpu['other_cores'], 2)} (of {os.cpu_count()}; machine busy "
        f"{fmt(cpu['busy_cores'], 2)})"
    )
    per = r.get("cpu_ms_per_lifecycle")
    if per:
        spent = per["server"] + per["postgres"]
        out.append(
            f"CPU per complete lifecycle: server {fmt(per['server'])} ms + PostgreSQL "
            f"{fmt(per['postgres'])} ms (+ clients {fmt(per['client'])} ms) → at most "
            f"{fmt(os.cpu_count() * 1000 / spent if spent else None)} lifecycles/s if "
            f"server and database had all {os.cpu_count()} cores"
        )
    mem = r["memory"]
    out.append(
        f"server memory: peak worker RSS {fmt(mem['peak_worker_rss_mb'], 0)} MB (VmHWM "
        f"{fmt(mem['peak_worker_hwm_mb'], 0)} MB), all workers together "
        f"{fmt(mem['peak_workers_total_rss_mb'], 0)} MB, master "
        f"{fmt(mem['master_rss_mb'], 0)} MB"
    )
    if r.get("locks"):
        lk = r["locks"]
        waits = ", ".join(f"{k} {v:.2f}" for k, v in lk["waiting_on"].items()) or "none"
        out.append(
            f"PostgreSQL backends (sampled {lk['samples']} times): running a statement "
            f"{fmt(lk['mean_active_statements'], 2)} on average, of which waiting for a lock "
            f"{fmt(lk['mean_waiting_for_lock'], 2)} ({waits})"
            + (f" [sampler: {lk['error']}]" if lk["error"] else "")
        )
    for name, label in (
        ("healthz", "GET /healthz (no token, SELECT 1)"),
        ("referral_get", "GET /api/v1/referrals/<id> (token, reads)"),
    ):
        floor = (entry.get("floors") or {}).get(name)
        if not floor:
            continue
        per = floor["cpu_ms_per_request"]
        spent = sum(v for v in per.values() if v)
        out.append(
            f"floor, {label}, same clients and server: {fmt(floor['requests_per_s'], 0)} "
            f"requests/s; CPU a request: server {fmt(per['server'], 2)} + PostgreSQL "
            f"{fmt(per['postgres'], 2)} + clients {fmt(per['client'], 2)} ms → four such "
            f"requests: at most {fmt(os.cpu_count() * 1000 / (4 * spent) if spent else None)} "
            f"lifecycles/s on {os.cpu_count()} cores"
            + (f" ({floor['failures']} failed)" if floor["failures"] else "")
        )
    out.append(
        f"errors: {r['errors_total']} non-2xx or failed requests in all "
        f"({r['errors_in_window']} while measuring); lifecycles abandoned {r['abandoned']}"
    )
    for body, n in list(r["error_bodies"].items())[:8]:
        out.append(f"    {n} x {body}")
    for line, n in entry.get("server_errors", {}).items():
        out.append(f"    server log: {n} x {line}")
    if entry.get("pg_deadlocks"):
        out.append(f"    PostgreSQL counted {entry['pg_deadlocks']} deadlocks")
    if r["ran_out_of_people_at_s"] is not None:
        out.append(
            f"note: the seeded people ran out {fmt(r['ran_out_of_people_at_s'])} s after the "
            "start; rerun with more --people for a full window"
        )
    return out


def render(results: list[dict], meta: dict) -> str:
    out = []
    out.append(
        f"Hearth referrals benchmark — {meta['date']} — {meta['machine']} — {meta['clients']} "
        f"clients, {meta['duration']:.0f} s measured after {meta['warmup']:.0f} s warm-up, "
        f"{meta['pairs']} pairs of organizations"
    )
    changed = ", ".join(line[3:] for line in meta["changed_files"]) or "none"
    out.append(f"Code: commit {meta['commit']}; uncommitted changes in: {changed}")
    out.append(
        f"Server: gunicorn {meta['server']}; e-mail backend {meta['email_backend']}. Targets "
        f"(issue): each transition p95 ≤ {TARGET_TRANSITION_P95_MS} ms with {meta['clients']} "
        f"concurrent clients; ≥ {TARGET_LIFECYCLES_PER_S} complete lifecycles/s on PostgreSQL."
    )
    if meta["other_benchmarks"]:
        out.append("Other benchmarks ran meanwhile: " + "; ".join(meta["other_benchmarks"]))
    for report in results:
        db = report["database"]
        out.append("")
        out.append(f"## {db}")
        if report.get("aborted"):
            out.append(f"aborted: {report['aborted']}")
            continue
        seed = report["seed"]
        out.append(
            f"setup: migrate {fmt(report['migrate_s'])} s; {seed['people']:,} people through "
            f"person_create in {fmt(seed['people_s'])} s ({fmt(seed['people_per_s'], 0)}/s)"
            + (
                f"; PostgreSQL {report['postgres'].get('version')} "
                f"(synchronous_commit {report['postgres'].get('synchronous_commit')}, "
                f"fsync {report['postgres'].get('fsync')})"
                if "postgres" in report
                else ""
            )
        )
        for entry in report["runs"]:
            out.extend(render_run(entry, db))
        v = report["verify"]
        out.append(
            f"check: completed referrals in the database {v['completed_in_database']:,}, "
            f"lifecycles the clients completed {v['completed_by_clients']:,} → "
            f"{'equal' if v['match'] else 'DIFFERENT'}; referrals by status {v['by_status']}; "
            f"audit-verify: {v['audit_verify_output']}"
        )
        p = report.get("profile")
        if p and "error" in p:
            out.append(f"profile failed: {p['error'][:600]}")
        elif p:
            out.append("")
            out.append(
                f"in-process ({p['database']}; one process, one client, Django's test client, "
                f"no HTTP server), {p['plain_lifecycles']} lifecycles: "
                f"{fmt(p['plain_lifecycle_ms'])} ms per lifecycle — "
                + ", ".join(f"{k} {fmt(v)}" for k, v in p["plain_mean_ms"].items())
                + " ms; "
                f"under cProfile ({p['lifecycles']} lifecycles; it inflates Python-heavy code): "
                f"{fmt(p['lifecycle_ms'])} ms"
            )
            cpu = p["plain_cpu_ms"]
            python_ms = sum(cpu["python"].values())
            database_ms = sum(cpu["database"].values())
            out.append(
                "CPU per request in-process: "
                + ", ".join(
                    f"{k} {fmt(v)}"
                    + (f" + {fmt(cpu['database'].get(k))} database" if cpu["database"] else "")
                    for k, v in cpu["python"].items()
                )
                + f" ms; per lifecycle {fmt(python_ms)} ms Python"
                + (f" + {fmt(database_ms)} ms PostgreSQL backend" if cpu["database"] else "")
                + f" → at most {fmt(os.cpu_count() * 1000 / (python_ms + database_ms))} "
                f"lifecycles/s on {os.cpu_count()} cores before HTTP and the server's own work"
            )
            out.append(
                "floors in-process: "
                + "; ".join(
                    f"{k} {fmt(v['wall_p50_ms'])} ms (CPU {fmt(v['cpu_mean_ms'])} ms)"
                    for k, v in p.get("floors", {}).items()
                )
            )
            out.append(
                "SQL statements per request (and their time in the database driver): "
                + ", ".join(
                    f"{k} {v['statements']:.0f} ({fmt(v['sql_ms'])} ms)"
                    for k, v in p["queries"].items()
                )
            )
            out.append(f"    {'where (cumulative; rows nest)':<62} {'calls':>6} {'ms':>7}")
            for b in p["buckets"]:
                if b["calls_per_lifecycle"]:
                    out.append(
                        f"    {b['what']:<62} {b['calls_per_lifecycle']:>6.1f} "
                        f"{b['ms_per_lifecycle']:>7.2f}"
                    )
            out.append(f"    {'top functions by own time':<62} {'calls':>6} {'self':>7} {'cum':>7}")
            for t in p["top_tottime"][:15]:
                out.append(
                    f"    {t['function'][-62:]:<62} {t['calls_per_lifecycle']:>6.1f} "
                    f"{t['self_ms_per_lifecycle']:>7.2f} {t['cumulative_ms_per_lifecycle']:>7.2f}"
                )
            out.append("    (per lifecycle: calls, ms)")
    return "\n".join(out)


# =============================================================================================


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--_helper":
        request = json.loads(sys.stdin.read() or "{}")
        print(json.dumps(HELPERS[sys.argv[2]](request)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured (60)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds not counted first (5)")
    parser.add_argument("--pairs", type=int, default=4,
                        help="sender/receiver pairs of organizations (default 4)")  # fmt: skip
    parser.add_argument(
        "--people", type=int, default=6000,
        help="people seeded, one per lifecycle (default 6000); the clients stop if they run out",
    )  # fmt: skip
    parser.add_argument(
        "--server", type=lambda text: [parse_config(t) for t in text.split(",")],
        default=[DEFAULT_SERVER], metavar="CONFIGS",
        help="gunicorn configuration(s), comma-separated, each measured in turn on the same "
        'data: "4" = four sync workers, "2x4" = two gthread workers of four threads '
        f"(default {DEFAULT_SERVER[0]}x{DEFAULT_SERVER[1]})",
    )  # fmt: skip
    parser.add_argument(
        "--email-backend", default=DUMMY_EMAIL,
        help=f"HEARTH_EMAIL_BACKEND for the server (default {DUMMY_EMAIL})",
    )  # fmt: skip
    parser.add_argument(
        "--floor-seconds", type=float, default=10, metavar="S",
        help="after each run, measure GET /healthz and GET /api/v1/referrals/<id> with the "
        "same clients for S seconds each (default 10; 0 skips)",
    )  # fmt: skip
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the in-process cProfile of a few lifecycles")  # fmt: skip
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="work in DIR and keep it (and the PostgreSQL database)")  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float, default=0, metavar="SECONDS",
        help="before measuring, wait up to this long for the machine to fall below a quarter "
        "of a core busy (default 0: do not wait)",
    )  # fmt: skip
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH",
        help="also write the figures as JSON (to PATH, or to stdout after the table)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.clients < 1 or args.pairs < 1 or args.people < args.clients:
        parser.error("need at least one client, pair and worker, and a person per client")

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hearth-refbench-"))
    server_desc = ", then ".join(describe_config(c) for c in args.server)
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "clients": args.clients,
        "duration": args.duration,
        "warmup": args.warmup,
        "pairs": args.pairs,
        "people": args.people,
        "server": server_desc,
        "email_backend": args.email_backend,
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
                results.append({"database": database, "aborted": f"{error}"[:2000]})
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            if "postgres" in databases:
                try:
                    psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                except subprocess.CalledProcessError as error:
                    log(f"could not drop {PG_DATABASE}: {error.stderr}")
    meta["other_benchmarks"] = sorted(
        {
            line
            for r in results
            for e in r.get("runs", [])
            for line in e["other_benchmarks_at_start"] + e["other_benchmarks_at_end"]
        }
    )
    print(render(results, meta))
    if args.json:
        document = json.dumps({"meta": meta, "results": results}, indent=2, default=str)
        if args.json == "-":
            print()
            print(document)
        else:
            Path(args.json).write_text(document + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
