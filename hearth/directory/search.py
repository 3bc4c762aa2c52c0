"""Directory search: one interface, `search_services(query)`, over an embedded tantivy index.

Why tantivy: at 100,000 services a common word matches thousands of documents; SQLite FTS5 must
score every match before it can sort (about 29 ms for one word on this class of machine),
tantivy's top-k BM25 stays under a millisecond (REFERENCES §1). The index lives in
`HEARTH_SEARCH_INDEX_DIR` (default `$HEARTH_DATA_DIR/search-index`), is rebuilt from the
database with `hearth search-index rebuild`, and is updated after every directory change.

One document per service. Besides the text (indexed with English and Spanish stemming, and
plainly for one-typo tolerance), each document carries the filters as exact terms:

- taxonomy: every term linked to the service *and all its ancestors*, so asking for a parent
  term finds its children;
- open: the half-hour slots of the week, in UTC, when any of its schedules is open (HSDS 3.0
  gives each schedule a UTC offset), so "open now" is one term lookup;
- cell: grid cells around each location, so "near" is a term-set lookup, followed by an exact
  distance check on up to three points per service held in fast fields;
- language codes, free of cost, capacity, accessibility, status, organization, ages, modified.

Confidential locations hold only coarse coordinates (see `services.location_make_confidential`),
so they can only ever be found coarsely, and no address of theirs is indexed.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import tantivy
from django.conf import settings
from django.db.models import Prefetch

from .models import Attribute, Schedule, Service, ServiceAtLocation, TaxonomyTerm

SLOTS_PER_DAY = 48  # half hours
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
CELL_DEGREES = 0.05  # about 5.5 km of latitude
MAX_POINTS = 3
EARTH_RADIUS_M = 6_371_000
UNBOUNDED_AGE = 200


class SearchError(ValueError):
    """A query the engine cannot answer: names the parameter at fault."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass
class SearchQuery:
    text: str = ""
    taxonomy_term_ids: list[UUID] = field(default_factory=list)
    taxonomy_id: UUID | None = None
    organization_id: UUID | None = None
    languages: list[str] = field(default_factory=list)
    free_only: bool = False
    accepting_only: bool = False
    accessible_only: bool = False
    open_at: datetime | None = None
    age: int | None = None
    near: tuple[float, float] | None = None
    radius_m: float = 10_000
    modified_after: datetime | None = None
    status: str | None = None
    sort: str = "relevance"  # or "distance" (needs `near`)
    offset: int = 0
    limit: int = 20
    facets: bool = False
    # With `facets`: which of FACET_FIELDS to count (None: all). Each costs a pass over the
    # matches, a few milliseconds for a common word at 100,000 services.
    facet_names: tuple[str, ...] | None = None


@dataclass
class SearchResult:
    ids: list[UUID]
    total: int
    distances: dict[UUID, float] = field(default_factory=dict)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Text analysis


def _analyzer(stemmer: str | None, stopwords: str | None = None) -> tantivy.TextAnalyzer:
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stopwords:
        builder = builder.filter(tantivy.Filter.stopword(stopwords))
    if stemmer:
        builder = builder.filter(tantivy.Filter.stemmer(stemmer))
    return builder.build()


ANALYZERS = {
    "hearth_en": _analyzer("english"),
    "hearth_es": _analyzer("spanish"),
    "hearth_plain": _analyzer(None),
}
QUERY_EN = _analyzer("english", "english")
QUERY_ES = _analyzer("spanish", "spanish")


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c)
    )


