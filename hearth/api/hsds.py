"""The open directory API at /api/hsds/: Open Referral HSDS 3.0, public, no key.

Every list is paginated in the HSDS shape; `format=ndjson` streams every result unpaged, one
JSON document per line, reading the database in chunks so memory stays flat. Filters combine as
AND. Confidential locations go through the same serializer as every other output
(`hearth.directory.hsds`), which never emits their address or coordinates."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from uuid import UUID

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from ninja import NinjaAPI

from hearth.directory import hsds, search, selectors
from hearth.directory.models import (
    Address,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
PROFILE_URL = "https://docs.openreferral.org/en/latest/hsds/"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
STREAM_CHUNK = 500
OPENAPI_FILE = Path(__file__).parent / "data" / "hsds-openapi.json"

api = NinjaAPI(
    title="Hearth open directory (HSDS 3.0)",
    version=HSDS_VERSION,
    urls_namespace="hsds",
    openapi_url=None,
    docs_url=None,
)


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@api.exception_handler(BadParameter)
def bad_parameter(request, error: BadParameter):
    return JsonResponse(
        {
            "error": f"The parameter “{error.parameter}” {error.message}",
            "parameter": error.parameter,
        },
        status=400,
    )


@api.exception_handler(search.SearchError)
def bad_search(request, error: search.SearchError):
    return bad_parameter(request, BadParameter(error.parameter, error.message))


@api.exception_handler(Http404)
def not_found(request, error):
    return JsonResponse({"error": "Not found."}, status=404)


# ---------------------------------------------------------------------------------------------
# Parameters: each names itself in its error.


def _text(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def _bool(request: HttpRequest, name: str) -> bool:
    value = _text(request, name).lower()
    if value in {"", "false", "0", "no"}:
        return False
    if value in {"true", "1", "yes"}:
        return True
    raise BadParameter(name, "must be true or false.")


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    value = _text(request, name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, "must be a whole number.") from None
    if not low <= number <= high:
        raise BadParameter(name, f"must be between {low} and {high}.")
    return number


def _uuid(request: HttpRequest, name: str) -> UUID | None:
    value = _text(request, name)
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise BadParameter(name, "must be a UUID.") from None


def _datetime(request: HttpRequest, name: str) -> datetime | None:
    value = _text(request, name)
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        moment = datetime(day.year, day.month, day.day) if day else None
    if moment is None:
        raise BadParameter(name, "must be a date or date-time, like 2026-01-31T09:00:00Z.")
    return make_aware(moment) if is_naive(moment) else moment


def _format(request: HttpRequest) -> str:
    value = _text(request, "format").lower() or "json"
    if value not in {"json", "ndjson"}:
        raise BadParameter("format", "must be json or ndjson.")
    return value


def _paging(request: HttpRequest) -> tuple[int, int]:
    return (
        _int(request, "page", 1, 1, 10_000_000),
        _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def _lookup_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise Http404 from None


# ---------------------------------------------------------------------------------------------
# Responses


def page_body(contents: list, *, total: int, page: int, per_page: int) -> dict:
    total_pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def stream(documents: Iterable[dict]) -> StreamingHttpResponse:
    def lines() -> Iterator[bytes]:
        for document in documents:
            yield json.dumps(document, separators=(",", ":")).encode() + b"\n"

    return StreamingHttpResponse(lines(), content_type="application/x-ndjson")


def chunked(ids: list, size: int = STREAM_CHUNK) -> Iterator[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _in_order(queryset: QuerySet, ids: list) -> list:
    by_id = {item.pk: item for item in queryset.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


# ---------------------------------------------------------------------------------------------
# Endpoints


@api.get("/", operation_id="getAPIMetaInformation")
def meta(request):
    return {
        "version": HSDS_VERSION,
        "profile": PROFILE_URL,
        "openapi_url": request.build_absolute_uri(reverse("hsds-openapi")),
    }


def _service_query(request: HttpRequest, *, page: int, per_page: int) -> search.SearchQuery:
    return search.SearchQuery(
        text=_text(request, "search"),
        taxonomy_term_ids=[t] if (t := _uuid(request, "taxonomy_term_id")) else [],
        taxonomy_id=_uuid(request, "taxonomy_id"),
        organization_id=_uuid(request, "organization_id"),
        modified_after=_datetime(request, "modified_after"),
        offset=(page - 1) * per_page,
        limit=per_page,
    )


def _all_ids(query: search.SearchQuery) -> list[UUID]:
    query.offset, query.limit = 0, 1
    total = search.search_services(query).total
    query.limit = max(total, 1)
    return search.search_services(query).ids


def _service_documents(
    ids: list[UUID], *, full: bool, minimal: bool, streamed: bool = False
) -> Iterator[dict]:
    """Service documents for ids, in their order, a chunk at a time (flat memory). Streamed
    full documents are built from plain rows by `hsds.iter_service_documents`, the exporter's
    faster path; they are the same documents as `hsds.services_to_hsds` gives."""
    terms: dict = {}  # taxonomy term documents, shared by the chunks
    for chunk in chunked(ids):
        if streamed and full and not minimal:
            yield from hsds.service_documents(chunk, terms=terms)
            continue
        if minimal:
            rows = dict(Service.objects.filter(pk__in=chunk).values_list("id", "last_modified"))
            for service_id in chunk:
                if service_id in rows:
                    yield {
                        "id": str(service_id),
                        "last_modified": hsds.format_datetime(rows[service_id]),
                    }
            continue
        batch = hsds.prefetch_for_services(Service.objects.all(), full=full)
        yield from hsds.services_to_hsds(_in_order(batch, chunk), full=full)


@api.get("/services", operation_id="getPaginatedListOfServices")
def services(request):
    output = _format(request)
    page, per_page = _paging(request)
    shape = {"full": _bool(request, "full"), "minimal": _bool(request, "minimal")}
    query = _service_query(request, page=page, per_page=per_page)
    if output == "ndjson":
        return stream(_service_documents(_all_ids(query), streamed=True, **shape))
    result = search.search_services(query)
    contents = list(_service_documents(result.ids, **shape))
    return page_body(contents, total=result.total, page=page, per_page=per_page)


@api.get("/services/{service_id}", operation_id="getFullyNestedServiceById")
def service(request, service_id: str):
    found = hsds.prefetch_for_services(Service.objects.filter(pk=_lookup_id(service_id))).first()
    if found is None:
        raise Http404
    return hsds.service_to_hsds(found, full=True)


SERVICE_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after")
SAL_ORDER = ("service__name", "id")
# Up to this many matching services, their ids go to the database; beyond, the listing walks
# the services in name order and lets the engine say which of them match.
SAL_FEW_SERVICES = 1000
# ... unless the walk would read more services than this to reach the page asked for.
SAL_WALK_LIMIT = 20_000
# At a place, with a search: up to this many rows there, the engine says which of their
# services match (near a postcode: it lists the matches in the grid cells around it; in a
# postcode: it checks each service, or lists every match when there are fewer than
# SAL_LIST_FACTOR times the services there); beyond, every match is listed.
SAL_CHECK_LIMIT = 20_000
SAL_LIST_FACTOR = 2
# Near a postcode, with a search: up to this many matching services in the grid cells around
# it, the database counts and orders their rows there; beyond, as at any other place.
SAL_NEAR_SERVICES = 10_000
# ... and without a search, a first page is looked for among the rows of the first this many
# services in name order (or 100 per row of the page, up to SAL_WALK_LIMIT) before all of them.
SAL_NEAR_NAMES = 2000
SAL_NEAR_NAMES_PER_ROW = 100


@dataclass(frozen=True)
class _Place:
    """Where the service_at_locations must be: a condition on their rows and, for a distance
    from a postcode, the point and radius every row's location is then measured against."""

    where: Q
    origin: tuple[float, float] | None = None
    metres: float = 0.0


