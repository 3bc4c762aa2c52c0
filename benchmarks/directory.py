#!/usr/bin/env python
"""Benchmark of Hearth's shared service directory: search latency through a real server, the
ndjson export through the API, and the HSDS export/import commands.

    .venv/bin/python benchmarks/directory.py [--services 100000] [--seed 7]
        [--database sqlite|postgres|both] [--keep DIR] [--repeat 200] [--json [PATH]]

For each database it builds a fresh directory (fresh `HEARTH_DATA_DIR`, fresh database,
`hearth migrate`, `hearth generate-directory`, `hearth search-index rebuild`), starts gunicorn
with two workers, measures every query type through HTTP with one client at a time, measures
the same queries straight on the engine (`search.search_services` in a separate process set up
against the same data), streams `GET /api/hsds/services?format=ndjson` while sampling the
workers' memory, runs `hearth hsds-export` and imports that package into a second fresh
database with `hearth hsds-import`. It prints what it measured beside the targets; it never
asserts a timing. See benchmarks/README.md for what each figure means.

Progress goes to stderr; the table (and, with --json, the JSON document) to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from common import busy_ticks, git, log, percentile, psql

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HEARTH = str(BIN / "hearth")
GUNICORN = str(BIN / "gunicorn")
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None
PG_SERVER = "postgres://postgres@127.0.0.1:5432/"
PG_DATABASE = "hearth_bench"
PG_IMPORT_DATABASE = "hearth_bench_import"

# The targets from the issue (set for 100,000 services on SQLite).
TARGET_API_P50_MS = 20
TARGET_API_P95_MS = 50
TARGET_PAGE_P95_MS = 100
TARGET_NDJSON_S = 60
TARGET_NDJSON_RSS_MB = 300
TARGET_IMPORT_S = 180

PER_PAGE = 20
WARMUP = 10

# Candidate words; the probe counts their matches and the plan keeps the most and least common.
COMMON_CANDIDATES = [
    "help", "food", "shelter", "housing", "free", "legal", "counseling", "health", "rent",
    "support", "family", "emergency", "community", "comida", "refugio", "ayuda", "work",
    "youth", "violence", "immigration", "meals", "lawyer", "safe", "services",
]  # fmt: skip
RARE_CANDIDATES = [
    "beekeeping", "welding", "phlebotomy", "bankruptcy", "foreclosure", "acupuncture",
    "chiropractic", "doulas", "forklifts", "payroll", "notarization", "passports", "tampons",
    "mold", "pests", "chinches", "murales", "poesia", "knitting", "composting", "inhalers",
    "midwives", "eyeglasses", "propane", "firewood", "barista", "catering", "roofing",
]  # fmt: skip
MISSPELLED = [
    "sheltr", "counsleing", "comdia", "lawyr", "housng", "vilence", "emergancy", "immigation",
    "grocerys", "counciling", "refujio", "helth",
]  # fmt: skip
PAGE_LANGUAGES = ["es", "es", "es", "vi", "zh", "ar", "ru", "so"]


# =============================================================================================
# Helper processes: Django set up against the benchmark's data (the parent process cannot set
# Django up twice, once per database).


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()


def helper_probe(_request: dict) -> dict:
    """What the query plan needs from the data: words and how common they are, top-level
    taxonomy terms, postcodes and towns with the place each locates to."""
    _django()
    from hearth.directory import search, selectors
    from hearth.directory.models import Address, Service, TaxonomyTerm

    def total(**kwargs) -> int:
        return search.search_services(search.SearchQuery(limit=1, **kwargs)).total

    words = {w: total(text=w) for w in COMMON_CANDIDATES + RARE_CANDIDATES + MISSPELLED}
    terms = [
        {
            "id": str(t.id),
            "name": t.name,
            "code": t.code,
            "services": total(taxonomy_term_ids=[t.id]),
        }
        for t in TaxonomyTerm.objects.filter(parent__isnull=True).order_by("name")
    ]
    public = Address.objects.filter(
        location__is_confidential=False,
        location__latitude__isnull=False,
        location__longitude__isnull=False,
    )
    postcodes = sorted(set(public.exclude(postal_code="").values_list("postal_code", flat=True)))
    random.Random(1).shuffle(postcodes)
    towns = sorted(set(public.exclude(city="").values_list("city", flat=True)))

    def placed(texts):
        out = []
        for text in texts:
            place = selectors.locate_place(text)
            if place is not None:
                out.append({"text": text, "lat": place.latitude, "lon": place.longitude})
        return out

    return {
        "services": Service.objects.count(),
        "indexed": search.indexed_count(),
        "words": words,
        "terms": terms,
        "postcodes": placed(postcodes[:300]),
        "towns": placed(towns),
    }


def helper_engine(request: dict) -> dict:
    """Time `search.search_services` in-process for each query type of the plan."""
    _django()
    from uuid import UUID

    from django.utils import timezone

    from hearth.directory import search

    def build(spec: dict) -> search.SearchQuery:
        spec = dict(spec)
        if spec.pop("open_now", False):
            spec["open_at"] = timezone.now()
        if "taxonomy_term_ids" in spec:
            spec["taxonomy_term_ids"] = [UUID(t) for t in spec["taxonomy_term_ids"]]
        if "near" in spec:
            spec["near"] = tuple(spec["near"])
        if "facet_names" in spec:
            spec["facet_names"] = tuple(spec["facet_names"])
        return search.SearchQuery(**spec)

    search.search_services(search.SearchQuery(text="help"))  # open the index
    results = {}
    for key, specs in request["plan"].items():
        specs = [s for s in specs if s is not None]
        if not specs:
            continue
        for spec in specs[: request["warmup"]]:
            search.search_services(build(spec))
        samples, totals = [], []
        deadline = time.perf_counter() + request["budget"]
        for spec in specs:
            query = build(spec)
            started = time.perf_counter()
            result = search.search_services(query)
            samples.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
            if time.perf_counter() > deadline:
                break
        results[key] = {"samples_ms": samples, "mean_total": statistics.fmean(totals)}
    return results


def helper_count(_request: dict) -> dict:
    _django()
    from hearth.directory.models import Location, Organization, Service, TaxonomyTerm

    return {
        "services": Service.objects.count(),
        "organizations": Organization.objects.count(),
        "locations": Location.objects.count(),
        "taxonomy_terms": TaxonomyTerm.objects.count(),
    }


HELPERS = {"probe": helper_probe, "engine": helper_engine, "count": helper_count}


def call_helper(name: str, env: dict, request: dict, timeout: float = 3600) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--_helper", name],
        input=json.dumps(request),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helper {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# =============================================================================================
# Other work on the machine: the figures mean little if something else was busy meanwhile.

HZ = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (ppid, command name, CPU ticks used so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(fields[1]), name, int(fields[11]) + int(fields[12]))
    return found


def _ours(processes: dict) -> set[int]:
    ours, grew = {os.getpid()}, True
    while grew:
        grew = False
        for pid, (ppid, _name, _ticks) in processes.items():
            if ppid in ours and pid not in ours:
                ours.add(pid)
                grew = True
    return ours


POSTGRES_IS_OURS = False  # set while measuring on PostgreSQL


class CpuWatch:
    """How busy the machine was with work other than this benchmark (its process tree, and
    PostgreSQL while the benchmark runs on it), in cores, over a phase."""

    def __init__(self):
        import resource

        self._resource = resource
        self.started = time.perf_counter()
        self.busy = busy_ticks()
        self.processes = _processes()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.children = usage.ru_utime + usage.ru_stime

    def stop(self) -> dict:
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        busy = (busy_ticks() - self.busy) / HZ
        now = _processes()
        ours = _ours(now) | _ours(self.processes)
        mine = postgres = 0.0
        for pid, (_ppid, name, ticks) in now.items():
            delta = (ticks - self.processes.get(pid, (0, "", 0))[2]) / HZ
            if pid in ours:
                mine += delta
            elif name.startswith("postgres"):
                postgres += delta
        usage = self._resource.getrusage(self._resource.RUSAGE_CHILDREN)
        mine += usage.ru_utime + usage.ru_stime - self.children
        ours_total = mine + (postgres if POSTGRES_IS_OURS else 0.0)
        return {
            "other_cores": max(busy - ours_total, 0.0) / elapsed,
            "postgres_cores": postgres / elapsed,
            "benchmark_cores": mine / elapsed,
        }


QUIET_WAIT = 0.0  # set from --quiet-wait
QUIET_CORES = 0.25


def wait_quiet(what: str) -> None:
    """Wait (up to --quiet-wait seconds) until other work uses less than a quarter of a core."""
    if QUIET_WAIT <= 0:
        return
    deadline = time.perf_counter() + QUIET_WAIT
    while True:
        watch = CpuWatch()
        time.sleep(1)
        other = watch.stop()["other_cores"]
        if other < QUIET_CORES:
            return
        if time.perf_counter() > deadline:
            log(f"    still {other:.2f} cores busy elsewhere; measuring {what} anyway")
            return
        log(f"    {other:.2f} cores busy elsewhere; waiting before {what}")
        time.sleep(4)


# =============================================================================================
# Commands, timed


@dataclass
class Step:
    name: str
    seconds: float | None = None
    peak_rss_mb: float | None = None
    ok: bool = True
    note: str = ""
    other_cores: float | None = None


def run_step(name: str, argv: list[str], env: dict, logs: Path, timeout: float = 3600) -> Step:
    log(f"  {name}: {' '.join(argv[1:]) if argv[0] == HEARTH else ' '.join(argv)}")
    wait_quiet(name)
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
    time_file = log_file.with_suffix(".time")
    command = [GNU_TIME, "-v", "-o", str(time_file), *argv] if GNU_TIME else argv
    watch = CpuWatch()
    started = time.perf_counter()
    try:
        with log_file.open("w") as output:
            done = subprocess.run(
                command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                timeout=timeout,
            )  # fmt: skip
        code = done.returncode
    except subprocess.TimeoutExpired:
        return Step(
            name, time.perf_counter() - started, None, False, f"timed out after {timeout:.0f} s"
        )
    seconds = time.perf_counter() - started
    peak = None
    if GNU_TIME and time_file.exists():
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_file.read_text())
        peak = int(found.group(1)) / 1024 if found else None
    else:  # the largest child so far: an upper bound for this one
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    step = Step(name, seconds, peak, code == 0, other_cores=watch.stop()["other_cores"])
    if code != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-12:]
        step.note = f"exit {code}: " + " | ".join(line.strip() for line in tail)
        log(f"  {name} FAILED ({step.note[:400]})")
    else:
        log(f"  {name}: {seconds:.1f} s, peak RSS {peak or 0:.0f} MB")
    return step


PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]


def pg_exists(name: str) -> bool:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip() == "1"


def fresh_pg(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")


# =============================================================================================
# The server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, logs: Path, timeout: int | None = None):
        self.env, self.logs, self.timeout = env, logs, timeout
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        argv = [GUNICORN, "hearth.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        if self.timeout is not None:
            argv += ["--timeout", str(self.timeout)]
        self.logs.mkdir(parents=True, exist_ok=True)
        self.output = (self.logs / f"gunicorn-{self.port}.log").open("w")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, env=self.env, cwd=ROOT, stdout=self.output, stderr=subprocess.STDOUT
        )
        import urllib3

        pool = urllib3.HTTPConnectionPool("127.0.0.1", self.port, retries=False, timeout=2)
        while time.perf_counter() - started < 120:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited {self.process.returncode}; see {self.output.name}"
                )
            try:
                if pool.request("GET", "/healthz").status == 200 and len(self.workers()) >= 2:
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
            found = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(fields[1]) == pid:
                        found.append(int(entry.name))
            return found

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


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB; (0, 0) if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.M))
    return int(values.get("VmRSS", 0)), int(values.get("VmHWM", 0))


class MemorySampler(threading.Thread):
    """Samples the workers' memory every 50 ms (the worker list is re-read each time, so a
    worker the master replaces is followed)."""

    def __init__(self, server: Server, interval: float = 0.05):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.stopping = threading.Event()
        self.peak_rss_kb = 0
        self.peak_hwm_kb = 0
        self.samples = 0
        self.pids: set[int] = set()

    def run(self) -> None:
        while not self.stopping.is_set():
            for pid in self.server.workers():
                rss, hwm = memory_kb(pid)
                self.pids.add(pid)
                self.peak_rss_kb = max(self.peak_rss_kb, rss)
                self.peak_hwm_kb = max(self.peak_hwm_kb, hwm)
            self.samples += 1
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


# =============================================================================================
# The query plan


@dataclass
class QueryType:
    key: str
    label: str
    kind: str  # "api", "page" or "floor"
    engine_note: str = ""


QUERY_TYPES = [
    QueryType("floor_meta", "floor: GET /api/hsds/ (no database, no search)", "floor"),
    QueryType("text_common", "text, common word", "api"),
    QueryType("text_common_50", "text, common word, default per_page (50)", "api"),
    QueryType("text_rare", "text, rare word", "api"),
    QueryType("text_taxonomy", "text + top-level taxonomy term", "api"),
    QueryType("misspelled", "misspelled word", "api"),
    QueryType("page50", "page 50 of a broad query (per_page 20)", "api"),
    QueryType("sal_text", "service_at_locations, text (common word)", "api"),
    QueryType(
        "sal_near",
        "service_at_locations, postcode + proximity 5 km",
        "api",
        "the API answers this in SQL (bounding box), not with the engine",
    ),
    QueryType("sal_text_near", "service_at_locations, text + postcode + 5 km", "api"),
    QueryType("page_text_near", "search page: q + near town + 10 km", "page"),
    QueryType("page_text", "search page: q only", "page"),
    QueryType("page_category", "search page: category only", "page"),
    QueryType("page_open_language", "search page: open now + language", "page"),
    QueryType("page_misspelled", "search page: misspelled q", "page"),
]


def make_plan(probe: dict, repeat: int, seed: int) -> tuple[dict, dict]:
    """For each query type, `repeat` requests as (url, engine spec), varied from lists."""
    rng = random.Random(seed)
    services = max(probe["services"], 1)
    words = probe["words"]
    ranked = sorted(COMMON_CANDIDATES, key=lambda w: -words[w])
    common = ranked[:8]
    if "help" in ranked[:12] and "help" not in common:
        common[-1] = "help"
    rare = (
        sorted(
            [w for w in RARE_CANDIDATES if 0 < words[w] <= max(0.01 * services, 5)],
            key=lambda w: words[w],
        )[:8]
        or sorted(RARE_CANDIDATES, key=lambda w: words[w])[-8:]
    )
    misspelled = [w for w in MISSPELLED if words[w] > 0] or MISSPELLED
    broad = [w for w in ranked if words[w] >= 1000][:6] or ranked[:3]
    terms = [t for t in probe["terms"] if t["services"] > 0] or probe["terms"]
    postcodes = probe["postcodes"] or [{"text": "RV1 1AA", "lat": 45.5, "lon": -122.6}]
    towns = probe["towns"]

    def cycle(items):
        items = list(items)
        rng.shuffle(items)
        return [items[i % len(items)] for i in range(repeat + WARMUP)]

    def api(path, **params):
        return f"/api/hsds/{path}?{urlencode(params)}"

    def page(**params):
        return f"/find/?{urlencode(params)}"

    base = {"limit": PER_PAGE}
    plan: dict[str, list[tuple[str, dict | None]]] = {}
    plan["floor_meta"] = [("/api/hsds/", None)] * (repeat + WARMUP)
    plan["text_common"] = [
        (api("services", search=w, per_page=PER_PAGE), {**base, "text": w}) for w in cycle(common)
    ]
    plan["text_common_50"] = [
        (api("services", search=w), {"text": w, "limit": 50}) for w in cycle(common)
    ]
    plan["text_rare"] = [
        (api("services", search=w, per_page=PER_PAGE), {**base, "text": w}) for w in cycle(rare)
    ]
    pairs = cycle([(w, t) for w in common for t in terms])
    plan["text_taxonomy"] = [
        (
            api("services", search=w, taxonomy_term_id=t["id"], per_page=PER_PAGE),
            {**base, "text": w, "taxonomy_term_ids": [t["id"]]},
        )
        for w, t in pairs
    ]
    plan["misspelled"] = [
        (api("services", search=w, per_page=PER_PAGE), {**base, "text": w})
        for w in cycle(misspelled)
    ]
    plan["page50"] = [
        (
            api("services", search=w, page=50, per_page=PER_PAGE),
            {"text": w, "offset": 49 * PER_PAGE, "limit": PER_PAGE},
        )
        for w in cycle(broad)
    ]
    # The service_at_locations engine figure is a plain top-20 text search: the API counts the
    # matches in the engine and asks it which of a batch of services (in name order) match,
    # rather than listing every match.
    plan["sal_text"] = [
        (api("service_at_locations", search=w, per_page=PER_PAGE), {**base, "text": w})
        for w in cycle(common)
    ]
    plan["sal_near"] = [
        (
            api("service_at_locations", postcode=p["text"], proximity=5000, per_page=PER_PAGE),
            {**base, "near": [p["lat"], p["lon"]], "radius_m": 5000, "sort": "distance"},
        )
        for p in cycle(postcodes)
    ]
    plan["sal_text_near"] = [
        (
            api("service_at_locations", search=w, postcode=p["text"], proximity=5000,
                per_page=PER_PAGE),
            {**base, "text": w, "near": [p["lat"], p["lon"]], "radius_m": 5000},
        )
        for w, p in cycle([(w, p) for w in common for p in postcodes[:40]])
    ]  # fmt: skip
    page_base = {
        "limit": PER_PAGE,
        "status": "active",
        "facets": True,
        "facet_names": ["language"],
    }
    plan["page_text_near"] = [
        (
            page(q=w, near=town["text"], radius=10),
            {**page_base, "text": w, "near": [town["lat"], town["lon"]], "radius_m": 10_000},
        )
        for w, town in cycle([(w, t) for w in common for t in towns])
    ]
    plan["page_text"] = [(page(q=w), {**page_base, "text": w}) for w in cycle(common + rare)]
    plan["page_category"] = [
        (page(category=t["id"]), {**page_base, "taxonomy_term_ids": [t["id"]]})
        for t in cycle(terms)
    ]
    plan["page_open_language"] = [
        (
            page(open_now="on", language=lang),
            {**page_base, "open_now": True, "languages": [lang]},
        )
        for lang in cycle(PAGE_LANGUAGES)
    ]
    plan["page_misspelled"] = [(page(q=w), {**page_base, "text": w}) for w in cycle(misspelled)]
    chosen = {
        "common_words": {w: words[w] for w in common},
        "rare_words": {w: words[w] for w in rare},
        "misspelled_words": {w: words[w] for w in misspelled},
        "broad_words": {w: words[w] for w in broad},
        "top_level_terms": {t["name"]: t["services"] for t in terms},
        "postcodes": len(postcodes),
        "towns": len(towns),
    }
    return plan, chosen


# =============================================================================================
# Measuring through HTTP


def measure_http(port: int, plan: dict, repeat: int, budget: float) -> dict:
    import urllib3

    pool = urllib3.HTTPConnectionPool(
        "127.0.0.1", port, maxsize=1, retries=False, timeout=urllib3.Timeout(connect=5, read=300)
    )
    results = {}
    for qt in QUERY_TYPES:
        requests = plan[qt.key]
        log(f"  HTTP {qt.key}: {requests[WARMUP][0]}")
        errors: list[str] = []
        wait_quiet(qt.key)
        for url, _spec in requests[:WARMUP]:
            try:
                pool.request("GET", url)
            except Exception as error:
                errors.append(f"warm-up: {error}")
        samples, sizes, totals = [], [], []
        watch = CpuWatch()
        deadline = time.perf_counter() + budget
        for url, _spec in requests[WARMUP : WARMUP + repeat]:
            started = time.perf_counter()
            try:
                response = pool.request("GET", url)
            except Exception as error:
                errors.append(f"{url}: {error}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                errors.append(f"{url}: HTTP {response.status} {response.data[:200]!r}")
                continue
            samples.append(elapsed)
            sizes.append(len(response.data))
            if qt.kind == "api":
                with contextlib.suppress(ValueError, KeyError):
                    totals.append(json.loads(response.data)["total_items"])
            if time.perf_counter() > deadline:
                break
        results[qt.key] = {
            "samples_ms": samples,
            "cpu": watch.stop(),
            "errors": len(errors),
            "first_errors": errors[:3],
            "mean_bytes": statistics.fmean(sizes) if sizes else None,
            "mean_total": statistics.fmean(totals) if totals else None,
        }
        if errors:
            log(f"    {len(errors)} errors, e.g. {errors[0][:300]}")
        if samples:
            log(
                f"    n={len(samples)} p50 {percentile(samples, 0.5):.1f} ms "
                f"p95 {percentile(samples, 0.95):.1f} ms; other work "
                f"{results[qt.key]['cpu']['other_cores']:.2f} cores"
            )
    return results


NDJSON = {
    "ndjson": ("/api/hsds/services?format=ndjson", "ndjson via API"),
    "ndjson_full": ("/api/hsds/services?format=ndjson&full=true", "ndjson via API, full=true"),
}


def measure_ndjson(server: Server, expected: int, path: str) -> dict:
    import urllib3

    pool = urllib3.HTTPConnectionPool(
        "127.0.0.1", server.port, retries=False, timeout=urllib3.Timeout(connect=5, read=900)
    )
    wait_quiet(path)
    baseline = {pid: memory_kb(pid) for pid in server.workers()}
    sampler = MemorySampler(server)
    sampler.start()
    watch = CpuWatch()
    started = time.perf_counter()
    first_byte = None
    lines = 0
    size = 0
    error = ""
    try:
        response = pool.request("GET", path, preload_content=False)
        status = response.status
        for block in response.stream(256 * 1024):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            lines += block.count(b"\n")
            size += len(block)
        response.release_conn()
    except Exception as error_:
        status = None
        error = f"{type(error_).__name__}: {error_}"
    seconds = time.perf_counter() - started
    sampler.stop()
    result = {
        "path": path,
        "seconds": seconds,
        "other_cores": watch.stop()["other_cores"],
        "first_byte_s": first_byte,
        "lines": lines,
        "expected_lines": expected,
        "complete": lines == expected and not error,
        "bytes": size,
        "status": status,
        "error": error,
        "peak_rss_mb": sampler.peak_rss_kb / 1024,
        "peak_hwm_mb": sampler.peak_hwm_kb / 1024,
        "baseline_rss_mb": max((rss for rss, _ in baseline.values()), default=0) / 1024,
        "samples": sampler.samples,
        "gunicorn_timeout": server.timeout,
    }
    log(
        f"  {path}: {seconds:.1f} s, {lines:,} lines of {expected:,}, peak worker RSS "
        f"{result['peak_rss_mb']:.0f} MB (before {result['baseline_rss_mb']:.0f} MB) {error}"
    )
    return result


# =============================================================================================
# One database


def summarize(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50_ms": percentile(samples, 0.5),
        "p95_ms": percentile(samples, 0.95),
        "max_ms": max(samples) if samples else None,
    }


def run_database(database: str, args, work: Path) -> dict:
    log(f"=== {database}: {args.services:,} services, seed {args.seed} in {work}")
    global POSTGRES_IS_OURS
    POSTGRES_IS_OURS = database == "postgres"
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    data_dir = work / "data"
    reuse = args.reuse and (data_dir / "search-index" / "meta.json").exists()
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
        "HEARTH_SECURE_COOKIES": "false",
        "HEARTH_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "hearth.settings",
        "HEARTH_LOG_LEVEL": "WARNING",
    }
    env.pop("HEARTH_DEBUG", None)
    env.pop("HEARTH_SEARCH_INDEX_DIR", None)
    env.pop("DATABASE_URL", None)
    if database == "postgres":
        if not reuse:
            fresh_pg(PG_DATABASE)
        env["DATABASE_URL"] = PG_SERVER + PG_DATABASE
    report: dict = {"database": database, "services": args.services, "seed": args.seed}
    report["reused"] = reuse
    steps: list[Step] = []
    report["setup"] = steps

    def step(name, argv, environment=env, timeout=3600):
        result = run_step(name, argv, environment, logs, timeout)
        steps.append(result)
        return result

    setup = () if reuse else (
        ("migrate", [HEARTH, "migrate", "--no-input"]),
        ("collectstatic", [HEARTH, "collectstatic", "--no-input", "--verbosity", "0"]),
        ("generate-directory", [HEARTH, "generate-directory", "--services", str(args.services),
                                "--seed", str(args.seed)]),
        ("search-index rebuild", [HEARTH, "search-index", "rebuild"]),
    )  # fmt: skip
    if reuse:
        log("  reusing the directory already built there (--reuse): no setup step is timed")
    for name, argv in setup:
        if not step(name, argv).ok:
            report["aborted"] = f"{name} failed"
            return report

    if database == "postgres":
        # This server may run without autovacuum (CI settings): without statistics the planner
        # chooses sequential scans that a production server, which analyzes after a bulk load,
        # would not. Analyze as autovacuum would have.
        step("ANALYZE", [*PSQL, "-d", PG_DATABASE, "-c", "ANALYZE"])
    log("  probing the data for the query plan")
    probe = call_helper("probe", env, {})
    report["counts"] = {"services": probe["services"], "indexed": probe["indexed"]}
    if reuse and probe["services"] != args.services:
        log(f"  note: the reused directory holds {probe['services']:,} services")
    plan, chosen = make_plan(probe, args.repeat, args.seed)
    report["chosen"] = chosen
    log(f"  common words {chosen['common_words']}")
    log(f"  rare words {chosen['rare_words']}")
    log(f"  misspelled {chosen['misspelled_words']}")

    log("  engine, in-process")
    engine_plan = {
        key: [spec for _url, spec in items[: WARMUP + args.repeat]]
        for key, items in plan.items()
        if key != "floor_meta"
    }
    wait_quiet("the engine")
    watch = CpuWatch()
    engine = call_helper(
        "engine", env, {"plan": engine_plan, "warmup": WARMUP, "budget": args.budget}
    )
    report["engine_other_cores"] = watch.stop()["other_cores"]

    server = Server(env, logs)
    try:
        report["server_start_s"] = server.start()
        log(f"  gunicorn on port {server.port}, workers {server.workers()}")
        http = measure_http(server.port, plan, args.repeat, args.budget)
        report["worker_rss_after_queries_mb"] = (
            max((memory_kb(p)[0] for p in server.workers()), default=0) / 1024
        )
        queries = []
        for qt in QUERY_TYPES:
            h = http[qt.key]
            e = engine.get(qt.key, {"samples_ms": [], "mean_total": None})
            row = {
                "key": qt.key,
                "label": qt.label,
                "kind": qt.kind,
                "http": summarize(h["samples_ms"]),
                "engine": summarize(e["samples_ms"]),
                "other_cores": h["cpu"]["other_cores"],
                "postgres_cores": h["cpu"]["postgres_cores"],
                "errors": h["errors"],
                "first_errors": h["first_errors"],
                "mean_bytes": h["mean_bytes"],
                "mean_total_http": h["mean_total"],
                "mean_total_engine": e["mean_total"],
                "engine_note": qt.engine_note,
            }
            hp50, ep50 = row["http"]["p50_ms"], row["engine"]["p50_ms"]
            row["ratio_p50"] = hp50 / ep50 if hp50 and ep50 else None
            row["targets"] = targets_for(row)
            queries.append(row)
        report["queries"] = queries

        log("  ndjson export through the API")
        for key, (path, _title) in NDJSON.items():
            report[key] = measure_ndjson(server, probe["services"], path)
    finally:
        server.stop()
    cut = [k for k in NDJSON if not report[k]["complete"] and report[k]["seconds"] >= 25]
    if cut:
        log("  a stream was cut off: measuring again with gunicorn --timeout 0 (no limit)")
        unlimited = Server(env, logs, timeout=0)
        try:
            unlimited.start()
            for key in cut:
                report[f"{key}_no_timeout"] = measure_ndjson(
                    unlimited, probe["services"], NDJSON[key][0]
                )
        finally:
            unlimited.stop()

    export_dir = work / "export"
    shutil.rmtree(export_dir, ignore_errors=True)
    export = step("hsds-export", [HEARTH, "hsds-export", str(export_dir)])
    if export.ok:
        report["export_bytes"] = sum(p.stat().st_size for p in export_dir.iterdir())
        import_env = dict(env)
        import_data = work / "import-data"
        shutil.rmtree(import_data, ignore_errors=True)
        import_data.mkdir()
        import_env["HEARTH_DATA_DIR"] = str(import_data)
        if database == "postgres":
            fresh_pg(PG_IMPORT_DATABASE)
            import_env["DATABASE_URL"] = PG_SERVER + PG_IMPORT_DATABASE
        if step("import: migrate", [HEARTH, "migrate", "--no-input"], import_env).ok:
            imported = step(
                "hsds-import", [HEARTH, "hsds-import", str(export_dir)], import_env, timeout=5400
            )
            if imported.ok:
                report["imported_counts"] = call_helper("count", import_env, {})
    report["source_counts"] = call_helper("count", env, {})
    return report


def targets_for(row: dict) -> list[dict]:
    if row["kind"] == "floor":
        return []
    http = row["http"]
    checks = []
    if row["kind"] == "api":
        checks.append(("p50", http["p50_ms"], TARGET_API_P50_MS))
        checks.append(("p95", http["p95_ms"], TARGET_API_P95_MS))
    else:
        checks.append(("p95", http["p95_ms"], TARGET_PAGE_P95_MS))
    return [
        {"what": what, "value": value, "target": target,
         "met": (value is not None and value <= target and not row["errors"])}
        for what, value, target in checks
    ]  # fmt: skip


# =============================================================================================
# Printing


def fmt(value, digits=1, unit=""):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def mark(met: bool) -> str:
    return "met" if met else "NOT MET"


def render(results: list[dict], meta: dict) -> str:
    out = []
    out.append(
        f"Hearth directory benchmark — {meta['date']} — {meta['machine']} — "
        f"{meta['services']:,} services, seed {meta['seed']}, {meta['repeat']} requests per "
        f"query type after {WARMUP} warm-up, one client"
    )
    changed = ", ".join(line[3:] for line in meta["changed_files"]) or "none"
    out.append(f"Code: commit {meta['commit']}; uncommitted changes in: {changed}")
    out.append(
        f"Targets (issue; set for 100,000 services on SQLite): API search p50 ≤ "
        f"{TARGET_API_P50_MS} ms and p95 ≤ {TARGET_API_P95_MS} ms; search page p95 ≤ "
        f"{TARGET_PAGE_P95_MS} ms; ndjson export ≤ {TARGET_NDJSON_S} s with worker peak RSS ≤ "
        f"{TARGET_NDJSON_RSS_MB} MB; hsds-import ≤ {TARGET_IMPORT_S // 60} minutes."
    )
    for report in results:
        db = report["database"]
        out.append("")
        out.append(f"## {db}")
        out.append("")
        out.append(f"{'step':<24} {'seconds':>9} {'peak RSS MB':>12} {'other':>6}  note")
        for s in report["setup"]:
            out.append(
                f"{s.name:<24} {fmt(s.seconds):>9} {fmt(s.peak_rss_mb, 0):>12} "
                f"{fmt(s.other_cores, 2):>6}  {'' if s.ok else 'FAILED ' + s.note[:300]}"
            )
        if report.get("reused"):
            out.append("(directory reused from an earlier run: setup steps not timed)")
        if report.get("aborted"):
            out.append(f"aborted: {report['aborted']}")
            continue
        out.append("")
        header = (
            f"{'query (per_page 20 unless said)':<48} {'n':>4} {'HTTP p50':>9} {'HTTP p95':>9} "
            f"{'eng p50':>8} {'eng p95':>8} {'x p50':>6} {'results':>8} {'other':>6}  "
            f"target → met?"
        )
        out.append(header)
        out.append("-" * len(header))
        for q in report["queries"]:
            targets = "; ".join(
                f"{t['what']} ≤ {t['target']} → {mark(t['met'])}" for t in q["targets"]
            )
            total = (
                q["mean_total_http"] if q["mean_total_http"] is not None else q["mean_total_engine"]
            )
            errors = (
                f"  ({q['errors']} errors: {q['first_errors'][0][:160]})" if q["errors"] else ""
            )
            out.append(
                f"{q['label']:<48} {q['http']['n']:>4} {fmt(q['http']['p50_ms']):>9} "
                f"{fmt(q['http']['p95_ms']):>9} {fmt(q['engine']['p50_ms'], 2):>8} "
                f"{fmt(q['engine']['p95_ms'], 2):>8} {fmt(q['ratio_p50'], 0):>6} "
                f"{fmt(total, 0):>8} {fmt(q['other_cores'], 2):>6}  {targets}{errors}"
            )
        out.append(
            "(ms; x p50 = HTTP p50 / engine p50, the cost of everything around the search; "
            "results = mean total matches; other = cores busy with work outside this benchmark "
            f"while measuring; engine phase: {fmt(report.get('engine_other_cores'), 2)})"
        )
        for q in report["queries"]:
            if q["engine_note"]:
                out.append(
                    f"note, {q['label']}: engine figure only for comparison; {q['engine_note']}"
                )
        out.append("")
        titles = [(key, title) for key, (_path, title) in NDJSON.items()]
        titles += [(f"{key}_no_timeout", f"{title}, gunicorn --timeout 0") for key, title in titles]
        for key, title in titles:
            n = report.get(key)
            if not n:
                continue
            out.append(
                f"{title}: {fmt(n['seconds'])} s (first byte {fmt(n['first_byte_s'], 2)} s), "
                f"{n['lines']:,} of {n['expected_lines']:,} lines, {fmt(n['bytes'] / 1e6, 0)} MB; "
                f"worker peak RSS {fmt(n['peak_rss_mb'], 0)} MB (VmHWM {fmt(n['peak_hwm_mb'], 0)}"
                f" MB; {fmt(n['baseline_rss_mb'], 0)} MB before); other "
                f"{fmt(n['other_cores'], 2)} cores" + (f"; {n['error']}" if n["error"] else "")
            )
            out.append(
                f"    time ≤ {TARGET_NDJSON_S} s → "
                f"{mark(n['complete'] and n['seconds'] <= TARGET_NDJSON_S)}; "
                f"RSS ≤ {TARGET_NDJSON_RSS_MB} MB → "
                f"{mark(n['complete'] and n['peak_rss_mb'] <= TARGET_NDJSON_RSS_MB)}"
                + ("" if n["complete"] else "  (stream incomplete)")
            )
        steps = {s.name: s for s in report["setup"]}
        if "hsds-export" in steps:
            s = steps["hsds-export"]
            out.append(
                f"hsds-export: {fmt(s.seconds)} s, peak RSS {fmt(s.peak_rss_mb, 0)} MB, "
                f"{fmt((report.get('export_bytes') or 0) / 1e6, 0)} MB written"
                + ("" if s.ok else f"  FAILED: {s.note[:400]}")
            )
        if "hsds-import" in steps:
            s = steps["hsds-import"]
            counts = report.get("imported_counts")
            source = report.get("source_counts")
            out.append(
                f"hsds-import into a fresh database: {fmt(s.seconds)} s, peak RSS "
                f"{fmt(s.peak_rss_mb, 0)} MB; ≤ {TARGET_IMPORT_S} s → "
                f"{mark(s.ok and s.seconds <= TARGET_IMPORT_S)}"
                + ("" if s.ok else f"  FAILED: {s.note[:600]}")
            )
            if counts:
                out.append(f"    imported {counts}; source {source}")
    return "\n".join(out)


def to_json(results: list[dict], meta: dict) -> str:
    def convert(value):
        if isinstance(value, Step):
            return asdict(value)
        raise TypeError(type(value))

    slim = []
    for report in results:
        report = dict(report)
        slim.append(report)
    return json.dumps({"meta": meta, "results": slim}, default=convert, indent=2)


# =============================================================================================


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--_helper":
        request = json.loads(sys.stdin.read() or "{}")
        print(json.dumps(HELPERS[sys.argv[2]](request)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--keep", metavar="DIR", type=Path,
                        help="work in DIR and keep it (and the PostgreSQL databases)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=200, help="requests per query type")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: measure the directory a previous --keep run left in DIR (same "
        "database kind) instead of building a new one; setup steps are then not timed",
    )
    parser.add_argument(
        "--budget", type=float, default=60.0,
        help="stop a query type after this many seconds of measuring (default 60)",
    )  # fmt: skip
    parser.add_argument(
        "--json", nargs="?", const="-", metavar="PATH",
        help="also write the figures as JSON (to PATH, or to stdout after the table)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each measurement, wait up to this long for other work on the machine to "
        "fall below a quarter of a core (default 0: do not wait)",
    )
    args = parser.parse_args()
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")
    global QUIET_WAIT
    QUIET_WAIT = args.quiet_wait
    if args.repeat < 1 or args.services < 1:
        parser.error("--repeat and --services must be at least 1")

    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    root = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        "services": args.services,
        "seed": args.seed,
        "repeat": args.repeat,
        "per_page": PER_PAGE,
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
                results.append({"database": database, "setup": [], "aborted": repr(error)})
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
            if "postgres" in databases:
                for name in (PG_DATABASE, PG_IMPORT_DATABASE):
                    try:
                        psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                    except subprocess.CalledProcessError as error:
                        log(f"could not drop {name}: {error.stderr}")
    print(render(results, meta))
    if args.json:
        document = to_json(results, meta)
        if args.json == "-":
            print()
            print(document)
        else:
            Path(args.json).write_text(document + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