# ---------------------------------------------------------------------------------------------
# The index


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text_en", tokenizer_name="hearth_en", index_option="freq")
    builder.add_text_field("text_es", tokenizer_name="hearth_es", index_option="freq")
    builder.add_text_field("text_plain", tokenizer_name="hearth_plain", index_option="basic")
    for name in ("taxonomy", "taxonomy_root", "language", "flag", "status", "organization"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("open", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("cell", tokenizer_name="raw", index_option="basic")
    for n in range(MAX_POINTS):
        builder.add_float_field(f"lat{n}", fast=True)
        builder.add_float_field(f"lon{n}", fast=True)
    builder.add_integer_field("min_age", fast=True, indexed=True)
    builder.add_integer_field("max_age", fast=True, indexed=True)
    builder.add_integer_field("modified", fast=True, indexed=True)
    # How many service_at_location rows the service has: the service_at_locations API counts
    # its results by summing this over the matching services, without listing them.
    builder.add_integer_field("locations", fast=True)
    return builder.build()


SCHEMA = _schema()
_lock = threading.Lock()
_index: tantivy.Index | None = None
_index_path: Path | None = None
_index_version: float = 0.0


class IndexOutdated(RuntimeError):
    """The index on disk was built with another schema (an earlier version of Hearth)."""


def index_dir() -> Path:
    configured = getattr(settings, "HEARTH_SEARCH_INDEX_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "search-index"


def _open(create: bool = False) -> tantivy.Index:
    global _index, _index_path, _index_version
    path = index_dir()
    with _lock:
        if _index is None or _index_path != path:
            path.mkdir(parents=True, exist_ok=True)
            if not create and not tantivy.Index.exists(str(path)):
                create = True
            try:
                index = tantivy.Index(SCHEMA, path=str(path), reuse=not create)
            except ValueError as error:
                if "schema does not match" not in str(error):
                    raise
                raise IndexOutdated(
                    f"The search index in {path} was built by an earlier version of Hearth: "
                    "run `hearth search-index rebuild`."
                ) from error
            for name, analyzer in ANALYZERS.items():
                index.register_tokenizer(name, analyzer)
            _index, _index_path, _index_version = index, path, 0.0
        meta = path / "meta.json"
        version = meta.stat().st_mtime if meta.exists() else 0.0
        if version != _index_version:
            # Another process (a web worker, an import) committed: see its documents.
            _index.reload()
            _index_version = version
        return _index


def reset() -> None:
    """Forget the open index (tests point each test at its own folder)."""
    global _index, _index_path
    with _lock:
        _index, _index_path = None, None


# ---------------------------------------------------------------------------------------------
# Building documents


def week_slots(schedule: Schedule) -> set[int]:
    """Half-hour slots of the week (0 = Monday 00:00 UTC) during which a schedule is open."""
    if schedule.freq and schedule.freq != Schedule.Freq.WEEKLY:
        return set()
    days = [d.strip().upper()[-2:] for d in schedule.byday.split(",") if d.strip()]
    day_numbers = [DAYS.index(d) for d in days if d in DAYS] or (
        list(range(7)) if not schedule.byday else []
    )
    if schedule.opens_at is None or schedule.closes_at is None:
        return set()
    opens = schedule.opens_at.hour * 2 + schedule.opens_at.minute // 30
    closes = schedule.closes_at.hour * 2 + math.ceil(schedule.closes_at.minute / 30)
    if closes <= opens:  # open past midnight, or round the clock when equal
        closes += SLOTS_PER_DAY
    shift = -round((schedule.timezone or 0) * 2)
    week = 7 * SLOTS_PER_DAY
    return {
        (day * SLOTS_PER_DAY + slot + shift) % week
        for day in day_numbers
        for slot in range(opens, closes)
    }


def is_free_of_cost(service: Service) -> bool:
    """What the "Free of cost" filter means: a cost option that is free (`CostOption.is_free`),
    or HSDS 2's `fees` saying "free" or "none". A service with no cost options is not assumed
    free. The listing pages use this too, so what keepers are told matches what search does."""
    return any(option.is_free for option in service.cost_options.all()) or (
        service.fees or ""
    ).strip().lower() in {"free", "none"}


def _cells(latitude: float, longitude: float) -> list[str]:
    return [f"{math.floor(latitude / CELL_DEGREES)}:{math.floor(longitude / CELL_DEGREES)}"]


def _term_ancestors() -> dict[UUID, list[str]]:
    parents = dict(TaxonomyTerm.objects.values_list("id", "parent_id"))
    result = {}
    for term_id in parents:
        chain, current = [], term_id
        while current is not None and str(current) not in chain:
            chain.append(str(current))
            current = parents.get(current)
        result[term_id] = chain
    return result


def services_for_indexing(ids: Iterable[UUID] | None = None):
    schedules = Schedule.objects.only(
        "service_id",
        "location_id",
        "service_at_location_id",
        "freq",
        "byday",
        "opens_at",
        "closes_at",
        "timezone",
    )
    queryset = Service.objects.select_related("organization").prefetch_related(
        "languages",
        "cost_options",
        Prefetch("schedules", queryset=schedules),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch("schedules", queryset=schedules),
                Prefetch("location__schedules", queryset=schedules),
                "location__languages",
                "location__accessibility",
            ),
        ),
    )
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset


def _service_terms(service_ids: list[UUID]) -> dict[UUID, set[UUID]]:
    links: dict[UUID, set[UUID]] = {}
    rows = Attribute.objects.filter(link_entity="service", link_id__in=service_ids).values_list(
        "link_id", "taxonomy_term_id"
    )
    for link_id, term_id in rows:
        links.setdefault(link_id, set()).add(term_id)
    return links


def build_document(
    service: Service,
    term_ids: set[UUID],
    ancestors: dict[UUID, list[str]],
    term_roots: dict[UUID, str],
) -> tantivy.Document:
    organization = service.organization
    text = " ".join(
        part
        for part in (
            service.name,
            service.name,  # the name counts twice: it says most about the service
            service.alternate_name,
            service.description,
            service.eligibility_description,
            organization.name if organization else "",
        )
        if part
    )
    taxonomy = sorted({a for term in term_ids for a in ancestors.get(term, [str(term)])})
    languages = {lang.code.lower() for lang in service.languages.all() if lang.code}
    flags = []
    if is_free_of_cost(service):
        flags.append("free")
    if service.capacity_status:
        flags.append(f"capacity:{service.capacity_status}")
    slots: set[int] = set()
    for schedule in service.schedules.all():
        slots |= week_slots(schedule)
    points: list[tuple[float, float]] = []
    cells: set[str] = set()
    service_at_locations = service.service_at_locations.all()
    for sal in service_at_locations:
        location = sal.location
        for schedule in list(sal.schedules.all()) + list(location.schedules.all()):
            slots |= week_slots(schedule)
        languages |= {lang.code.lower() for lang in location.languages.all() if lang.code}
        if location.accessibility.all():
            flags.append("accessible")
        if location.latitude is not None and location.longitude is not None:
            points.append((location.latitude, location.longitude))
            cells.update(_cells(location.latitude, location.longitude))
    values: dict[str, object] = {
        "id": str(service.id),
        "text_en": text,
        "text_es": text,
        "text_plain": text,
        "taxonomy": taxonomy,
        "taxonomy_root": sorted({term_roots[t] for t in term_ids if t in term_roots}),
        "language": sorted(languages),
        "flag": sorted(set(flags)),
        "status": service.status,
        "organization": str(service.organization_id or ""),
        "open": [str(slot) for slot in sorted(slots)],
        "cell": sorted(cells),
        "min_age": service.minimum_age if service.minimum_age is not None else 0,
        "max_age": service.maximum_age if service.maximum_age is not None else UNBOUNDED_AGE,
        "modified": int(service.last_modified.timestamp()),
        "locations": len(service_at_locations),
    }
    for n in range(MAX_POINTS):
        lat, lon = points[n] if n < len(points) else (math.nan, math.nan)
        values[f"lat{n}"] = lat
        values[f"lon{n}"] = lon
    return tantivy.Document(**{k: v for k, v in values.items() if v not in ("", [])})


def _documents(services: Iterable[Service], batch: int = 2000) -> Iterator[tantivy.Document]:
    ancestors = _term_ancestors()
    term_roots = dict(TaxonomyTerm.objects.values_list("id", "taxonomy_id"))
    term_roots = {k: str(v) for k, v in term_roots.items() if v}
    chunk: list[Service] = []

    def flush(items):
        links = _service_terms([s.id for s in items])
        for item in items:
            yield build_document(item, links.get(item.id, set()), ancestors, term_roots)

    for service in services:
        chunk.append(service)
        if len(chunk) >= batch:
            yield from flush(chunk)
            chunk = []
    if chunk:
        yield from flush(chunk)


def _writer(index: tantivy.Index) -> tantivy.IndexWriter:
    return index.writer(heap_size=128_000_000, num_threads=1)


def rebuild() -> int:
    """Index every service from scratch. Returns how many were indexed. An index built by an
    earlier version of Hearth (another schema) is replaced."""
    try:
        index = _open()
    except IndexOutdated:
        index = _open(create=True)
    writer = _writer(index)
    writer.delete_all_documents()
    count = 0
    for document in _documents(services_for_indexing().iterator(chunk_size=2000)):
        writer.add_document(document)
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    _open()
    return count


def update_services(ids: Iterable[UUID]) -> None:
    """Re-index the given services (deleted ones drop out of the index)."""
    ids = [UUID(str(i)) for i in ids]
    if not ids:
        return
    index = _open()
    writer = _writer(index)
    for service_id in ids:
        writer.delete_documents_by_term("id", str(service_id))
    for document in _documents(services_for_indexing(ids)):
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    _open()


def indexed_count() -> int:
    return _open().searcher().num_docs


# ---------------------------------------------------------------------------------------------
# Querying


def _words(text: str) -> list[str]:
    return [token for token in ANALYZERS["hearth_plain"].analyze(text)][:12]


def _text_query(text: str) -> tantivy.Query | None:
    """Every word must match, in English or Spanish (stemmed), or with one typo."""
    word_queries = []
    for word in _words(text):
        english = QUERY_EN.analyze(word)
        spanish = QUERY_ES.analyze(word)
        if not english and not spanish:
            continue  # a stop word in both languages: "the", "for", "de", "para"
        options: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for field_name, tokens in (
            ("text_en", english or ANALYZERS["hearth_en"].analyze(word)),
            ("text_es", spanish or ANALYZERS["hearth_es"].analyze(word)),
        ):
            for token in tokens:
                options.append(
                    (tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, field_name, token))
                )
        if len(word) >= 4:
            fuzzy = tantivy.Query.fuzzy_term_query(SCHEMA, "text_plain", word, distance=1)
            options.append((tantivy.Occur.Should, tantivy.Query.boost_query(fuzzy, 0.3)))
        word_queries.append(tantivy.Query.boolean_query(options))
    if not word_queries:
        return None
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in word_queries])