def _sal_filters(request: HttpRequest) -> tuple[search.SearchQuery | None, _Place | None]:
    """What restricts the service_at_locations: a search over their services and a place
    (each None when not asked for)."""
    service_query = None
    if any(_text(request, name) for name in SERVICE_FILTERS):
        service_query = _service_query(request, page=1, per_page=1)
    postcode = _text(request, "postcode")
    proximity = _text(request, "proximity")
    if proximity and not postcode:
        raise BadParameter("proximity", "needs a postcode to measure from.")
    if postcode and proximity:
        try:
            metres = float(proximity)
        except ValueError:
            raise BadParameter("proximity", "must be a distance in metres, like 5000.") from None
        if not 0 < metres <= 500_000:
            raise BadParameter("proximity", "must be between 1 and 500000 metres.")
        place = selectors.locate_place(postcode)
        if place is None:
            raise BadParameter("postcode", "is not a postcode this directory knows.")
        origin = (place.latitude, place.longitude)
        box = _bounding_box(origin, metres)
        where = Q(location__latitude__range=box[0], location__longitude__range=box[1])
        return service_query, _Place(where, origin, metres)
    if postcode:
        # Confidential locations have no address rows; the condition says so again.
        where = Q(
            location_id__in=Address.objects.filter(
                postal_code__iexact=postcode, location__is_confidential=False
            ).values("location_id")
        )
        return service_query, _Place(where)
    return service_query, None


