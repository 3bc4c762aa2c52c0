import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from hearth.accounts import demo_data
from hearth.accounts.demo import load_demo
from hearth.accounts.models import Organization as Member
from hearth.core.audit import verify_chain
from hearth.core.models import AuditRecord
from hearth.directory import taxonomy
from hearth.directory.demo_listings import LISTINGS, load_demo_listings
from hearth.directory.models import (
    Accessibility,
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
)

pytestmark = pytest.mark.django_db

MODELS = (
    Organization,
    Location,
    Address,
    Accessibility,
    Service,
    ServiceAtLocation,
    Phone,
    Schedule,
    Language,
    CostOption,
    Attribute,
)
OUTSIDE_HEARTH = {
    "Riverbend County 211",
    "Millbrook Free Clinic",
    "Riverbend Public Library",
    "Cedar Falls Family Resource Center",
    "Valley Dial-a-Ride",
}


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo():
    load_demo()


def test_loading_the_demo_twice_changes_nothing(demo):
    first = counts()
    audit_rows = AuditRecord.objects.count()
    ids = set(Service.objects.values_list("id", flat=True))

    created = load_demo_listings()

    assert set(created.values()) == {0}
    assert counts() == first
    assert set(Service.objects.values_list("id", flat=True)) == ids
    assert AuditRecord.objects.count() == audit_rows
    assert first == {
        "Organization": 30,
        "Location": 36,
        "Address": 29,
        "Accessibility": 30,
        "Service": 62,
        "ServiceAtLocation": 68,
        "Phone": 94,
        "Schedule": 75,
        "Language": 104,
        "CostOption": 62,
        "Attribute": 119,
    }


def test_the_load_is_recorded_once_with_its_counts(demo):
    record = AuditRecord.objects.get(action="hearth.directory.demo.loaded")

    assert record.actor_label == "system"
    assert record.network_id == Member.objects.get(slug="harbor-house").networks.get().id
    assert record.detail["created"]["service"] == 62
    assert record.detail["created"]["organization"] == 30
    assert verify_chain().intact


def test_every_demo_member_has_a_listing_like_its_own_details(demo):
    for spec in demo_data.ORGANIZATIONS:
        member = Member.objects.get(slug=spec["slug"])
        listing = Organization.objects.get(member=member)
        assert (listing.name, listing.description, listing.website, listing.email) == (
            member.name,
            member.description,
            member.website,
            member.email,
        )
        assert listing.network.slug == spec["networks"][0]
        assert 1 <= listing.services.count() <= 3
        assert listing.phones.get().number == member.phone


def test_some_listed_organizations_do_not_use_hearth(demo):
    outside = Organization.objects.filter(member__isnull=True)

    assert set(outside.values_list("name", flat=True)) == OUTSIDE_HEARTH
    assert set(outside.values_list("network__slug", flat=True)) == {"riverbend-valley"}


def test_the_shelter_has_no_address_only_a_coarse_area_and_a_helpline(demo):
    shelter = Service.objects.get(name="Emergency shelter for people leaving domestic violence")
    location = Location.objects.get(service_at_locations__service=shelter)

    assert location.is_confidential is True
    assert location.coarse_area == "Riverbend Valley (confidential location)"
    assert (location.latitude, location.longitude) == (45.6, -122.6)
    assert not Address.objects.filter(location=location).exists()
    assert location.phones.get().number == "555-0140"
    assert "24-hour helpline" in location.phones.get().description
    assert shelter.phones.get().number == "555-0140"
    assert shelter.organization.member.slug == "harbor-house"
    codes = set(
        Attribute.objects.filter(link_id=shelter.id).values_list("taxonomy_term__code", flat=True)
    )
    assert codes == {taxonomy.HELP_ESCAPE_VIOLENCE, taxonomy.SAFE_HOUSING, "1121"}


def test_every_confidential_location_keeps_no_address_and_coarse_coordinates(demo):
    confidential = Location.objects.filter(is_confidential=True)

    assert set(confidential.values_list("name", flat=True)) == {
        "Harbor House shelter",
        "Clearwater safe house",
    }
    assert not Address.objects.filter(location__in=confidential).exists()
    for location in confidential:
        assert round(location.latitude, 1) == location.latitude
        assert round(location.longitude, 1) == location.longitude
        assert location.coarse_area.endswith("(confidential location)")
        assert location.phones.count() == 1
    # Nothing public is at the confidential points' precise coordinates.
    assert Location.objects.filter(is_confidential=False, latitude=45.5571).count() == 0