def slot_at(moment: datetime) -> int:
    moment = moment.astimezone(UTC)
    return moment.weekday() * SLOTS_PER_DAY + moment.hour * 2 + moment.minute // 30


def _covering_cells(latitude: float, longitude: float, radius_m: float) -> list[str]:
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01))
    lat_range = range(
        math.floor((latitude - dlat) / CELL_DEGREES),
        math.floor((latitude + dlat) / CELL_DEGREES) + 1,
    )
    lon_range = range(
        math.floor((longitude - dlon) / CELL_DEGREES),
        math.floor((longitude + dlon) / CELL_DEGREES) + 1,
    )
    return [f"{a}:{b}" for a in lat_range for b in lon_range]


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _filters(query: SearchQuery) -> list[tantivy.Query]:
    term = tantivy.Query.term_query
    filters = []
    if query.taxonomy_term_ids:
        filters.append(
            tantivy.Query.term_set_query(
                SCHEMA, "taxonomy", [str(t) for t in query.taxonomy_term_ids]
            )
        )
    if query.taxonomy_id:
        filters.append(term(SCHEMA, "taxonomy_root", str(query.taxonomy_id)))
    if query.organization_id:
        filters.append(term(SCHEMA, "organization", str(query.organization_id)))
    for code in query.languages:
        filters.append(term(SCHEMA, "language", code.lower()))
    if query.free_only:
        filters.append(term(SCHEMA, "flag", "free"))
    if query.accepting_only:
        filters.append(term(SCHEMA, "flag", "capacity:capacity"))
    if query.accessible_only:
        filters.append(term(SCHEMA, "flag", "accessible"))
    if query.status:
        filters.append(term(SCHEMA, "status", query.status))
    if query.open_at is not None:
        filters.append(term(SCHEMA, "open", str(slot_at(query.open_at))))
    if query.age is not None:
        integer = tantivy.FieldType.Integer
        filters.append(tantivy.Query.range_query(SCHEMA, "min_age", integer, None, query.age))
        filters.append(tantivy.Query.range_query(SCHEMA, "max_age", integer, query.age, None))
    if query.modified_after is not None:
        filters.append(
            tantivy.Query.range_query(
                SCHEMA,
                "modified",
                tantivy.FieldType.Integer,
                int(query.modified_after.timestamp()) + 1,
                None,
            )
        )
    if query.near is not None:
        filters.append(
            tantivy.Query.term_set_query(
                SCHEMA, "cell", _covering_cells(*query.near, query.radius_m)
            )
        )
    return filters