def _sal_listing(request: HttpRequest, start: int, stop: int) -> tuple[int, list[UUID]]:
    """How many service_at_locations the request asks for, and the ids of those in
    [start, stop) of the listing order (service name, then id).

    The services' filters are answered by the search engine. Handing the database every
    matching service id (tens of thousands for a common word) and sorting their rows by
    service name cost about a second at 100,000 services, so instead: the total is counted
    in the engine; a page is found by walking the services in name order (an index) and
    asking the engine which of each batch match. At a place, the rows there are read (with
    no service name: looking up thousands of services' names cost more than the rest), the
    engine checks their services, and the walk keeps the services found there. Only small
    sets go to the database by id."""
    service_query, place = _sal_filters(request)
    if place is not None and place.origin is not None:
        if service_query is None:
            return _sal_near_page(place, start, stop)
        # Every service with a location within the distance has that location's grid cell
        # in the index: the engine lists the matches there, whatever their number elsewhere.
        kept = search.matching_ids_around(
            service_query, place.origin, place.metres, limit=SAL_NEAR_SERVICES, measured=True
        )
        if kept is not None:
            return _sal_near_page(place, start, stop, services=kept)
    if place is not None:
        found = _sal_rows_at(place, SAL_CHECK_LIMIT if service_query else None)
        if service_query is not None:
            if found is None:  # too many there to check each
                found = _sal_rows_at(place)
                kept = set(_all_ids(service_query))
            elif place.origin is not None:
                # Every service with a location within the distance has that location's grid
                # cell in the index: the engine lists the matches there, whatever their number
                # elsewhere.
                kept = search.matching_ids_around(service_query, place.origin, place.metres)
            else:
                kept = _matching_services(service_query, {service for _i, service in found})
            found = [row for row in found if row[1] in kept]
        return len(found), _sal_page_of(found, start, stop)
    if service_query is None:
        if stop <= SAL_WALK_LIMIT:
            return ServiceAtLocation.objects.count(), _sal_walk(None, stop, 1.0)[start:stop]
        rows = ServiceAtLocation.objects.order_by(*SAL_ORDER)
        return rows.count(), list(rows.values_list("id", flat=True)[start:stop])
    services, total = search.count_matches(service_query)
    if not services:
        return 0, []
    share = services / max(search.indexed_count(), services)
    if services > SAL_FEW_SERVICES and stop / share <= SAL_WALK_LIMIT:
        return total, _sal_walk(service_query, stop, share)[start:stop]
    rows = ServiceAtLocation.objects.filter(service_id__in=_all_ids(service_query))
    return total, list(rows.order_by(*SAL_ORDER).values_list("id", flat=True)[start:stop])


