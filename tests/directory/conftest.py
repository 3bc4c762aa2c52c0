"""Fixtures shared by the directory tests. Names start with `hsds_` where they are about the
standard, so other directory test modules can add their own without clashing."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from hearth.directory import models
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    TaxonomyTermFactory,
)

# The standard as published, beside the repository (shared/standards/hsds-3.0).
HSDS_STANDARD = Path(__file__).resolve().parents[3] / "shared" / "standards" / "hsds-3.0"


@pytest.fixture
def hsds_standard() -> Path:
    if not (HSDS_STANDARD / "examples").is_dir():
        pytest.skip("the HSDS 3.0 standard is not beside the repository (shared/standards)")
    return HSDS_STANDARD


@pytest.fixture
def hsds_rich_service(db):
    """Build a service with one of every kind of record HSDS nests in a service document."""

    def build(name: str = "Harbor counselling", *, confidential: bool = False):
        organization = DirectoryOrganizationFactory(
            name=f"{name} organization",
            description="Runs the service.",
            email="info@harbor.example.org",
            year_incorporated=1998,
        )
        program = models.Program.objects.create(
            organization=organization, name=f"{name} program", description="A program."
        )
        service = ServiceFactory(
            organization=organization,
            program=program,
            name=name,
            description="Talk with someone.",
            status="active",
            minimum_age=16,
            assured_date=dt.date(2024, 5, 1),
            last_modified=dt.datetime(2024, 5, 2, 9, 30, tzinfo=dt.UTC),
            capacity_status="waitlist",
        )
        service_at_location = ServiceAtLocationFactory(
            service=service,
            location__name=f"{name} house",
            location__organization=organization,
            location__latitude=45.512345,
            location__longitude=-122.654321,
            location__transportation="Bus 12 to Mill Lane",
            location__external_identifier="UPRN-100092008082",
            location__is_confidential=confidential,
            location__coarse_area="North Riverbend" if confidential else "",
            description="In person.",
        )
        location = service_at_location.location
        models.Address.objects.create(
            location=location,
            address_1="12 Mill Lane",
            city="Riverbend",
            state_province="RV",
            postal_code="RV1 1AA",
            country="US",
            address_type="physical",
        )
        models.Accessibility.objects.create(location=location, description="Step-free entrance")
        front_door = models.Phone.objects.create(
            location=location, number="555-0100", type="voice", description="Front door"
        )
        models.Language.objects.create(phone=front_door, name="Spanish", code="es")
        contact = models.Contact.objects.create(
            service=service, name="Reception", email="front@harbor.example.org"
        )
        models.Phone.objects.create(contact=contact, service=service, number="555-0101")
        models.Phone.objects.create(service_at_location=service_at_location, number="555-0102")
        models.Schedule.objects.create(
            service=service,
            freq="WEEKLY",
            byday="MO,TU",
            opens_at=dt.time(9, 0),
            closes_at=dt.time(17, 30),
            timezone=-8,
        )
        models.Schedule.objects.create(location=location, freq="WEEKLY", byday="SA")
        models.Language.objects.create(service=service, name="English", code="en")
        models.Language.objects.create(location=location, name="Vietnamese", code="vi")
        models.ServiceArea.objects.create(service=service, name="Riverbend Valley")
        models.CostOption.objects.create(
            service=service, option="Per session", currency="USD", amount=Decimal("12.50")
        )
        models.Funding.objects.create(service=service, source="County grant")
        models.RequiredDocument.objects.create(service=service, document="Proof of address")
        models.OrganizationIdentifier.objects.create(
            organization=organization, identifier_type="Charity number", identifier="12345"
        )
        term = TaxonomyTermFactory(
            name="Counseling", code=f"{name[:3].upper()}-1", description="Talking help"
        )
        models.Attribute.objects.create(
            link_id=service.id, link_entity="service", taxonomy_term=term, value="yes"
        )
        for record_id, resource_type, field_name, before, after in (
            (service.id, "service", "name", "Old name", name),
            (location.id, "location", "latitude", "45.512345", "45.5"),
        ):
            models.Metadata.objects.create(
                resource_id=record_id,
                resource_type=resource_type,
                last_action_date=dt.datetime(2024, 4, 1, tzinfo=dt.UTC),
                last_action_type="update",
                field_name=field_name,
                previous_value=before,
                replacement_value=after,
                updated_by="staff@harbor.example.org",
            )
        return service

    return build


DIRECTORY_MODELS = [
    models.Taxonomy,
    models.TaxonomyTerm,
    models.Organization,
    models.OrganizationIdentifier,
    models.Program,
    models.Service,
    models.Location,
    models.ServiceAtLocation,
    models.Address,
    models.Contact,
    models.Phone,
    models.Schedule,
    models.Language,
    models.ServiceArea,
    models.CostOption,
    models.Funding,
    models.RequiredDocument,
    models.Accessibility,
    models.Attribute,
    models.Metadata,
    models.MetaTableDescription,
]


@pytest.fixture
def hsds_table_counts(db):
    """The number of rows of every directory table, to show an import wrote nothing."""
    return lambda: {model.__name__: model.objects.count() for model in DIRECTORY_MODELS}


# ---------------------------------------------------------------------------------------------
# Keeping listings current: a member organization's claimed listing, and a snapshot of
# everything a page for keepers could change.


@pytest.fixture
def kept_listing(organization, network):
    """The member organization's claimed listing: one service at one located, addressed place."""
    listed = DirectoryOrganizationFactory(
        member=organization, network=network, name="Millbrook Food Bank"
    )
    sal = ServiceAtLocationFactory(
        service__organization=listed,
        service__name="Food pantry",
        location__organization=listed,
        location__name="Pantry hall",
        location__latitude=45.51234,
        location__longitude=-122.65678,
    )
    models.Address.objects.create(
        location=sal.location,
        address_1="4 Orchard Road",
        city="Millbrook",
        state_province="RV",
        postal_code="RV1 1AA",
        country="US",
        address_type="physical",
    )
    return sal


KEPT_MODELS = [
    models.Organization,
    models.Service,
    models.Location,
    models.Address,
    models.ServiceAtLocation,
    models.Schedule,
    models.Language,
    models.CostOption,
    models.Accessibility,
    models.Metadata,
    models.ListingClaim,
]


@pytest.fixture
def directory_snapshot(db):
    """Every row a listing page could change, and the audit trail's length: equal snapshots
    before and after mean nothing changed and nothing was recorded."""
    from hearth.core.models import AuditRecord

    def take():
        rows = {
            model.__name__: sorted(
                (tuple(sorted(row.items())) for row in model.objects.values()), key=repr
            )
            for model in KEPT_MODELS
        }
        return rows, AuditRecord.objects.count()

    return take