def _build(query: SearchQuery) -> tuple[tantivy.Query, bool]:
    text = _text_query(query.text) if query.text.strip() else None
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
    if text is not None:
        parts.append((tantivy.Occur.Must, text))
    for item in _filters(query):
        parts.append((tantivy.Occur.Must, tantivy.Query.const_score_query(item, 0.0)))
    if not parts:
        return tantivy.Query.all_query(), False
    # With only stop words typed ("the", "para") there is nothing to rank by; filters still apply.
    return tantivy.Query.boolean_query(parts), text is not None


FACET_FIELDS = {"language": "language", "flag": "flag", "taxonomy": "taxonomy"}


def _facets(
    searcher: tantivy.Searcher, built: tantivy.Query, names: tuple[str, ...] | None = None
) -> dict[str, dict[str, int]]:
    wanted = [name for name in FACET_FIELDS if names is None or name in names]
    if not wanted:
        return {}
    spec = {name: {"terms": {"field": FACET_FIELDS[name], "size": 200}} for name in wanted}
    result = searcher.aggregate(built, spec)
    return {
        name: {bucket["key"]: bucket["doc_count"] for bucket in result[name]["buckets"]}
        for name in wanted
    }


def _nearest(searcher, addresses, origin) -> list[float]:
    columns = []
    for n in range(MAX_POINTS):
        columns.append(
            (
                searcher.fast_field_values(f"lat{n}", addresses),
                searcher.fast_field_values(f"lon{n}", addresses),
            )
        )
    result = []
    for i in range(len(addresses)):
        best = math.inf
        for lats, lons in columns:
            lat, lon = lats[i], lons[i]
            if lat is not None and not math.isnan(lat):
                best = min(best, distance_m(origin, (lat, lon)))
        result.append(best)
    return result