def _sal_near_page(
    place: _Place, start: int, stop: int, services: set[UUID] | None = None
) -> tuple[int, list[UUID]]:
    """How many service_at_locations are within the place's radius (of these services, when
    given), and the ids of those in [start, stop) of the listing order: counted and ordered
    by the database, over just the rows there (materialized first, so that it does not walk
    every service in name order)."""
    if services is not None and not services:
        return 0, []
    near_sql, params = _near(place)
    near = f"WITH near AS MATERIALIZED ({near_sql})"
    among = ""
    if services is not None:
        # Outside the materialized rows, so that the database does not read the rows of every
        # one of these services (an index on service) instead of the rows there.
        native = connection.features.has_native_uuid_field
        among = f" WHERE near.service_id IN ({', '.join(['%s'] * len(services))})"
        params += [i if native else i.hex for i in services]
    service = connection.ops.quote_name(Service._meta.db_table)
    names = max(SAL_NEAR_NAMES, SAL_NEAR_NAMES_PER_ROW * stop)
    with connection.cursor() as cursor:
        if services is None and names <= SAL_WALK_LIMIT:
            # A first page: only the rows of the services up to the name of the `names`-th
            # service (read from the index on names alone) are ordered. Every other row sorts
            # after them, so the page is exact when they fill it (or are all the rows there).
            cursor.execute(
                f"{near}, named AS MATERIALIZED (SELECT id, name FROM {service}"  # noqa: S608
                f" WHERE name <= (SELECT name FROM {service} ORDER BY name LIMIT 1 OFFSET %s))"
                " SELECT near.id, COUNT(*) OVER (), (SELECT COUNT(*) FROM near) FROM near"
                " INNER JOIN named ON named.id = near.service_id"
                " ORDER BY named.name, near.id LIMIT %s OFFSET %s",
                [*params, names - 1, stop - start, start],
            )
            rows = cursor.fetchall()
            if rows and (rows[0][1] >= stop or rows[0][1] == rows[0][2]):
                return rows[0][2], [i if isinstance(i, UUID) else UUID(i) for i, *_n in rows]
        cursor.execute(
            f"{near} SELECT near.id, COUNT(*) OVER () FROM near"  # noqa: S608
            f" INNER JOIN {service} s ON s.id = near.service_id{among}"
            " ORDER BY s.name, near.id LIMIT %s OFFSET %s",
            [*params, stop - start, start],
        )
        rows = cursor.fetchall()
        if rows:
            total = rows[0][1]
        else:
            cursor.execute(f"{near} SELECT COUNT(*) FROM near{among}", params)  # noqa: S608
            total = cursor.fetchone()[0]
    return total, [i if isinstance(i, UUID) else UUID(i) for i, _total in rows]


def _sal_page_of(rows: list[tuple], start: int, stop: int) -> list[UUID]:
    """The ids in [start, stop) of the listing order of these (id, service_id) rows (ids as
    `_sal_rows_at` gives them)."""
    if start >= len(rows):
        return []
    among: dict[UUID, list[UUID]] = {}
    for sal_id, service_id in rows:
        among.setdefault(service_id, []).append(sal_id)
    share = len(among) / max(search.indexed_count(), len(among))
    # Walking reads about stop / share services in name order; ordering those found here
    # looks each of them up (about three times the cost of a row read in order).
    if stop / share <= min(SAL_WALK_LIMIT, 3 * len(among)):
        page = _sal_walk(None, stop, share, among=among)[start:stop]
        return [i if isinstance(i, UUID) else UUID(i) for i in page]
    names = Service.objects.filter(id__in=list(among)).order_by("name", "id")
    group: dict[UUID, int] = {}
    previous, position = None, -1
    for service_id, name in names.values_list("id", "name"):
        if name != previous:
            previous, position = name, position + 1
        group[service_id] = position
    ordered = sorted((group.get(service, -1), sal_id) for sal_id, service in rows)
    return [i if isinstance(i, UUID) else UUID(i) for _g, i in ordered[start:stop]]


def _sal_in_order(ids: list[UUID]) -> list[UUID]:
    """These service_at_location ids in listing order, sorted by the database."""
    rows = ServiceAtLocation.objects.filter(id__in=ids).order_by(*SAL_ORDER)
    return list(rows.values_list("id", flat=True))


def _matching_services(query: search.SearchQuery, candidates: set[UUID]) -> set[UUID]:
    """Which of the candidate services match: the engine checks each, or lists its matches
    when there are fewer of those."""
    services, _rows = search.count_matches(query)
    if not services:
        return set()
    if services <= SAL_LIST_FACTOR * len(candidates):
        return set(_all_ids(query))
    return search.matching_ids(query, candidates)


