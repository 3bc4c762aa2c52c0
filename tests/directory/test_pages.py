import datetime as dt
from decimal import Decimal

import pytest

from hearth.directory import search
from hearth.directory.models import Address, CostOption, Language, Phone
from tests.directory.factories import (
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def listing(name, *, postcode="RV1 1AA", city="Riverbend", lat=45.5, lon=-122.6, **fields):
    sal = ServiceAtLocationFactory(
        service__name=name, location__latitude=lat, location__longitude=lon, **fields
    )
    Address.objects.create(
        location=sal.location,
        address_1="12 Mill Lane",
        city=city,
        state_province="RV",
        postal_code=postcode,
        country="US",
        address_type="physical",
    )
    return sal


def test_the_search_page_starts_with_guidance(client):
    response = client.get("/find/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Find help near you" in body
    assert "Nobody sees what you search for" in body
    assert "data-hearth-quick-exit-button" in body


def test_a_person_finds_a_free_spanish_speaking_service_near_a_postcode(client):
    wanted = listing("Centro de ayuda legal", postcode="RV2 3CD", lat=45.52)
    Language.objects.create(service=wanted.service, code="es", name="Español")
    CostOption.objects.create(service=wanted.service, amount=Decimal(0), option="Free")
    far = listing("Far away help", postcode="RV9 9ZZ", lat=46.4)
    Language.objects.create(service=far.service, code="es")
    CostOption.objects.create(service=far.service, amount=Decimal(0))
    search.rebuild()

    response = client.get(
        "/find/", {"near": "RV2 3CD", "radius": "10", "language": "es", "free": "on"}
    )

    body = response.content.decode()
    assert "1 service found" in body
    assert "Centro de ayuda legal" in body
    assert "Far away help" not in body
    assert "0.0 km away" in body


def test_open_now_shows_only_open_services(client, monkeypatch):
    open_sal = listing("Open drop-in")
    ScheduleFactory(service=open_sal.service, byday="", opens_at=dt.time(0), closes_at=dt.time(0))
    closed = listing("Closed office")
    ScheduleFactory(service=closed.service, byday="SU", opens_at=dt.time(1), closes_at=dt.time(2))
    search.rebuild()

    body = client.get("/find/", {"open_now": "on"}).content.decode()

    assert "Open drop-in" in body
    assert "Closed office" not in body


def test_an_unknown_place_is_named_in_the_error(client):
    response = client.get("/find/", {"near": "Atlantis"})

    body = response.content.decode()
    assert "There is a problem" in body
    assert "We could not find “Atlantis”" in body


def test_a_bad_age_is_explained(client):
    body = client.get("/find/", {"age": "sixteen"}).content.decode()

    assert "Enter an age as a number, like 16" in body


def test_no_results_suggests_what_to_change(client):
    search.rebuild()

    body = client.get("/find/", {"q": "unicorns"}).content.decode()

    assert "0 services found" in body
    assert "Try fewer words" in body


def test_the_service_page_shows_details_and_works_in_spanish(client):
    sal = listing("Food pantry")
    Phone.objects.create(service=sal.service, number="555-0100")

    english = client.get(f"/find/services/{sal.service.id}/").content.decode()
    client.cookies["hearth_language"] = "es"
    spanish = client.get(f"/find/services/{sal.service.id}/").content.decode()

    assert "Food pantry" in english
    assert "12 Mill Lane" in english
    assert "555-0100" in english
    assert '<html lang="es"' in spanish


def test_a_confidential_location_shows_only_its_area(client):
    service = ServiceFactory(name="Harbor shelter")
    sal = ServiceAtLocationFactory(
        service=service,
        location__is_confidential=True,
        location__coarse_area="Riverbend Valley (confidential location)",
        location__latitude=45.5,
        location__longitude=-122.6,
    )
    Phone.objects.create(location=sal.location, number="555-0199", description="24-hour helpline")

    body = client.get(f"/find/services/{service.id}/").content.decode()

    assert "Riverbend Valley (confidential location)" in body
    assert "555-0199" in body
    assert "45.5" not in body
    assert "122.6" not in body


def test_unknown_and_defunct_services_are_not_found(client):
    gone = ServiceFactory(status="defunct")

    assert client.get(f"/find/services/{gone.id}/").status_code == 404
    assert client.get("/find/services/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_a_stale_listing_is_flagged(client):
    service = ServiceFactory(name="Old info", assured_date=dt.date(2020, 1, 1))

    body = client.get(f"/find/services/{service.id}/").content.decode()

    assert "has not been checked recently" in body


def test_a_place_is_found_whatever_the_case_typed(client):
    from hearth.directory import selectors

    listing("Pantry", postcode="RV7 2QB", city="Peñasco", lat=45.0, lon=-122.0)
    listing("Clinic", postcode="RV7 2QB", city="Peñasco", lat=45.2, lon=-122.2)

    for typed in ("RV7 2QB", "rv7 2qb", " Rv7   2qB ", "Peñasco", "PEñASCO", "peñasco"):
        place = selectors.locate_place(typed)
        assert place is not None, typed
        assert (round(place.latitude, 6), round(place.longitude, 6)) == (45.1, -122.1)
    assert selectors.locate_place("RV7") is None
    assert selectors.locate_place("Peñas") is None
    assert selectors.locate_place("RV7 2Q_") is None
    assert selectors.locate_place("RV7 2Q%") is None


@pytest.mark.parametrize("pages", [1, 2, 5, 8, 60])
def test_the_pagination_shows_the_same_links_with_fewer_numbers_looped_over(pages):
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    from hearth.directory.views import SearchPage, ShownPages

    paginator = Paginator(SearchPage(pages * 20), 20)
    for number in range(1, pages + 1):
        page = paginator.page(number)
        page.query_prefix = "q=food&"
        plain = render_to_string("hearth/pagination.html", {"page": page})
        page.paginator = ShownPages(paginator, number)
        shown = render_to_string("hearth/pagination.html", {"page": page})
        assert [line for line in shown.splitlines() if line.strip()] == [
            line for line in plain.splitlines() if line.strip()
        ]