def _ids(searcher, addresses) -> list[UUID]:
    return [UUID(searcher.doc(address)["id"][0]) for address in addresses]


def search_services(query: SearchQuery) -> SearchResult:
    if query.limit < 1 or query.offset < 0:
        raise SearchError("page", "must be a positive number")
    if query.sort == "distance" and query.near is None:
        raise SearchError("sort", "sorting by distance needs a place to measure from")
    index = _open()
    searcher = index.searcher()
    built, ranked = _build(query)
    facets = _facets(searcher, built, query.facet_names) if query.facets else {}
    if query.near is None:
        if ranked:
            found = searcher.search(built, limit=query.limit, offset=query.offset, count=True)
        else:
            # Without words to rank by, keep a stable order: most recently changed first.
            found = searcher.search(
                built,
                limit=query.limit,
                offset=query.offset,
                count=True,
                order_by_field="modified",
                order=tantivy.Order.Desc,
            )
        addresses = [address for _score, address in found.hits]
        return SearchResult(_ids(searcher, addresses), found.count, facets=facets)

    # Near a place: the cells narrow the candidates; the exact distance decides.
    total = searcher.search(built, limit=1, count=True).count
    found = searcher.search(built, limit=max(total, 1), count=False)
    addresses = [address for _score, address in found.hits]
    scores = [score for score, _address in found.hits]
    distances = _nearest(searcher, addresses, query.near)
    within = [
        (distance, -score, address)
        for distance, score, address in zip(distances, scores, addresses, strict=True)
        if distance <= query.radius_m
    ]
    if query.sort == "distance" or not ranked:
        within.sort(key=lambda item: (item[0], item[1]))
    else:
        within.sort(key=lambda item: (item[1], item[0]))
    page = within[query.offset : query.offset + query.limit]
    ids = _ids(searcher, [address for _d, _s, address in page])
    return SearchResult(
        ids,
        len(within),
        distances={i: d for i, (d, _s, _a) in zip(ids, page, strict=True)},
        facets=facets,
    )