def _sal_rows_at(place: _Place, limit: int | None = None) -> list[tuple] | None:
    """(id, service_id) of the service_at_locations at a place, in no particular order; None
    if more than `limit` rows are there. Rows in the bounding box further than the radius from
    the postcode are left out (see `_near`). The ids are as the database gives them (32 hex
    digits on SQLite, which sort as the UUIDs do); the service ids are UUIDs.

    Read with a plain cursor and converted here (ids only for the rows kept, each service id
    once): a 5 km radius holds thousands of rows, and Django's per-row conversions cost twice
    the query."""
    if place.origin is None:
        rows = ServiceAtLocation.objects.filter(place.where).values_list("id", "service_id")
        if limit is not None:
            rows = rows[: limit + 1]
        sql, params = rows.query.sql_with_params()
    else:
        near_sql, params = _near(place)
        sql = f"SELECT near.id, near.service_id FROM ({near_sql}) near"  # noqa: S608
        if limit is not None:
            sql, params = f"{sql} LIMIT %s", [*params, limit + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if limit is not None and len(found) > limit:
        return None
    services: dict = {}

    def service(value) -> UUID:
        if value not in services:
            services[value] = value if isinstance(value, UUID) else UUID(value)
        return services[value]

    return [(sal_id, service(service_id)) for sal_id, service_id in found]


def _near(place: _Place) -> tuple[str, list]:
    """A query (SQL and its parameters) for the id and service_id of the service_at_locations
    in the place's bounding box whose location is within its radius of its origin, exactly as
    `search.distance_m` measures, without measuring every location.

    The database compares a plain sum of squares (no trigonometry: the same on SQLite and
    PostgreSQL), Δlat² + k²·Δlon² in degrees, with bounds that hold for the whole box: with
    the smallest cos(latitude) of the box it is at most `outer` for every location within the
    radius, with the largest it is at most `inner` only for locations within it. Only the few
    locations between the two (a thin ring at the edge) are measured here, and the rows kept
    are those inside `inner` or at a location measured within the radius."""
    (lat_low, lat_high), (lon_low, lon_high) = _bounding_box(place.origin, place.metres)
    latitude, longitude = place.origin
    cos_low, cos_high, outer, inner = _ring(place.origin, place.metres)
    square = (
        "((l.latitude - %s) * (l.latitude - %s) + (l.longitude - %s) * (l.longitude - %s) * %s)"
    )

    def closer(k: float, bound: float, op: str) -> tuple[str, list]:
        return f"{square} {op} %s", [latitude, latitude, longitude, longitude, k * k, bound]

    box = "l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s"
    box_params = [lat_low, lat_high, lon_low, lon_high]
    within_outer, outer_params = ("1 = 1", []) if outer is None else closer(cos_low, outer, "<=")
    within_inner, inner_params = closer(cos_high, inner, "<=")
    beyond_inner, _ = closer(cos_high, inner, ">")
    location = connection.ops.quote_name(Location._meta.db_table)
    sal = connection.ops.quote_name(ServiceAtLocation._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT l.id, l.latitude, l.longitude FROM {location} l"  # noqa: S608
            f" WHERE {box} AND {within_outer} AND {beyond_inner}",
            [*box_params, *outer_params, *inner_params],
        )
        ring = cursor.fetchall()
    measured = [
        location_id
        for location_id, lat, lon in ring
        if search.distance_m(place.origin, (lat, lon)) <= place.metres
    ]
    kept, kept_params = within_inner, inner_params
    if measured:
        kept = f"({within_inner} OR l.id IN ({', '.join(['%s'] * len(measured))}))"
        kept_params = [*inner_params, *measured]
    return (
        f"SELECT sal.id AS id, sal.service_id AS service_id FROM {sal} sal"  # noqa: S608
        f" INNER JOIN {location} l ON l.id = sal.location_id"
        f" WHERE {box} AND {within_outer} AND {kept}",
        [*box_params, *outer_params, *kept_params],
    )


def _ring(origin: tuple[float, float], metres: float) -> tuple[float, float, float | None, float]:
    """(smallest and largest cos(latitude) over the bounding box, `outer`, `inner`) for
    `_near`, in degrees squared; `outer` None when the box is too wide for its bound.

    The haversine h of a location in the box (search.distance_m: d = 2R·asin(√h)) is
    hav(Δφ) + cos φ1·cos φ2·hav(Δλ), and x²/4·(1 - x²/12) ≤ hav(x) ≤ x²/4. So
    (Δφ² + cos_low²·Δλ²)·(1 - m²/12)/4 ≤ h ≤ (Δφ² + cos_high²·Δλ²)/4, m the largest |Δφ| or
    |Δλ| in the box (radians). d ≤ r means h ≤ sin²(r/2R) ≤ (r/R)²/4; h ≤ sin²(r/2R) means
    d ≤ r. A margin of a millionth on each side covers rounding."""
    (lat_low, lat_high), (_lon_low, lon_high) = _bounding_box(origin, metres)
    farthest = min(90.0, max(abs(lat_low), abs(lat_high)))
    nearest = 0.0 if lat_low <= 0 <= lat_high else min(abs(lat_low), abs(lat_high))
    cos_low = max(math.cos(math.radians(farthest)), 0.0)
    cos_high = math.cos(math.radians(nearest))
    degree = math.pi / 180
    angle = metres / search.EARTH_RADIUS_M
    m = max(lat_high - origin[0], lon_high - origin[1]) * degree
    outer = None
    if m < 1:
        outer = angle**2 / (1 - m * m / 12) / degree**2 * (1 + 1e-6)
    inner = (2 * math.sin(angle / 2)) ** 2 / degree**2 * (1 - 1e-6)
    return cos_low, cos_high, outer, inner


def _sal_walk(
    query: search.SearchQuery | None,
    stop: int,
    share: float,
    among: dict[UUID, list[UUID]] | None = None,
) -> list[UUID]:
    """The first `stop` service_at_location ids in listing order whose services match `query`
    (None: every service), reading services in name order in growing batches. `share` is
    about the part of all services that match, to size the first batch. With `among`
    (service id -> its service_at_location ids to list), only those services and rows.

    Each batch is completed to the end of its last name, so that the rows of services with
    the same name are ordered among themselves by id, as the database orders them; names are
    compared by the database (its collation), never in Python."""
    services = Service.objects.order_by("name", "id").values_list("id", "name")
    batch = min(int(stop / share * 1.2) + 20, 5000)
    found: list[UUID] = []
    last_name = None
    while len(found) < stop:
        page = services if last_name is None else services.filter(name__gt=last_name)
        read = list(page[:batch])
        if not read:
            break
        last_name = read[-1][1]
        if len(read) == batch:
            read += list(services.filter(name=last_name, id__gt=read[-1][0]))
        if among is not None:
            read = [(i, name) for i, name in read if i in among]
        kept = search.matching_ids(query, (i for i, _n in read)) if query else None
        group: dict[UUID, int] = {}  # service -> its name's position among the names read
        previous, position = None, -1
        for service_id, name in read:
            if name != previous:
                previous, position = name, position + 1
            if kept is None or service_id in kept:
                group[service_id] = position
        if among is not None:
            links = [(i, service) for service in group for i in among[service]]
        elif group:
            links = ServiceAtLocation.objects.filter(service_id__in=list(group)).values_list(
                "id", "service_id"
            )
        else:
            links = []
        found += [i for _g, i in sorted((group[service], i) for i, service in links)]
        batch = min(batch * 2, 20_000)
    return found[:stop]


def _bounding_box(origin: tuple[float, float], metres: float):
    dlat = metres / 111_320
    dlon = metres / (111_320 * max(math.cos(math.radians(origin[0])), 0.01))
    return (origin[0] - dlat, origin[0] + dlat), (origin[1] - dlon, origin[1] + dlon)


def _sal_all_ids(request: HttpRequest) -> list[UUID]:
    """Every service_at_location id the request asks for, in listing order (format=ndjson)."""
    service_query, place = _sal_filters(request)
    if place is not None:
        found = _sal_rows_at(place) or []
    else:
        found = list(ServiceAtLocation.objects.order_by(*SAL_ORDER).values_list("id", "service_id"))
    if service_query is not None:
        kept = set(_all_ids(service_query))
        found = [row for row in found if row[1] in kept]
    if place is not None:
        return _sal_in_order([sal_id for sal_id, _service in found])
    return [sal_id for sal_id, _service in found]


@api.get("/service_at_locations", operation_id="getPaginatedListOfServiceAtLocation")
def service_at_locations(request):
    output = _format(request)
    page, per_page = _paging(request)
    full = _bool(request, "full")

    def render(ids):
        prefetched = hsds.prefetch_for_service_at_locations(
            ServiceAtLocation.objects.filter(pk__in=ids), full=full
        )
        ordered = _in_order(prefetched, ids)
        return hsds.service_at_locations_to_hsds(ordered, full=full)

    if output == "ndjson":
        ids = _sal_all_ids(request)
        return stream(document for chunk in chunked(ids) for document in render(chunk))
    total, ids = _sal_listing(request, (page - 1) * per_page, page * per_page)
    return page_body(render(ids), total=total, page=page, per_page=per_page)


@api.get("/service_at_locations/{sal_id}", operation_id="getServiceAtLocationWithNestedDataById")
def service_at_location(request, sal_id: str):
    found = hsds.prefetch_for_service_at_locations(
        ServiceAtLocation.objects.filter(pk=_lookup_id(sal_id))
    ).first()
    if found is None:
        raise Http404
    return hsds.service_at_location_to_hsds(found, full=True)


def _simple_list(request, queryset: QuerySet, render: Callable, prefetch=None):
    output = _format(request)
    page, per_page = _paging(request)
    if output == "ndjson":
        ids = list(queryset.values_list("id", flat=True))

        def documents():
            for chunk in chunked(ids):
                batch = queryset.model.objects.filter(pk__in=chunk)
                batch = prefetch(batch) if prefetch else batch
                for item in _in_order(batch, chunk):
                    yield render(item)

        return stream(documents())
    total = queryset.count()
    ids = list(queryset.values_list("id", flat=True)[(page - 1) * per_page : page * per_page])
    batch = queryset.model.objects.filter(pk__in=ids)
    batch = prefetch(batch) if prefetch else batch
    contents = [render(item) for item in _in_order(batch, ids)]
    return page_body(contents, total=total, page=page, per_page=per_page)


@api.get("/organizations", operation_id="getPaginatedListOfOrganizations")
def organizations(request):
    queryset = Organization.objects.order_by("name", "id")
    if text := _text(request, "search"):
        queryset = queryset.filter(Q(name__icontains=text) | Q(alternate_name__icontains=text))
    full = _bool(request, "full")
    full_services = _bool(request, "full_service")
    return _simple_list(
        request,
        queryset,
        lambda item: hsds.organization_to_hsds(item, full=full, full_services=full_services),
        prefetch=lambda batch: hsds.prefetch_for_organizations(
            batch, full=full, full_services=full_services
        ),
    )


@api.get("/organizations/{organization_id}", operation_id="getOrganizationById")
def organization(request, organization_id: str):
    full_services = _bool(request, "full_service")
    found = hsds.prefetch_for_organizations(
        Organization.objects.filter(pk=_lookup_id(organization_id)), full_services=full_services
    ).first()
    if found is None:
        raise Http404
    return hsds.organization_to_hsds(found, full=True, full_services=full_services)


@api.get("/taxonomies", operation_id="getPaginatedListOfTaxonomies")
def taxonomies(request):
    queryset = Taxonomy.objects.order_by("name", "id")
    if text := _text(request, "search"):
        queryset = queryset.filter(name__icontains=text)
    return _simple_list(request, queryset, hsds.taxonomy_to_hsds)


@api.get("/taxonomies/{taxonomy_id}", operation_id="getTaxonomyById")
def taxonomy(request, taxonomy_id: str):
    found = Taxonomy.objects.filter(pk=_lookup_id(taxonomy_id)).first()
    if found is None:
        raise Http404
    return hsds.taxonomy_to_hsds(found)


@api.get("/taxonomy_terms", operation_id="getPaginatedListOfTaxonomyTerms")
def taxonomy_terms(request):
    queryset = TaxonomyTerm.objects.select_related("taxonomy").order_by("name", "id")
    if text := _text(request, "search"):
        queryset = queryset.filter(Q(name__icontains=text) | Q(code__iexact=text))
    if taxonomy_id := _uuid(request, "taxonomy_id"):
        queryset = queryset.filter(taxonomy_id=taxonomy_id)
    if _bool(request, "top_only"):
        queryset = queryset.filter(parent__isnull=True)
    if parent_id := _uuid(request, "parent_id"):
        queryset = queryset.filter(parent_id=parent_id)
    return _simple_list(
        request,
        queryset,
        hsds.taxonomy_term_to_hsds,
        prefetch=lambda batch: batch.select_related("taxonomy"),
    )


@api.get("/taxonomy_terms/{term_id}", operation_id="getTaxonomyTermById")
def taxonomy_term(request, term_id: str):
    found = TaxonomyTerm.objects.select_related("taxonomy").filter(pk=_lookup_id(term_id)).first()
    if found is None:
        raise Http404
    return hsds.taxonomy_term_to_hsds(found)


def openapi_document(request) -> HttpResponse:
    """The HSDS 3.0 OpenAPI description this API conforms to, pointed at this server."""
    document = json.loads(OPENAPI_FILE.read_text())
    document["servers"] = [{"url": request.build_absolute_uri("/api/hsds")}]
    return JsonResponse(document)
