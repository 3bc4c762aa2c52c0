#!/usr/bin/env python
"""Benchmark of Hearth's people records: opening one record through the access gate, a list page
of the people an organization holds, and re-wrapping every data key under a new key-encryption
key.

    .venv/bin/python benchmarks/people.py [--people 100000] [--organizations 200]
        [--database sqlite|postgres|both] [--opens 2000] [--lists 500] [--json [PATH]]

For each database it makes a fresh `HEARTH_DATA_DIR` and database, migrates, creates the
organizations and their staff through the accounts services, then loads the people in bulk:
data keys with `crypto.data_keys_create`, every category sealed with `crypto.Cipher` exactly as
`services.person_create` seals it (`services._seal`), the same blind-index rows and one
"created" audit record per person, chained as `audit.record_many` chains them. Then consents
(live, expired, revoked; named and by kind of organization), written with their audit records.

It measures, in one process with Django set up against that data (no HTTP):
- `access.access_person` by the holding organization's staff (purpose care) and by a recipient
  organization under a live consent (purpose referral): decision, decryption and audit write;
- `access.people_held_by`, 50 a page, random organizations and pages;
- `crypto.rotate_key_encryption_key` after changing HEARTH_KEY_ENCRYPTION_KEY (the old key listed
  in HEARTH_KEY_ENCRYPTION_KEYS_RETIRED): wall time;
- peak RSS of that process, per phase.

It prints the figures beside the targets and marks each met or not met; it never asserts on a
timing. See benchmarks/README.md. Progress goes to stderr; the table (and, with --json, the
JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import busy_ticks, git, log, percentile, psql

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "hearth_bench_people"

# The targets from the issue (100,000 people across 200 organizations).
TARGET_OPEN_P95_MS = 5
TARGET_LIST_P95_MS = 50
TARGET_ROTATION_S = 120

PAGE = 50
WARMUP = 50
BREAKDOWN_CALLS = 400  # extra opens (and a quarter as many lists) run instrumented
BATCH = 2000


def summarize(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.50),
        "p95_ms": percentile(samples, 0.95),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": max(samples) if samples else None,
        "mean_ms": sum(samples) / len(samples) if samples else None,
    }


# =============================================================================================
# Memory and other work on the machine (measured inside the helper process)

HZ = os.sysconf("SC_CLK_TCK")


def _ticks_of(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


class CpuWatch:
    """Cores busy with work other than this process (and its PostgreSQL backend) over a phase."""

    def __init__(self, backend_pid: int | None = None):
        self.backend_pid = backend_pid
        self.started = time.perf_counter()
        self.busy = busy_ticks()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self.mine = usage.ru_utime + usage.ru_stime
        self.backend = _ticks_of(backend_pid) if backend_pid else 0

    def stop(self) -> dict:
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        busy = (busy_ticks() - self.busy) / HZ
        usage = resource.getrusage(resource.RUSAGE_SELF)
        mine = usage.ru_utime + usage.ru_stime - self.mine
        backend = (_ticks_of(self.backend_pid) - self.backend) / HZ if self.backend_pid else 0.0
        return {
            "other_cores": max(busy - mine - backend, 0.0) / elapsed,
            "benchmark_cores": mine / elapsed,
            "postgres_backend_cores": backend / elapsed,
        }


QUIET_CORES = 0.25


def wait_quiet(what: str, seconds: float, backend_pid: int | None) -> None:
    """Wait (up to `seconds`) until other work has used less than a quarter of a core for three
    seconds running."""
    if seconds <= 0:
        return
    deadline = time.perf_counter() + seconds
    while True:
        watch = CpuWatch(backend_pid)
        time.sleep(3)
        other = watch.stop()["other_cores"]
        if other < QUIET_CORES:
            return
        if time.perf_counter() > deadline:
            log(f"    still {other:.2f} cores busy elsewhere; measuring {what} anyway")
            return
        log(f"    {other:.2f} cores busy elsewhere; waiting before {what}")
        time.sleep(4)


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM (Linux: writing 5 to clear_refs), so each phase has its peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# =============================================================================================
# Synthetic people

FIRST_NAMES = [
    "Alex", "Amani", "Ana", "Ari", "Bea", "Cam", "Carmen", "Dara", "Dee", "Eli", "Emre", "Fatima",
    "Gabi", "Hana", "Ines", "Ira", "Jae", "Jesús", "Jo", "Jordan", "Kai", "Kemi", "Lan", "Lee",
    "Lucía", "Mar", "Marisol", "Mo", "Nadia", "Nico", "Noor", "Ola", "Pat", "Priya", "Quinn",
    "Rafa", "Remy", "Rosa", "Sam", "Sasha", "Tam", "Teo", "Tomás", "Uma", "Val", "Wren", "Yara",
    "Yusuf", "Zoe", "Zhen",
]  # fmt: skip
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "ella", "él", ""]
NEED_CODES = [
    "1124", "1125", "1121", "1136", "1137", "1132", "1130", "1158", "1178", "1206", "1220",
    "1305", "1310", "1312", "1357", "1375", "1381", "1387", "1390", "1326", "1175", "1280",
]  # fmt: skip
IN_THEIR_WORDS = [
    "A safe place to stay for me and my kids.",
    "Help with the rent this month and next.",
    "Someone to talk to who gets it.",
    "Un lugar seguro y ayuda con los papeles.",
    "Getting to appointments without asking family.",
    "Work with regular hours, close to the bus.",
    "Understanding my legal options.",
]
STRENGTHS = [
    "Resourceful and organised; kept the family together through every move.",
    "Warm and funny; the neighbour everyone calls first.",
    "Skilled cook and a patient teacher.",
    "Determined, protective, clear about what they want.",
    "Generous listener who has walked alongside others in the circle.",
]
GOALS = [
    "A home of their own by spring.",
    "Finish the course they started last year.",
    "Part-time work with regular hours.",
    "Sleep through the night more often.",
    "Rejoin the choir and see friends again.",
]
WHAT_HELPS = [
    "Plain answers in writing and time to think before deciding.",
    "Meeting in person, in Spanish, with time.",
    "Texts in the evening; no voicemail.",
    "Being asked, not told; a cup of tea first.",
    "Knowing the agenda in advance.",
]


def person_values(rng: random.Random, serial: int) -> dict:
    """One person's four categories, already in the shape the service's cleaners return."""
    name = f"{rng.choice(FIRST_NAMES)} {chr(65 + rng.randrange(26))}{serial}"
    roll = rng.random()
    languages = ["en"] if roll < 0.75 else ["es", "en"] if roll < 0.95 else ["es"]
    phones = [f"555-{rng.randrange(10000):04d}"] if rng.random() < 0.7 else []
    emails = [f"p{serial}@mail.example"] if rng.random() < 0.6 else []
    channels = sorted(
        {c for c, ok in (("call", phones), ("text", phones), ("email", emails)) if ok}
        & set(rng.sample(["call", "text", "email"], rng.randrange(0, 4)))
    )
    hours = rng.random() < 0.3
    return {
        "identity": {
            "chosen_name": name,
            "pronouns": rng.choice(PRONOUNS),
            "languages": languages,
            "age": rng.randrange(16, 90) if rng.random() < 0.6 else None,
            "birth_date": "",
        },
        "contact": {
            "phones": phones,
            "emails": emails,
            "safe_channels": channels,
            "voicemail_ok": rng.random() < 0.2,
            "safe_days": ["mon", "tue", "wed", "thu", "fri"] if rng.random() < 0.3 else [],
            "safe_from": "10:00" if hours else "",
            "safe_until": "14:00" if hours else "",
            "time_zone": "America/Los_Angeles",
            "message_detail": "named" if rng.random() < 0.3 else "vague",
            "do_not_contact": rng.random() < 0.05,
        },
        "needs": {
            "terms": list(dict.fromkeys(rng.sample(NEED_CODES, rng.randrange(1, 4)))),
            "in_their_words": rng.choice(IN_THEIR_WORDS),
        },
        "strengths": {
            "strengths": rng.choice(STRENGTHS),
            "goals": rng.choice(GOALS),
            "what_helps": rng.choice(WHAT_HELPS),
        },
    }


# =============================================================================================
# The helper: Django set up against one database; seeds, then measures, in-process


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def make_world(rng: random.Random, organizations: int) -> dict:
    """Networks, organizations and staff, through the accounts services (all audited)."""
    from hearth.accounts import services as accounts
    from hearth.accounts.models import Organization, Role
    from hearth.core import crypto

    operator = accounts.user_create(
        actor=None, email="operator@bench.example", full_name="Operator", password=None,
        is_superuser=True,
    )  # fmt: skip
    networks = [
        accounts.network_create(actor=operator, slug=f"network-{i}", name=f"Network {i}")
        for i in range(4)
    ]
    kinds = Organization.Kind.values
    kind_weights = [6 if kind == "community_based" else 2 for kind in kinds]
    world = {"organizations": [], "staff": {}, "networks": networks}
    roles = [Role.ADMIN, Role.PRACTITIONER, Role.PRACTITIONER, Role.PEER_SUPPORTER]
    for i in range(organizations):
        organization = accounts.organization_create(
            actor=operator,
            network=rng.choice(networks),
            slug=f"org-{i}",
            name=f"Organization {i}",
            kind=rng.choices(kinds, kind_weights)[0],
        )
        if rng.random() < 0.3:
            accounts.organization_join_network(
                actor=operator, organization=organization, network=rng.choice(networks)
            )
        crypto.organization_key(organization)
        staff = []
        for j, role in enumerate(roles):
            user = accounts.user_create(
                actor=operator,
                email=f"staff{j}@org-{i}.example",
                full_name=f"Staff {j} of {i}",
                password=None,
            )
            accounts.membership_add(actor=operator, organization=organization, user=user, role=role)
            staff.append((user, role))
        world["organizations"].append(organization)
        world["staff"][organization.pk] = staff
    return world


def seed_people(rng: random.Random, world: dict, count: int) -> list[tuple]:
    """`count` people, sealed and indexed as `services.person_create` does, in bulk.
    Returns (person id, holder id) pairs."""
    from django.db import transaction
    from django.utils import timezone

    from hearth.core import audit, crypto
    from hearth.people import services
    from hearth.people.models import SEALED_CATEGORIES, Person, PersonLookup, Purpose

    organizations = world["organizations"]
    # A skewed spread, as in life: the largest holds about fourteen times the smallest.
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(organizations))]
    now = timezone.now()
    made: list[tuple] = []
    started = time.perf_counter()
    categories = sorted(str(c) for c in SEALED_CATEGORIES)
    serial = 0
    while serial < count:
        size = min(BATCH, count - serial)
        holders = rng.choices(organizations, weights, k=size)
        with transaction.atomic():
            keys = crypto.data_keys_create(size)
            people, lookups, entries = [], [], []
            for key, holder in zip(keys, holders, strict=True):
                values = person_values(rng, serial)
                serial += 1
                created = now - timedelta(days=rng.uniform(0, 730))
                person = Person(
                    holder=holder,
                    data_key=key,
                    created_at=created,
                    last_activity_at=created + (now - created) * rng.random(),
                )
                cipher = crypto.Cipher(key)
                for category in SEALED_CATEGORIES:
                    services._seal(person, cipher, category, values[category])
                people.append(person)
                # The rows services._index writes.
                org = holder.pk
                lookups.append(
                    PersonLookup(
                        person=person,
                        organization_id=org,
                        kind="name",
                        digest=crypto.blind_index(org, "name", values["identity"]["chosen_name"]),
                    )
                )
                for kind, found in (
                    ("phone", values["contact"]["phones"]),
                    ("email", values["contact"]["emails"]),
                ):
                    lookups += [
                        PersonLookup(
                            person=person,
                            organization_id=org,
                            kind=kind,
                            digest=crypto.blind_index(org, kind, value),
                        )
                        for value in found
                    ]
                creator = next(u for u, role in world["staff"][holder.pk] if role == "practitioner")
                entries.append(
                    audit.Entry(
                        actor=creator,
                        action="hearth.people.person.created",
                        target=person,
                        purpose=Purpose.CARE,
                        organization=holder,
                        detail={"categories": categories},
                    )
                )
            Person.objects.bulk_create(people, batch_size=500)
            PersonLookup.objects.bulk_create(lookups, batch_size=1000)
            audit.record_many(entries)
        made += [(person.pk, person.holder_id) for person in people]
        if serial % 20000 == 0 or serial == count:
            rate = serial / (time.perf_counter() - started)
            log(f"    {serial:,} people ({rate:,.0f}/s)")
    return made


def _class_members() -> dict[tuple, list]:
    """(network id, kind of organization) -> the organizations of that kind in that network."""
    from hearth.accounts.models import NetworkMembership

    members: dict[tuple, list] = {}
    for link in NetworkMembership.objects.select_related("organization"):
        members.setdefault((link.network_id, link.organization.kind), []).append(
            link.organization_id
        )
    return members


def seed_consents(rng: random.Random, world: dict, people: list[tuple], count: int) -> None:
    """`count` consents with their audit records, as `services.consent_record` writes them:
    70% live (a tenth of them naming a kind of organization in a network rather than one
    organization), 15% expired, 15% revoked. Purposes: mostly referral."""
    from django.db import transaction
    from django.utils import timezone

    from hearth.core import audit
    from hearth.people.models import Category, Consent, Person, Purpose

    organizations = world["organizations"]
    by_id = {o.pk: o for o in organizations}
    classes = [key for key, members in _class_members().items() if len(members) >= 2]
    now = timezone.now()
    chosen = rng.sample(people, min(count, len(people)))
    for start in range(0, len(chosen), BATCH):
        consents, entries = [], []
        for person_id, holder_id in chosen[start : start + BATCH]:
            roll = rng.random()
            state = "live" if roll < 0.70 else "expired" if roll < 0.85 else "revoked"
            purpose = Purpose.REFERRAL if rng.random() < 0.8 else Purpose.CARE_COORDINATION
            categories = [Category.IDENTITY, Category.NEEDS]
            if rng.random() < 0.5:
                categories.append(Category.STRENGTHS)
            recipient = kind = network = None
            if state == "live" and classes and rng.random() < 0.1:
                network, kind = rng.choice(classes)
            else:
                recipient = rng.choice(
                    [o for o in rng.sample(organizations, 3) if o.pk != holder_id]
                )
            if state == "expired":
                starts = now - timedelta(days=rng.uniform(100, 400))
            else:
                starts = now - timedelta(days=rng.uniform(0, 80))
            holder = by_id[holder_id]
            consent = Consent(
                person_id=person_id,
                disclosing_organization=holder,
                recipient_organization=recipient,
                recipient_kind=kind or "",
                recipient_network_id=network,
                categories=sorted(categories),
                purpose=purpose,
                starts_at=starts,
                expires_at=starts + timedelta(days=90),
                given_by=Consent.GivenBy.STAFF,
                attestation="Agreed in person",
                recorded_by=world["staff"][holder_id][1][0],
                created_at=starts,
            )
            if state == "revoked":
                consent.revoked_at = starts + (now - starts) * rng.random()
            consents.append(consent)

            def entry(action, consent=consent, holder=holder):
                return audit.Entry(
                    actor=world["staff"][holder.pk][1][0],
                    action=action,
                    target=Person(id=consent.person_id),
                    purpose=consent.purpose,
                    organization=holder,
                    detail={
                        "consent": str(consent.id),
                        "categories": consent.categories,
                        "recipient": str(
                            consent.recipient_organization_id or consent.recipient_kind
                        ),
                        "expires_at": consent.expires_at.isoformat(),
                    },
                )

            entries.append(entry("hearth.people.consent.recorded"))
            if state == "revoked":
                entries.append(entry("hearth.people.consent.revoked"))
        with transaction.atomic():
            Consent.objects.bulk_create(consents, batch_size=500)
            audit.record_many(entries)


def consents_in_place() -> dict:
    """How many consents are in each state now, and the live referral consents with the
    organizations that may read under each (for the measured opens)."""
    from django.db.models import Q
    from django.utils import timezone

    from hearth.people.models import Consent, Purpose

    now = timezone.now()
    live = Q(revoked_at__isnull=True, starts_at__lte=now, expires_at__gt=now)
    tally = {
        "live": Consent.objects.filter(live).count(),
        "live_class": Consent.objects.filter(live, recipient_organization__isnull=True).count(),
        "expired": Consent.objects.filter(revoked_at__isnull=True, expires_at__lte=now).count(),
        "revoked": Consent.objects.filter(revoked_at__isnull=False).count(),
    }
    members = _class_members()
    usable = []
    for consent in Consent.objects.filter(live, purpose=Purpose.REFERRAL).values(
        "person_id", "person__holder_id", "recipient_organization_id", "recipient_kind",
        "recipient_network_id",
    ).order_by("id"):  # fmt: skip
        if consent["recipient_organization_id"]:
            readers = [consent["recipient_organization_id"]]
        else:
            key = (consent["recipient_network_id"], consent["recipient_kind"])
            readers = [o for o in members.get(key, []) if o != consent["person__holder_id"]]
        if readers:
            usable.append({"person_id": consent["person_id"], "readers": readers})
    tally["live_referral_usable"] = len(usable)
    return {"tally": tally, "live_referral": usable}


def world_in_place() -> tuple[dict, list[tuple]]:
    """The organizations, their staff and the people an earlier run left (--reuse)."""
    from hearth.accounts.models import Membership, Network, Organization
    from hearth.people.models import Person

    staff: dict = {}
    for membership in Membership.objects.select_related("user").order_by(
        "organization_id", "user__email"
    ):
        staff.setdefault(membership.organization_id, []).append((membership.user, membership.role))
    organizations = [o for o in Organization.objects.order_by("slug") if o.pk in staff]
    world = {
        "organizations": organizations,
        "staff": staff,
        "networks": list(Network.objects.all()),
    }
    people = list(
        Person.objects.filter(erased_at__isnull=True).order_by("id").values_list("id", "holder_id")
    )
    return world, people


def measure(name: str, calls, *, quiet: float, backend_pid, profile_dir: Path | None) -> dict:
    """Time each call after WARMUP warm-up calls; optionally under cProfile."""
    for call in calls[:WARMUP]:
        call()
    wait_quiet(name, quiet, backend_pid)
    profiler = None
    if profile_dir is not None:
        import cProfile

        profiler = cProfile.Profile()
    samples, cpu_samples = [], []
    watch = CpuWatch(backend_pid)
    for call in calls[WARMUP:]:
        if profiler:
            profiler.enable()
        cpu_started = time.thread_time()
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.thread_time() - cpu_started) * 1000)
        if profiler:
            profiler.disable()
    # CPU time of this process per call: what the call costs here, less sensitive than the wall
    # time to other work on a shared machine (the database server's own work is not in it).
    cpu = summarize(cpu_samples)
    result = {
        **summarize(samples),
        "cpu": watch.stop(),
        "own_cpu_p50_ms": cpu["p50_ms"],
        "own_cpu_p95_ms": cpu["p95_ms"],
    }
    if profiler:
        import io
        import pstats

        path = profile_dir / f"{name}.pstats"
        profiler.dump_stats(str(path))
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        result["profile"] = {"path": str(path), "top_tottime": text.getvalue()[-6000:]}
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
        result["profile"]["top_cumulative"] = text.getvalue()[-8000:]
    log(
        f"    {name}: n={result['n']} p50 {result['p50_ms']:.2f} ms, p95 "
        f"{result['p95_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms; other work "
        f"{result['cpu']['other_cores']:.2f} cores"
    )
    return result


def _statement_kind(sql: str) -> str:
    verb = sql.split(None, 1)[0].upper()
    if verb not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        return verb
    if verb == "SELECT" and "COUNT(*)" in sql:
        verb = "SELECT COUNT"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
    return f"{verb} {table.group(1)}" if table else verb


def where_time_goes(calls) -> dict:
    """Mean time per call spent in each kind of SQL statement and in COMMIT, over `calls` run
    after the timed ones (the instrumentation would disturb the timing itself)."""
    from django.db import connection

    spent: dict[str, float] = {}

    def add(key: str, seconds: float) -> None:
        spent[key] = spent.get(key, 0.0) + seconds

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            add(_statement_kind(sql), time.perf_counter() - started)

    original = connection._commit

    def timed_commit():
        started = time.perf_counter()
        try:
            return original()
        finally:
            add("COMMIT", time.perf_counter() - started)

    connection._commit = timed_commit
    total = 0.0
    try:
        with connection.execute_wrapper(wrapper):
            for call in calls:
                started = time.perf_counter()
                call()
                total += time.perf_counter() - started
    finally:
        del connection._commit
    n = max(len(calls), 1)
    database = {k: v * 1000 / n for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}
    return {
        "calls": len(calls),
        "mean_ms": total * 1000 / n,
        "database_ms": database,
        "outside_database_ms": total * 1000 / n - sum(database.values()),
    }


def queries_of(call) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"][:160] for q in captured.captured_queries]


def helper_run(request: dict) -> dict:
    _django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from hearth.core import audit, crypto
    from hearth.core.models import AuditRecord, DataKey
    from hearth.people import access
    from hearth.people.models import Person, Purpose

    rng = random.Random(request["seed"])
    quiet = request["quiet_wait"]
    profile_dir = Path(request["profile_dir"]) if request["profile_dir"] else None
    report: dict = {"phases": {}, "peak_rss_mb": {}}

    def phase(name: str, function, *args):
        log(f"  {name}")
        reset_peak_rss()
        watch = CpuWatch(_backend_pid())
        started = time.perf_counter()
        value = function(*args)
        seconds = time.perf_counter() - started
        report["phases"][name] = {"seconds": seconds, "other_cores": watch.stop()["other_cores"]}
        report["peak_rss_mb"][name] = peak_rss_mb()
        log(f"  {name}: {seconds:.1f} s, peak RSS {report['peak_rss_mb'][name]:.0f} MB")
        return value

    phase("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
    report["reused"] = request.get("reuse", False) and Person.objects.exists()
    if report["reused"]:
        log("  reusing the people an earlier run left there (--reuse): nothing is seeded")
        world, people = world_in_place()
    else:
        world = phase("organizations and staff", make_world, rng, request["organizations"])
        people = phase("people", seed_people, rng, world, request["people"])
        phase("consents", seed_consents, rng, world, people, request["consents"])
    consents = consents_in_place()
    report["consents"] = consents["tally"]
    if connection.vendor == "postgresql" and not report["reused"]:
        # As autovacuum would after a bulk load (this server may run without it).
        phase("ANALYZE", lambda: connection.cursor().execute("ANALYZE"))
    report["counts"] = {
        "people": Person.objects.count(),
        "organizations": len(world["organizations"]),
        "audit_records": AuditRecord.objects.count(),
        "data_keys": DataKey.objects.count(),
    }
    backend = _backend_pid()
    organizations = {o.pk: o for o in world["organizations"]}
    staff = world["staff"]

    def holder_open(person_id, holder_id):
        user = rng.choice([u for u, role in staff[holder_id] if role in ("admin", "practitioner")])
        organization = organizations[holder_id]
        return lambda: access.access_person(
            user=user, organization=organization, person_id=person_id, purpose=Purpose.CARE
        )

    def consent_open(item):
        reader = organizations[rng.choice(item["readers"])]
        user = next(u for u, role in staff[reader.pk] if role == "practitioner")
        return lambda: access.access_person(
            user=user, organization=reader, person_id=item["person_id"], purpose=Purpose.REFERRAL
        )

    n = WARMUP + request["opens"]
    holder_calls = [holder_open(*rng.choice(people)) for _ in range(n)]
    usable = consents["live_referral"]
    consent_calls = [consent_open(rng.choice(usable)) for _ in range(n)] if usable else []
    counts: dict[str, int] = {}
    for _person, holder in people:
        counts[holder] = counts.get(holder, 0) + 1

    def list_call():
        holder = rng.choice(list(organizations))
        pages = max(1, -(-counts.get(holder, 0) // PAGE))
        offset = rng.randrange(pages) * PAGE
        user = next(u for u, role in staff[holder] if role == "practitioner")
        organization = organizations[holder]
        return lambda: access.people_held_by(
            user=user, organization=organization, offset=offset, limit=PAGE
        )

    list_calls = [list_call() for _ in range(WARMUP + request["lists"])]

    # What one call asks of the database (for reading the figures, not timed).
    report["queries"] = {
        "open_holder": queries_of(holder_calls[0]),
        "open_consent": queries_of(consent_calls[0]) if consent_calls else [],
        "list": queries_of(list_calls[0]),
    }
    reset_peak_rss()
    report["measured"] = {}
    report["measured"]["open_holder"] = measure(
        "open_holder", holder_calls, quiet=quiet, backend_pid=backend, profile_dir=profile_dir
    )
    if consent_calls:
        report["measured"]["open_consent"] = measure(
            "open_consent", consent_calls, quiet=quiet, backend_pid=backend,
            profile_dir=profile_dir,
        )  # fmt: skip
    report["measured"]["list"] = measure(
        "list", list_calls, quiet=quiet, backend_pid=backend, profile_dir=profile_dir
    )
    report["peak_rss_mb"]["measuring"] = peak_rss_mb()
    log("  where the time goes (SQL statements and COMMIT, instrumented, not timed above)")
    extra = request["breakdown_calls"]
    report["breakdown"] = {
        "open_holder": where_time_goes([holder_open(*rng.choice(people)) for _ in range(extra)]),
        "list": where_time_goes([list_call() for _ in range(max(extra // 4, 1))]),
    }
    if usable:
        report["breakdown"]["open_consent"] = where_time_goes(
            [consent_open(rng.choice(usable)) for _ in range(extra)]
        )

    # Key rotation: a new key-encryption key, the old one retired (crypto caches derived keys
    # by these settings' values, so changing them here takes effect at once).
    old = settings.HEARTH_KEY_ENCRYPTION_KEY
    settings.HEARTH_KEY_ENCRYPTION_KEY = secrets.token_urlsafe(32)
    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = [old]
    wait_quiet("key rotation", quiet, backend)
    if profile_dir is not None:
        import cProfile

        profiler = cProfile.Profile()
        rotation = phase("key rotation", profiler.runcall, crypto.rotate_key_encryption_key)
        profiler.dump_stats(str(profile_dir / "key_rotation.pstats"))
    else:
        rotation = phase("key rotation", crypto.rotate_key_encryption_key)
    report["rotation"] = {
        "seconds": report["phases"]["key rotation"]["seconds"],
        "other_cores": report["phases"]["key rotation"]["other_cores"],
        "data_keys": rotation.data_keys,
        "organization_keys": rotation.organization_keys,
        "already_current": rotation.already_current,
        "left_under_old_key": DataKey.objects.exclude(kek_id=crypto.current_kek().key_id)
        .exclude(kek_id="")
        .count(),
    }
    (settings.DATA_DIR / "key_encryption_key").write_text(settings.HEARTH_KEY_ENCRYPTION_KEY + "\n")
    # After rotation, with the old key no longer configured, a record still opens.
    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = []
    record = holder_calls[0]()
    report["rotation"]["opens_without_old_key"] = bool(record.chosen_name)
    report["peak_rss_mb"]["process"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log("  verifying the audit chain")
    chain = audit.verify_chain()
    report["audit_chain"] = {"intact": chain.intact, "checked": chain.checked}
    report["counts"]["audit_records_after"] = AuditRecord.objects.count()
    return report


# =============================================================================================
# The parent: one helper process per database


def pg_exists(name: str) -> bool:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip() == "1"


def run_database(database: str, args, work: Path) -> dict:
    log(
        f"=== {database}: {args.people:,} people across {args.organizations} organizations "
        f"in {work}"
    )
    data_dir = work / "data"
    reuse = args.reuse and (data_dir / "key_encryption_key").exists()
    if database == "postgres":
        reuse = reuse and pg_exists(PG_DATABASE)
    else:
        reuse = reuse and (data_dir / "hearth.sqlite3").exists()
    if not reuse:
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "HEARTH_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "HEARTH_LOG_LEVEL": "WARNING",
    }
    for name in (
        "HEARTH_DEBUG", "DATABASE_URL", "HEARTH_SECRET_KEY", "HEARTH_KEY_ENCRYPTION_KEY",
        "HEARTH_KEY_ENCRYPTION_KEYS_RETIRED", "HEARTH_BLIND_INDEX_KEY", "HEARTH_SEARCH_INDEX_DIR",
    ):  # fmt: skip
        env.pop(name, None)
    # Secrets in the data directory (where settings looks when the environment has none), so a
    # directory kept with --keep can be opened again; the helper updates the key-encryption key
    # there after rotating.
    if not reuse:
        for file_name, size in (
            ("secret_key", 50),
            ("key_encryption_key", 32),
            ("blind_index_key", 32),
        ):
            (data_dir / file_name).write_text(secrets.token_urlsafe(size) + "\n")
            (data_dir / file_name).chmod(0o600)
    if database == "postgres":
        if not reuse:
            psql(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            psql(f"CREATE DATABASE {PG_DATABASE}")
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    profile_dir = None
    if args.profile:
        profile_dir = work / "profiles"
        profile_dir.mkdir(parents=True, exist_ok=True)
    request = {
        "people": args.people,
        "organizations": args.organizations,
        "consents": args.consents if args.consents is not None else args.people // 10,
        "opens": args.opens,
        "lists": args.lists,
        "breakdown_calls": BREAKDOWN_CALLS,
        "seed": args.seed,
        "quiet_wait": args.quiet_wait,
        "reuse": reuse,
        "profile_dir": str(profile_dir) if profile_dir else "",
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
        raise RuntimeError(f"the helper exited {done.returncode} (its errors are above)")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["database"] = database
    report["request"] = request
    return report


# =============================================================================================
# Printing


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def mark(met: bool) -> str:
    return "met" if met else "NOT MET"


ROWS = [
    ("open_holder", "open a record: holder staff, purpose care", TARGET_OPEN_P95_MS),
    ("open_consent", "open a record: recipient under consent, referral", TARGET_OPEN_P95_MS),
    ("list", f"list of {PAGE} (people_held_by), random org and page", TARGET_LIST_P95_MS),
]


def render(results: list[dict], meta: dict) -> str:
    out = [
        f"Hearth people benchmark — {meta['date']} — {meta['machine']} — {meta['people']:,} "
        f"people across {meta['organizations']} organizations; in-process (no HTTP), one caller",
        f"Code: commit {meta['commit']}; uncommitted changes in: "
        + (", ".join(line[3:] for line in meta["changed_files"]) or "none"),
        f"Targets (issue): open a record p95 ≤ {TARGET_OPEN_P95_MS} ms; list of {PAGE} p95 ≤ "
        f"{TARGET_LIST_P95_MS} ms; key rotation of every data key ≤ {TARGET_ROTATION_S} s.",
    ]
    for report in results:
        out += ["", f"## {report['database']}", ""]
        if report.get("aborted"):
            out.append(f"aborted: {report['aborted']}")
            continue
        if report.get("reused"):
            out.append(
                "(people reused from an earlier --keep run: nothing seeded, setup not timed)"
            )
        out.append(f"{'setup step':<28} {'seconds':>9} {'peak RSS MB':>12} {'other':>6}")
        for name, step in report["phases"].items():
            if name == "key rotation":
                continue
            out.append(
                f"{name:<28} {fmt(step['seconds']):>9} "
                f"{fmt(report['peak_rss_mb'].get(name), 0):>12} {fmt(step['other_cores'], 2):>6}"
            )
        counts = report["counts"]
        c = report["consents"]
        out.append(
            f"({counts['people']:,} people, {counts['data_keys']:,} data keys, "
            f"{counts['audit_records']:,} audit records before measuring; consents: {c['live']:,} "
            f"live ({c['live_class']:,} naming a kind of organization), {c['expired']:,} expired, "
            f"{c['revoked']:,} revoked)"
        )
        out.append("")
        header = (
            f"{'measured':<52} {'n':>5} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
            f"{'cpu p50':>8} {'cpu p95':>8} {'other':>6}  target → met?"
        )
        out += [header, "-" * len(header)]
        for key, label, target in ROWS:
            row = report["measured"].get(key)
            if not row:
                out.append(f"{label:<52}  (not measured)")
                continue
            met = row["p95_ms"] is not None and row["p95_ms"] <= target
            out.append(
                f"{label:<52} {row['n']:>5} {fmt(row['p50_ms'], 2):>7} {fmt(row['p95_ms'], 2):>7} "
                f"{fmt(row['p99_ms'], 2):>7} {fmt(row['max_ms'], 1):>7} "
                f"{fmt(row['own_cpu_p50_ms'], 2):>8} {fmt(row['own_cpu_p95_ms'], 2):>8} "
                f"{fmt(row['cpu']['other_cores'], 2):>6}  p95 ≤ {target} ms → {mark(met)}"
            )
        rot = report["rotation"]
        met = rot["seconds"] <= TARGET_ROTATION_S and rot["left_under_old_key"] == 0
        out.append(
            f"{'key rotation (rotate_key_encryption_key)':<52} {'':>5} wall {fmt(rot['seconds'])}"
            f" s for {rot['data_keys']:,} data keys + {rot['organization_keys']} organization "
            f"keys; other {fmt(rot['other_cores'], 2)}  ≤ {TARGET_ROTATION_S} s → {mark(met)}"
        )
        statements = {key: len(value) for key, value in report["queries"].items()}
        out.append(
            "(ms, in-process, wall time; cpu = this process's CPU time per call; other = cores "
            "busy with work outside this benchmark meanwhile; SQL "
            f"statements per call, BEGIN/SAVEPOINT/COMMIT included: open by holder "
            f"{statements['open_holder']}, under consent {statements['open_consent']}, list "
            f"{statements['list']})"
        )
        for key, label in (
            ("open_holder", "open by holder"),
            ("open_consent", "open under consent"),
            ("list", "list of 50"),
        ):
            part = report.get("breakdown", {}).get(key)
            if not part:
                continue
            top = ", ".join(
                f"{kind} {ms:.2f}" for kind, ms in list(part["database_ms"].items())[:6]
            )
            out.append(
                f"where the time goes, {label} (mean of {part['calls']} instrumented calls, "
                f"{part['mean_ms']:.2f} ms): database {top}; outside the database "
                f"{part['outside_database_ms']:.2f} ms"
            )
        rss = report["peak_rss_mb"]
        out.append(
            f"peak RSS of the benchmark process: {fmt(rss['process'], 0)} MB (seeding people "
            f"{fmt(rss.get('people'), 0)} MB, measuring {fmt(rss.get('measuring'), 0)} MB, key "
            f"rotation {fmt(rss.get('key rotation'), 0)} MB)"
        )
        out.append(
            f"after rotation, a record opens with the old key no longer configured: "
            f"{rot['opens_without_old_key']}; audit chain intact: "
            f"{report['audit_chain']['intact']} ({report['audit_chain']['checked']:,} records)"
        )
        for key, _label, _target in ROWS:
            profile = report["measured"].get(key, {}).get("profile")
            if profile:
                out.append(f"profile of {key}: {profile['path']}")
    return "\n".join(out)


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--_helper":
        request = json.loads(sys.stdin.read() or "{}")
        print(json.dumps(helper_run(request), default=str))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument(
        "--consents", type=int, default=None, help="consents to load (default: people / 10)"
    )
    parser.add_argument("--opens", type=int, default=2000, help="measured opens of each kind")
    parser.add_argument("--lists", type=int, default=500, help="measured list pages")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="work in DIR and keep it (and the PostgreSQL database)")  # fmt: skip
    parser.add_argument(
        "--reuse", action="store_true",
        help="with --keep: measure the people an earlier --keep run left in DIR (same database "
        "kind) instead of loading new ones; each run rotates the key-encryption key again",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help="run the measured calls under cProfile; statistics go to <work>/<database>/profiles",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float, default=0, metavar="SECONDS",
        help="before each measurement, wait up to this long for other work on the machine to "
        "fall below a quarter of a core (default 0: do not wait)",
    )  # fmt: skip
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH",
        help="also write the figures as JSON (to PATH, or to stdout after the table)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.people < 1 or args.organizations < 2 or args.opens < 1 or args.lists < 1:
        parser.error("--people, --opens and --lists must be at least 1, --organizations 2")
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hearth-people-"))
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "people": args.people,
        "organizations": args.organizations,
        "opens": args.opens,
        "lists": args.lists,
        "breakdown_calls": BREAKDOWN_CALLS,
        "seed": args.seed,
        "warmup": WARMUP,
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
