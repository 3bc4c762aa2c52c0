import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from hearth.core.models import AuditRecord
from hearth.directory.generate import LATITUDES, LONGITUDES, NEEDS, generate_directory, towns
from hearth.directory.models import (
    Address,
    Attribute,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
SPANISH_NAMES = {name for need in NEEDS for name in need.names_es}


def snapshot():
    return {
        "organizations": sorted(Organization.objects.values_list("id", "name", "description")),
        "services": sorted(
            Service.objects.values_list(
                "id", "organization_id", "name", "alternate_name", "description", "assured_date"
            )
        ),
        "locations": sorted(
            Location.objects.values_list("id", "organization_id", "latitude", "longitude")
        ),
        "addresses": sorted(Address.objects.values_list("id", "address_1", "postal_code")),
        "attributes": sorted(Attribute.objects.values_list("id", "link_id", "taxonomy_term_id")),
        "schedules": sorted(Schedule.objects.values_list("id", "byday", "opens_at", "closes_at")),
        "languages": sorted(Language.objects.values_list("id", "service_id", "code")),
    }


def delete_generated():
    Attribute.objects.all().delete()
    Organization.objects.all().delete()


def spanish_first(service_name: str) -> bool:
    return any(service_name.startswith(name) for name in SPANISH_NAMES)


def test_a_seed_always_gives_the_same_directory_whatever_the_batch_size():
    generate_directory(services=200, seed=11, now=NOW)
    first = snapshot()
    delete_generated()
    assert Service.objects.count() == 0

    generate_directory(services=200, seed=11, now=NOW, batch_size=37)

    assert snapshot() == first


def test_another_seed_gives_another_directory():
    generate_directory(services=50, seed=1, now=NOW)
    first = set(Service.objects.values_list("id", flat=True))
    delete_generated()

    generate_directory(services=50, seed=2, now=NOW)

    assert first.isdisjoint(set(Service.objects.values_list("id", flat=True)))


def test_the_requested_number_of_services_in_about_a_quarter_as_many_organizations():
    result = generate_directory(services=200, seed=5, now=NOW)

    assert Service.objects.count() == 200
    assert Organization.objects.count() == 50
    assert Organization.objects.filter(services__isnull=True).count() == 0
    per_organization = Counter(Location.objects.values_list("organization_id", flat=True))
    assert set(per_organization.values()) <= {1, 2, 3}
    assert len(per_organization) == 50
    assert result.counts["service"] == 200
    assert result.counts["organization"] == 50
    assert result.counts["location"] == Location.objects.count()
    assert TaxonomyTerm.objects.count() == 289


def test_the_proportions_are_roughly_as_stated():
    generate_directory(services=200, seed=5, now=NOW)
    services = Service.objects.all()

    spanish = Language.objects.filter(code="es").count() / 200
    assert 0.2 <= spanish <= 0.45
    assert Language.objects.filter(code="en").count() == 200
    free = CostOption.objects.filter(option="Free").count() / 200
    assert 0.38 <= free <= 0.62
    assert CostOption.objects.count() == 200
    written_in_spanish = sum(
        spanish_first(name) for name in services.values_list("name", flat=True)
    )
    assert 10 <= written_in_spanish <= 60
    assert set(services.values_list("capacity_status", flat=True)) == set(Service.Capacity.values)
    assert 5 <= services.filter(minimum_age__isnull=False).count() <= 80
    oldest = NOW.date() - dt.timedelta(days=730)
    assert services.filter(assured_date__lt=oldest).count() == 0
    assert services.filter(assured_date__lt=NOW.date() - dt.timedelta(days=365)).count() >= 60
    assert services.filter(assured_date__gt=NOW.date() - dt.timedelta(days=180)).count() >= 25
    assert Schedule.objects.filter(byday="MO,TU,WE,TH,FR,SA,SU", opens_at=dt.time(0)).exists()


def test_every_service_is_complete_and_its_description_is_forty_to_eighty_words():
    generate_directory(services=200, seed=8, now=NOW)

    attributes = Counter(Attribute.objects.values_list("link_id", flat=True))
    places = Counter(ServiceAtLocation.objects.values_list("service_id", flat=True))
    for service in Service.objects.all():
        assert 40 <= len(service.description.split()) <= 80, service.description
        assert 1 <= attributes[service.id] <= 3
        assert 1 <= places[service.id] <= 2
        assert service.schedules.exists()
    assert set(Attribute.objects.values_list("link_entity", flat=True)) == {"service"}
    assert Phone.objects.filter(service__isnull=False).count() == 200


def test_words_people_type_when_frightened_are_in_the_text():
    generate_directory(services=400, seed=3, now=NOW)
    text = " ".join(
        f"{name} {description}".lower()
        for name, description in Service.objects.values_list("name", "description")
    )

    for word in ("shelter", "food", "lawyer", "counseling", "rent", "violence", "comida"):
        assert word in text, word


def test_about_one_in_a_hundred_locations_is_confidential_and_keeps_no_address():
    generate_directory(services=2000, seed=4, now=NOW)
    confidential = Location.objects.filter(is_confidential=True)

    share = confidential.count() / Location.objects.count()
    assert 0.002 <= share <= 0.03
    assert not Address.objects.filter(location__in=confidential).exists()
    for location in confidential:
        assert (round(location.latitude, 1), round(location.longitude, 1)) == (
            location.latitude,
            location.longitude,
        )
        assert location.coarse_area.endswith("area (confidential location)")
        assert location.phones.count() == 1
    public = Location.objects.filter(is_confidential=False, location_type="physical")
    assert Address.objects.count() == public.count()


def test_places_lie_in_a_region_of_about_a_hundred_kilometres():
    generate_directory(services=300, seed=9, now=NOW)

    for latitude, longitude in Location.objects.exclude(latitude=None).values_list(
        "latitude", "longitude"
    ):
        assert LATITUDES[0] - 0.2 < latitude < LATITUDES[1] + 0.2
        assert LONGITUDES[0] - 0.3 < longitude < LONGITUDES[1] + 0.3
    districts = {town.district for town in towns()}
    for postal_code, state in Address.objects.values_list("postal_code", "state_province"):
        assert postal_code.split()[0] in districts
        assert state == "RV"
    assert len(towns()) == 40


def test_organizations_can_be_listed_in_a_network_and_the_run_is_recorded():
    network = NetworkFactory()

    result = generate_directory(services=20, seed=1, network=network, now=NOW)

    assert set(Organization.objects.values_list("network", flat=True)) == {network.id}
    assert Organization.objects.filter(member__isnull=False).count() == 0
    record = AuditRecord.objects.get(action="hearth.directory.generate.completed")
    assert record.network_id == network.id
    assert record.detail["seed"] == 1
    assert record.detail["created"] == result.counts
    assert result.network == network.slug


def test_asking_for_no_services_is_refused_and_writes_nothing():
    with pytest.raises(ValueError, match="at least one"):
        generate_directory(services=0, seed=1)

    assert Service.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_the_command_prints_progress_and_the_total_time(capsys):
    NetworkFactory(slug="riverbend-valley")

    call_command(
        "generate-directory", "--services", "30", "--seed", "2", "--network", "riverbend-valley"
    )

    out = capsys.readouterr().out
    assert out.startswith("Generating 30 services with seed 2...\n")
    assert "30 / 30 services" in out
    assert "Created 8 organization, " in out
    assert "Total time: " in out
    assert Service.objects.count() == 30


def test_the_command_refuses_an_unknown_network_or_a_bad_count():
    with pytest.raises(CommandError, match="no network with the slug 'nowhere'"):
        call_command("generate-directory", "--services", "10", "--network", "nowhere")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate-directory", "--services", "0")

    assert Service.objects.count() == 0
