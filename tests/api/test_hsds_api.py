"""The open HSDS API: every endpoint's responses validate against the HSDS 3.0 compiled
schemas; filters combine as AND; pagination edges; bad parameters are named."""

import gzip
import json
import math
from decimal import Decimal
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hearth.directory import hsds, search
from hearth.directory.models import Address, Attribute, CostOption, Language, Phone
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

pytestmark = pytest.mark.django_db

# The HSDS 3.0 schemas as Hearth ships them (copied unchanged from the standard).
HSDS_DATA = Path(hsds.__file__).resolve().parent / "data" / "hsds-3.0"
COMPILED = HSDS_DATA / "compiled"
SCHEMAS = HSDS_DATA / "schema"


@cache
def registry():
    """The standard's own schema files, so references such as "taxonomy.json" resolve."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def load_schema(name: str) -> dict:
    if (COMPILED / f"{name}.gz").exists():
        return json.loads(gzip.decompress((COMPILED / f"{name}.gz").read_bytes()))
    folder = COMPILED if (COMPILED / name).exists() else SCHEMAS
    return json.loads((folder / name).read_text())


@cache
def validator(name: str):
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    return cls(schema, format_checker=cls.FORMAT_CHECKER, registry=registry())


def assert_valid(document, schema_name):
    errors = sorted(validator(schema_name).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def assert_page_shape(body, *, total, page, size):
    assert list(body)[:7] == [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
    ]
    assert body["total_items"] == total
    assert body["page_number"] == page
    assert body["size"] == size == len(body["contents"])
    assert body["empty"] is (size == 0)
    assert body["first_page"] is (page == 1)


@pytest.fixture
def directory():
    """Two organizations; services in English and Spanish; a taxonomy; one confidential place."""
    food = TaxonomyTermFactory(name="Food", code="1102")
    pantry_term = TaxonomyTermFactory(name="Food Pantry", parent=food, taxonomy=food.taxonomy)
    housing = TaxonomyTermFactory(name="Housing", taxonomy=food.taxonomy)
    first = DirectoryOrganizationFactory(name="Millbrook Food Bank")
    second = DirectoryOrganizationFactory(name="Harbor House")
    pantry = ServiceAtLocationFactory(
        service__name="Weekly food pantry", service__organization=first
    )
    Address.objects.create(
        location=pantry.location,
        address_1="4 Orchard Road",
        city="Millbrook",
        state_province="RV",
        postal_code="RV1 1AA",
        country="US",
        address_type="physical",
    )
    Phone.objects.create(service=pantry.service, number="555-0110")
    Language.objects.create(service=pantry.service, code="es", name="Spanish")
    CostOption.objects.create(service=pantry.service, amount=Decimal("0"), option="Free")
    Attribute.objects.create(
        link_id=pantry.service.id, link_entity="service", taxonomy_term=pantry_term
    )
    kitchen = ServiceFactory(name="Community food kitchen", organization=second)
    Attribute.objects.create(link_id=kitchen.id, link_entity="service", taxonomy_term=food)
    shelter = ServiceAtLocationFactory(
        service__name="Emergency shelter",
        service__organization=second,
        location__is_confidential=True,
        location__coarse_area="Riverbend Valley",
        location__latitude=45.2,
        location__longitude=-122.6,
    )
    Attribute.objects.create(
        link_id=shelter.service.id, link_entity="service", taxonomy_term=housing
    )
    search.rebuild()
    return {
        "food": food,
        "pantry_term": pantry_term,
        "first": first,
        "second": second,
        "pantry": pantry,
        "kitchen": kitchen,
        "shelter": shelter,
    }


def test_root_describes_the_api_and_links_its_openapi(client):
    body = client.get("/api/hsds/").json()

    assert body["version"] == "3.0"
    assert body["openapi_url"] == "http://testserver/api/hsds/openapi.json"
    openapi = client.get("/api/hsds/openapi.json").json()
    assert openapi["paths"]["/taxonomy_terms"]["get"]["operationId"] == (
        "getPaginatedListOfTaxonomyTerms"
    )
    assert openapi["servers"] == [{"url": "http://testserver/api/hsds"}]


def test_every_response_allows_any_origin_and_needs_no_key(client, directory):
    for url in ["/api/hsds/", "/api/hsds/services", "/api/hsds/organizations", "/api/hsds/nope"]:
        assert client.get(url)["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options("/api/hsds/services")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_services_list_validates_and_pages(client, directory):
    body = client.get("/api/hsds/services", {"per_page": 2}).json()

    assert_page_shape(body, total=3, page=1, size=2)
    assert body["total_pages"] == 2
    assert body["last_page"] is False
    for item in body["contents"]:
        assert_valid(item, "service_list.json")

    last = client.get("/api/hsds/services", {"per_page": 2, "page": 2}).json()
    assert_page_shape(last, total=3, page=2, size=1)
    assert last["last_page"] is True
    beyond = client.get("/api/hsds/services", {"per_page": 2, "page": 9}).json()
    assert_page_shape(beyond, total=3, page=9, size=0)


def test_full_services_validate_against_the_compiled_schema(client, directory):
    body = client.get("/api/hsds/services", {"full": "true"}).json()

    assert body["total_items"] == 3
    for item in body["contents"]:
        assert_valid(item, "service.json")
    one = client.get(f"/api/hsds/services/{directory['pantry'].service.id}").json()
    assert_valid(one, "service.json")
    assert one["name"] == "Weekly food pantry"


def test_empty_optional_fields_are_omitted(client, directory):
    item = client.get(f"/api/hsds/services/{directory['kitchen'].id}").json()

    assert None not in item.values()
    assert "" not in item.values()
    assert "alternate_name" not in item


def test_filters_combine_as_and(client, directory):
    by_term = client.get(
        "/api/hsds/services", {"taxonomy_term_id": str(directory["food"].id)}
    ).json()
    both = client.get(
        "/api/hsds/services",
        {
            "taxonomy_term_id": str(directory["food"].id),
            "organization_id": str(directory["second"].id),
        },
    ).json()
    with_text = client.get(
        "/api/hsds/services",
        {"taxonomy_term_id": str(directory["food"].id), "search": "pantry"},
    ).json()

    assert {s["name"] for s in by_term["contents"]} == {
        "Weekly food pantry",
        "Community food kitchen",
    }
    assert [s["name"] for s in both["contents"]] == ["Community food kitchen"]
    assert [s["name"] for s in with_text["contents"]] == ["Weekly food pantry"]


def test_ndjson_streams_every_result_unpaged(client, directory):
    response = client.get("/api/hsds/services", {"format": "ndjson", "per_page": 1})

    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    documents = [json.loads(line) for line in lines]
    assert len(documents) == 3
    for document in documents:
        assert_valid(document, "service_list.json")


def test_streamed_full_documents_equal_the_paged_ones_in_the_same_order(
    client, directory, django_assert_max_num_queries
):
    paged = client.get("/api/hsds/services", {"full": "true", "search": "food"}).json()

    with django_assert_max_num_queries(30) as streaming:
        response = client.get(
            "/api/hsds/services", {"full": "true", "search": "food", "format": "ndjson"}
        )
        lines = b"".join(response.streaming_content).decode().splitlines()

    assert [json.loads(line) for line in lines] == paged["contents"]
    assert len(lines) == 2
    for n in range(10):
        ServiceAtLocationFactory(service__name=f"Food extra {n}")
    search.rebuild()
    with django_assert_max_num_queries(len(streaming)):
        response = client.get(
            "/api/hsds/services", {"full": "true", "search": "food", "format": "ndjson"}
        )
        assert len(b"".join(response.streaming_content).splitlines()) == 12


def test_minimal_gives_ids_and_modification_times(client, directory):
    body = client.get("/api/hsds/services", {"minimal": "true"}).json()

    assert all(set(item) == {"id", "last_modified"} for item in body["contents"])


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "first"),
        ("page", "0"),
        ("per_page", "100000"),
        ("format", "xml"),
        ("taxonomy_term_id", "food"),
        ("organization_id", "12"),
        ("modified_after", "last tuesday"),
        ("full", "maybe"),
        ("minimal", "2"),
    ],
)
def test_malformed_parameters_are_named(client, directory, parameter, value):
    response = client.get("/api/hsds/services", {parameter: value})

    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert f"“{parameter}”" in response.json()["error"]


def test_unknown_ids_are_not_found(client, directory):
    for url in [
        "/api/hsds/services/00000000-0000-0000-0000-000000000000",
        "/api/hsds/services/not-a-uuid",
        "/api/hsds/organizations/00000000-0000-0000-0000-000000000000",
        "/api/hsds/service_at_locations/00000000-0000-0000-0000-000000000000",
        "/api/hsds/taxonomies/00000000-0000-0000-0000-000000000000",
        "/api/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"error": "Not found."}


def test_service_at_locations_near_a_postcode(client, directory):
    near = client.get(
        "/api/hsds/service_at_locations", {"postcode": "RV1 1AA", "proximity": "1000"}
    ).json()
    by_postcode = client.get("/api/hsds/service_at_locations", {"postcode": "RV1 1AA"}).json()
    everything = client.get("/api/hsds/service_at_locations", {"full": "true"}).json()

    assert [item["id"] for item in near["contents"]] == [str(directory["pantry"].id)]
    assert [item["id"] for item in by_postcode["contents"]] == [str(directory["pantry"].id)]
    for item in near["contents"]:
        assert_valid(item, "service_at_location_list.json")
    assert everything["total_items"] == 2
    assert client.get("/api/hsds/service_at_locations", {"proximity": "500"}).status_code == 400
    assert (
        client.get(
            "/api/hsds/service_at_locations", {"postcode": "RV1 1AA", "proximity": "far"}
        ).json()["parameter"]
        == "proximity"
    )


def test_organizations_validate(client, directory):
    body = client.get("/api/hsds/organizations").json()

    assert_page_shape(body, total=2, page=1, size=2)
    for item in body["contents"]:
        assert_valid(item, "organization_list.json")
    full = client.get(f"/api/hsds/organizations/{directory['first'].id}").json()
    assert_valid(full, "organization.json")
    searched = client.get("/api/hsds/organizations", {"search": "harbor"}).json()
    assert [o["name"] for o in searched["contents"]] == ["Harbor House"]


def test_taxonomies_and_terms(client, directory):
    taxonomies = client.get("/api/hsds/taxonomies").json()
    terms = client.get("/api/hsds/taxonomy_terms", {"top_only": "true"}).json()
    children = client.get(
        "/api/hsds/taxonomy_terms", {"parent_id": str(directory["food"].id)}
    ).json()

    for item in taxonomies["contents"]:
        assert_valid(item, "taxonomy.json")
    assert {t["name"] for t in terms["contents"]} == {"Food", "Housing"}
    for item in terms["contents"]:
        assert_valid(item, "taxonomy_term.json")
    assert [t["name"] for t in children["contents"]] == ["Food Pantry"]


def test_listing_many_services_uses_a_constant_number_of_queries(
    client, directory, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60) as few:
        client.get("/api/hsds/services", {"full": "true"})
    for n in range(10):
        ServiceAtLocationFactory(service__name=f"Extra {n}")
    search.rebuild()

    with django_assert_max_num_queries(len(few)):
        client.get("/api/hsds/services", {"full": "true"})


@pytest.fixture
def many_places():
    """Services with repeated names (ties in the listing order), some at two locations, some
    with no location, words shared by some of them, a postcode some of them are in."""
    organization = DirectoryOrganizationFactory(name="Valley Services")
    words = ["food pantry", "legal help", "food and legal help", "shelter"]
    for number in range(36):
        service = ServiceFactory(
            name=f"Service {'ABC'[number % 3]}",
            description=words[number % 4],
            organization=organization,
        )
        for place in range(number % 3):  # none, one or two locations
            link = ServiceAtLocationFactory(
                service=service, location__latitude=45.5 + place / 100, location__longitude=-122.6
            )
            if number % 2:
                Address.objects.create(
                    location=link.location,
                    address_1="1 Main Street",
                    city="Millbrook",
                    state_province="RV",
                    postal_code="RV9 9ZZ",
                    country="US",
                    address_type="physical",
                )
    search.rebuild()


@pytest.mark.parametrize(
    "few, walk_limit, list_factor, check_limit, near_names",
    [
        (1000, 20_000, 2, 20_000, 2000),
        (0, 20_000, 0, 20_000, 2000),
        (0, 1, 2, 1, 2000),
        (1000, 20_000, 2, 20_000, 2),
    ],
    ids=["by-id", "walk-and-check", "long-walk-many-there", "near-first-names"],
)
def test_service_at_locations_pages_match_the_plain_query(
    client, many_places, monkeypatch, few, walk_limit, list_factor, check_limit, near_names
):
    """Whichever way a page is found (matches' ids to the database, a walk over the services
    in name order, the engine checking the services of a place), it is the page the plain
    query gives: same total, same rows, same order (service name, then id)."""
    from hearth.api import hsds as hsds_api
    from hearth.directory.models import ServiceAtLocation

    monkeypatch.setattr(hsds_api, "SAL_FEW_SERVICES", few)
    monkeypatch.setattr(hsds_api, "SAL_WALK_LIMIT", walk_limit)
    monkeypatch.setattr(hsds_api, "SAL_LIST_FACTOR", list_factor)
    monkeypatch.setattr(hsds_api, "SAL_CHECK_LIMIT", check_limit)
    # Near a postcode, a first page among the rows of the first few services in name order.
    monkeypatch.setattr(hsds_api, "SAL_NEAR_NAMES", near_names)
    monkeypatch.setattr(hsds_api, "SAL_NEAR_NAMES_PER_ROW", 1 if near_names < 100 else 100)
    monkeypatch.setattr(search, "MATCH_CHUNK", 5)
    everything = ServiceAtLocation.objects.order_by("service__name", "id")
    postcode = everything.filter(location__addresses__postal_code="RV9 9ZZ")
    cases = [
        ({}, everything),
        ({"search": "food"}, everything.filter(service__description__contains="food")),
        ({"search": "legal"}, everything.filter(service__description__contains="legal")),
        ({"search": "nothingmatches"}, everything.none()),
        ({"postcode": "RV9 9ZZ"}, postcode),
        (
            {"postcode": "RV9 9ZZ", "search": "food"},
            postcode.filter(service__description__contains="food"),
        ),
        (
            {"postcode": "RV9 9ZZ", "proximity": "100000", "search": "legal"},
            everything.filter(service__description__contains="legal"),
        ),
        # The second location of each service is about 1.1 km north of the first.
        ({"postcode": "RV9 9ZZ", "proximity": "500"}, everything.filter(location__latitude=45.5)),
        (
            {"postcode": "RV9 9ZZ", "proximity": "500", "search": "food"},
            everything.filter(location__latitude=45.5, service__description__contains="food"),
        ),
    ]
    for params, expected in cases:
        expected_ids = [str(i) for i in expected.values_list("id", flat=True)]
        for per_page in (1, 4, 7):
            for page in range(1, len(expected_ids) // per_page + 3):
                body = client.get(
                    "/api/hsds/service_at_locations", {**params, "page": page, "per_page": per_page}
                ).json()
                assert body["total_items"] == len(expected_ids), params
                start = (page - 1) * per_page
                assert [item["id"] for item in body["contents"]] == expected_ids[
                    start : start + per_page
                ], (params, page, per_page)
        streamed = client.get("/api/hsds/service_at_locations", {**params, "format": "ndjson"})
        lines = b"".join(streamed.streaming_content).decode().splitlines()
        assert [json.loads(line)["id"] for line in lines] == expected_ids, params


def _destination(origin: tuple[float, float], bearing: float, metres: float):
    """The point `metres` from `origin` on a great circle at `bearing` degrees."""
    lat1, lon1, theta = map(math.radians, (*origin, bearing))
    angle = metres / search.EARTH_RADIUS_M
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angle) + math.cos(lat1) * math.sin(angle) * math.cos(theta)
    )
    lon2 = lon1 + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(lat1),
        math.cos(angle) - math.sin(lat1) * math.sin(lat2),
    )
    return math.degrees(lat2), math.degrees(lon2)


@pytest.mark.parametrize("near_names", [2000, 3], ids=["all-names", "first-names"])
@pytest.mark.parametrize(
    "latitude, metres",
    [(45.5, 5000), (61.2, 200_000), (-33.9, 1000), (0.2, 50_000), (79.0, 30_000)],
)
def test_service_at_locations_at_the_edge_of_the_radius(
    client, monkeypatch, latitude, metres, near_names
):
    """A location just inside the radius is listed and counted, one just outside is not,
    exactly as `search.distance_m` measures them (within the bounding box the listing starts
    from), however the database narrows the rows down first; a confidential location counts
    by its coarse point like any other, and its point is never shown."""
    from hearth.api import hsds as hsds_api
    from hearth.directory.models import ServiceAtLocation

    monkeypatch.setattr(hsds_api, "SAL_NEAR_NAMES", near_names)
    monkeypatch.setattr(hsds_api, "SAL_NEAR_NAMES_PER_ROW", 1 if near_names < 100 else 100)
    origin = (latitude, 10.0)
    centre = ServiceAtLocationFactory(
        service__name="Centre", location__latitude=origin[0], location__longitude=origin[1]
    )
    Address.objects.create(
        location=centre.location,
        address_1="1 Edge Street",
        city="Edgeton",
        state_province="RV",
        postal_code="RV7 7ZZ",
        country="US",
        address_type="physical",
    )
    for bearing in range(0, 360, 15):
        for factor in (1 - 1e-9, 1 + 1e-9, 1 - 1e-4, 1 + 1e-4, 1 - 1e-2, 1 + 1e-2):
            point = _destination(origin, bearing + 7, metres * factor)
            ServiceAtLocationFactory(
                service__name=f"Service {bearing % 4}",
                service__description="edge pantry" if bearing % 2 else "edge legal",
                location__latitude=point[0],
                location__longitude=point[1],
                location__is_confidential=factor == 1 - 1e-9 and bearing == 45,
            )
    # More locations than the index keeps points of, only the last within the radius.
    many = ServiceFactory(name="Service 1", description="edge pantry legal")
    for bearing, factor in ((10, 3), (100, 3), (190, 3), (53, 1 - 1e-9)):
        point = _destination(origin, bearing, metres * factor)
        ServiceAtLocationFactory(
            service=many, location__latitude=point[0], location__longitude=point[1]
        )
    search.rebuild()
    (lat_low, lat_high), (lon_low, lon_high) = hsds_api._bounding_box(origin, metres)
    hidden = ServiceAtLocation.objects.select_related("location").get(
        location__is_confidential=True
    )

    def within(link) -> bool:
        point = (link.location.latitude, link.location.longitude)
        in_box = lat_low <= point[0] <= lat_high and lon_low <= point[1] <= lon_high
        return in_box and search.distance_m(origin, point) <= metres

    everything = ServiceAtLocation.objects.select_related("location", "service")
    ordered = sorted(everything, key=lambda link: (link.service.name, link.id.hex))
    for text in ("", "pantry"):
        expected = [
            str(link.id)
            for link in ordered
            if within(link) and (not text or text in link.service.description)
        ]
        # The edge is really tested: rows within a billionth of the radius either side.
        assert (
            0
            < len(expected)
            < len([link for link in ordered if not text or text in link.service.description])
        )
        params = {"postcode": "RV7 7ZZ", "proximity": str(metres), "search": text}
        for per_page in (5, 1000):
            got = []
            for page in range(1, len(expected) // per_page + 2):
                body = client.get(
                    "/api/hsds/service_at_locations", {**params, "page": page, "per_page": per_page}
                ).json()
                assert body["total_items"] == len(expected), (params, per_page)
                got += [item["id"] for item in body["contents"]]
                assert str(hidden.location.latitude) not in json.dumps(body)
            assert got == expected, params
        streamed = client.get("/api/hsds/service_at_locations", {**params, "format": "ndjson"})
        lines = b"".join(streamed.streaming_content).decode().splitlines()
        assert [json.loads(line)["id"] for line in lines] == expected, params