# ---------------------------------------------------------------------------------------------
# Services' locations (the service_at_locations API)


def count_matches(query: SearchQuery) -> tuple[int, int]:
    """(services, service_at_location rows of those services) matching a query's words and
    filters, counted in the engine without listing them. Paging and sorting are ignored."""
    searcher = _open().searcher()
    built, _ranked = _build(query)
    services = searcher.search(built, limit=1, count=True).count
    if not services:
        return 0, 0
    result = searcher.aggregate(built, {"rows": {"sum": {"field": "locations"}}})
    return services, int(result["rows"]["value"] or 0)


MATCH_CHUNK = 1000


def matching_ids(query: SearchQuery, candidates: Iterable[UUID]) -> set[UUID]:
    """Which of the candidate services match a query's words and filters (paging and sorting
    are ignored): the engine checks only those, whatever the number of matches overall."""
    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        return set()
    searcher = _open().searcher()
    built, _ranked = _build(query)
    found: set[UUID] = set()
    for start in range(0, len(candidates), MATCH_CHUNK):
        chunk = [str(i) for i in candidates[start : start + MATCH_CHUNK]]
        # One term query per id: a term set query scans the whole id dictionary (100,000
        # terms), three to four times slower for a batch of a hundred to a thousand ids.
        among = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(SCHEMA, "id", i)) for i in chunk]
        )
        restricted = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.const_score_query(among, 0.0)),
                (tantivy.Occur.Must, built),
            ]
        )
        hits = searcher.search(restricted, limit=len(chunk), count=False).hits
        found.update(_ids(searcher, [address for _score, address in hits]))
    return found


def matching_ids_around(
    query: SearchQuery,
    origin: tuple[float, float],
    radius_m: float,
    limit: int | None = None,
    measured: bool = False,
) -> set[UUID] | None:
    """The services matching a query's words and filters that have a location in the grid
    cells covering `radius_m` around `origin`: every matching service with a location within
    that distance, and some a little further (the caller measures). Paging, sorting and the
    query's own place are ignored. None if there are more than `limit` of them.

    With `measured`, services whose indexed points (up to MAX_POINTS, all of them when the
    service has no more locations than that) are all further than `radius_m` are left out
    before their ids are read (reading ids is most of the cost)."""
    around = SearchQuery(**{**query.__dict__, "near": origin, "radius_m": radius_m})
    searcher = _open().searcher()
    built, _ranked = _build(around)
    total = searcher.search(built, limit=1, count=True).count
    if not total:
        return set()
    if limit is not None and total > limit:
        return None
    hits = searcher.search(built, limit=total, count=False).hits
    addresses = [address for _score, address in hits]
    if measured:
        addresses = _within(searcher, addresses, origin, radius_m)
    return set(_ids(searcher, addresses))


def _within(searcher, addresses, origin: tuple[float, float], radius_m: float) -> list:
    """The addresses of services that may have a location within `radius_m` of `origin`: an
    indexed point that `distance_m` puts within it, or more locations than points indexed."""
    counts = searcher.fast_field_values("locations", addresses)
    columns = [
        (
            searcher.fast_field_values(f"lat{n}", addresses),
            searcher.fast_field_values(f"lon{n}", addresses),
        )
        for n in range(MAX_POINTS)
    ]
    # Far outside the radius without measuring (a tenth more than the bounding box's sides):
    latitude, longitude = origin
    dlat = radius_m / 111_320 * 1.1
    dlon = radius_m / (111_320 * max(math.cos(math.radians(latitude)), 0.01)) * 1.1
    kept = []
    for i, address in enumerate(addresses):
        if counts[i] is None or counts[i] > MAX_POINTS:
            kept.append(address)
            continue
        for lats, lons in columns:
            lat, lon = lats[i], lons[i]
            if lat is None or math.isnan(lat):
                continue
            if abs(lat - latitude) > dlat or abs(lon - longitude) > dlon:
                continue
            if distance_m(origin, (lat, lon)) <= radius_m:
                kept.append(address)
                break
    return kept