def test_every_physical_public_location_has_an_address_in_the_fictional_state(demo):
    public = Location.objects.filter(is_confidential=False, location_type="physical")

    assert public.count() == Address.objects.count() == 29
    for address in Address.objects.all():
        assert (address.state_province, address.country) == ("RV", "US")
        assert address.city in {"Riverbend", "Millbrook", "Cedar Falls", "Harlow", "Eastgate"}
        assert address.postal_code[:2] == "RV" and len(address.postal_code) == 7
    for location in public:
        assert 45.4 < location.latitude < 45.6 and -122.8 < location.longitude < -122.4


def test_some_listings_are_out_of_date(demo):
    cutoff = timezone.localdate() - dt.timedelta(days=settings.HEARTH_LISTING_STALE_AFTER_DAYS)

    stale = set(Service.objects.filter(assured_date__lt=cutoff).values_list("name", flat=True))

    assert stale == {
        "Open making sessions",
        "Community garden plots and drop-in gardening",
        "Seasonal cooking workshops",
        "Open studio and creative workshops",
        "Restorative circles for workplaces and groups",
        "Evaluation support for community groups",
        "Earn-a-bike program",
        "Free computer and internet help",
        "English conversation circles",
    }
    assert Service.objects.filter(assured_date__gte=cutoff).count() == 53


def test_every_capacity_value_appears_with_notes_and_times(demo):
    statuses = set(Service.objects.values_list("capacity_status", flat=True))

    assert statuses == set(Service.Capacity.values)
    for service in Service.objects.exclude(capacity_status=""):
        assert service.capacity_updated_at is not None
    assert (
        Service.objects.filter(capacity_status="", capacity_updated_at__isnull=False).count() == 0
    )
    waitlist = Service.objects.get(name="Trauma-focused counseling for adults")
    assert (waitlist.capacity_status, waitlist.capacity_note) == (
        "waitlist",
        "About three weeks' wait for a first session.",
    )


def test_every_service_has_places_hours_languages_a_cost_and_terms(demo):
    for service in Service.objects.all():
        assert service.service_at_locations.exists(), service.name
        assert service.schedules.exists(), service.name
        assert service.languages.filter(code__in=["en", "es"]).exists(), service.name
        assert service.cost_options.count() == 1, service.name
        assert Attribute.objects.filter(link_id=service.id, link_entity="service").exists()
        assert service.assured_date is not None


def test_the_therapy_cooperative_has_a_sliding_scale_and_most_services_are_free(demo):
    therapy = Service.objects.filter(organization__member__slug="willow-commons-therapy")

    assert set(CostOption.objects.filter(service__in=therapy).values_list("option", flat=True)) == {
        "Sliding scale"
    }
    assert CostOption.objects.filter(option="Free", amount=Decimal("0.00")).count() == 58


def test_the_youth_program_states_its_ages(demo):
    studio = Service.objects.get(name="After-school studio for young people")

    assert (studio.minimum_age, studio.maximum_age) == (11, 18)


def test_spanish_speakers_can_find_services_in_spanish(demo):
    assert Language.objects.filter(code="es").count() == 35
    assert Service.objects.get(name="Clínica de inmigración en español").alternate_name == (
        "Immigration clinic in Spanish"
    )
    assert Service.objects.get(name="Choice food pantry").alternate_name == (
        "Despensa de alimentos: comida gratis"
    )
    interpreters = Service.objects.get(name="Interpreters for appointments")
    assert set(interpreters.languages.values_list("code", flat=True)) == {
        "en",
        "es",
        "ht",
        "vi",
        "ar",
        "ase",
    }


def test_schedules_are_weekly_with_a_time_zone_and_readable_hours(demo):
    shelter = Service.objects.get(name="Emergency shelter for people leaving domestic violence")
    pantry = Service.objects.get(name="Choice food pantry")

    (always,) = shelter.schedules.all()
    assert (always.freq, always.byday, always.timezone) == ("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", -8.0)
    assert always.description == "Open 24 hours, every day"
    assert sorted(pantry.schedules.values_list("byday", "opens_at", "closes_at")) == [
        ("SA", dt.time(9), dt.time(12)),
        ("TH", dt.time(15), dt.time(19)),
        ("TU", dt.time(10), dt.time(14)),
    ]


def test_members_missing_from_the_database_are_skipped():
    created = load_demo_listings()

    assert created["organization"] == len(OUTSIDE_HEARTH)
    assert set(Organization.objects.values_list("name", flat=True)) == OUTSIDE_HEARTH


def test_every_member_in_the_demo_data_has_listing_data():
    keys = {listing.key for listing in LISTINGS}

    assert {spec["slug"] for spec in demo_data.ORGANIZATIONS} <= keys
    assert len(keys) == len(LISTINGS)
