"""Reads of the public directory. Everything here is public information; confidential locations
carry no address or precise coordinates in the database at all, so nothing here can leak them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import Http404

from . import search
from .models import (
    Address,
    Attribute,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)


def stale_after_days(service: Service) -> int:
    network = service.organization.network if service.organization_id else None
    return (
        getattr(network, "listing_stale_after_days", None)
        or settings.HEARTH_LISTING_STALE_AFTER_DAYS
    )


def is_stale(service: Service, today: date | None = None) -> bool:
    """A listing nobody has confirmed within its network's period is flagged as maybe out of
    date."""
    today = today or date.today()
    if service.assured_date is None:
        return True
    return service.assured_date < today - timedelta(days=stale_after_days(service))


def _card_queryset() -> QuerySet[Service]:
    return Service.objects.select_related("organization__network").prefetch_related(
        "languages",
        "cost_options",
        "schedules",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "schedules", "location__schedules"
            ),
        ),
    )


def services_in_order(ids: list[UUID]) -> list[Service]:
    """The services behind a page of search results, in the order the search ranked them."""
    by_id = {service.id: service for service in _card_queryset().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def service_for_public(service_id) -> Service:
    service = (
        _card_queryset()
        .prefetch_related(
            "phones",
            "contacts__phones",
            "required_documents",
            "service_areas",
            "service_at_locations__location__phones",
            "service_at_locations__location__accessibility",
            "service_at_locations__location__languages",
        )
        .filter(pk=service_id)
        .exclude(status=Service.Status.DEFUNCT)
        .first()
    )
    if service is None:
        raise Http404
    return service


def organization_for_public(organization_id) -> Organization:
    organization = (
        Organization.objects.select_related("network", "member")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.exclude(status=Service.Status.DEFUNCT).order_by("name"),
            ),
            "phones",
        )
        .filter(pk=organization_id)
        .first()
    )
    if organization is None:
        raise Http404
    return organization


def taxonomy_terms_for(service: Service) -> list[TaxonomyTerm]:
    term_ids = Attribute.objects.filter(link_entity="service", link_id=service.id).values(
        "taxonomy_term_id"
    )
    return list(TaxonomyTerm.objects.filter(pk__in=term_ids).order_by("name"))


def top_taxonomy_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(parent__isnull=True).order_by("name")


def term_names(ids) -> dict[str, str]:
    return {str(k): v for k, v in TaxonomyTerm.objects.filter(pk__in=ids).values_list("id", "name")}


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float


def locate_place(text: str) -> Place | None:
    """Where a postcode or town is, from the directory's own addresses: no outside service is
    asked, so nobody learns what a visitor searched for. Confidential locations have no
    address rows and never contribute."""
    text = " ".join(text.split())
    if not text:
        return None
    located = (
        Address.objects.filter(
            location__is_confidential=False,
            location__latitude__isnull=False,
            location__longitude__isnull=False,
        )
        .filter(Q(postal_code__iexact=text) | Q(city__iexact=text))
        .aggregate(
            latitude=Avg("location__latitude"),
            longitude=Avg("location__longitude"),
            count=Count("id"),
        )
    )
    if not located["count"]:
        return None
    return Place(text, located["latitude"], located["longitude"])


def is_open(schedules: list[Schedule], moment: datetime) -> bool:
    slot = search.slot_at(moment)
    return any(slot in search.week_slots(schedule) for schedule in schedules)


def schedules_of(service: Service) -> list[Schedule]:
    schedules = list(service.schedules.all())
    for sal in service.service_at_locations.all():
        schedules += list(sal.schedules.all()) + list(sal.location.schedules.all())
    return schedules


def public_locations(service: Service) -> list[Location]:
    return [sal.location for sal in service.service_at_locations.all()]


def kilometres(metres: float | None) -> str:
    if metres is None or math.isinf(metres):
        return ""
    return f"{metres / 1000:.1f}"


# ---------------------------------------------------------------------------------------------
# Keeping listings current (signed in)


def service_for_keeper(user, service_id) -> Service:
    """A service the user may keep current; missing and forbidden both answer not found."""
    from .rules import can_keep_listing

    service = Service.objects.select_related("organization").filter(pk=service_id).first()
    if service is None or not can_keep_listing(user, service.organization):
        raise Http404
    return service


def location_for_keeper(user, location_id) -> Location:
    from .rules import can_keep_listing

    location = Location.objects.select_related("organization").filter(pk=location_id).first()
    if location is None or not can_keep_listing(user, location.organization):
        raise Http404
    return location


def services_of_member(member) -> QuerySet[Service]:
    """The services listed for a member organization, with what its listing page shows."""
    return (
        Service.objects.filter(organization__member=member)
        .select_related("organization__network")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location"),
            )
        )
        .order_by("name")
    )


def stale_services_in_network(network, today: date | None = None) -> QuerySet[Service]:
    """Listings of a network's directory that nobody has confirmed within its period."""
    today = today or date.today()
    days = network.listing_stale_after_days or settings.HEARTH_LISTING_STALE_AFTER_DAYS
    cutoff = today - timedelta(days=days)
    return (
        Service.objects.filter(organization__network=network)
        .exclude(status=Service.Status.DEFUNCT)
        .filter(Q(assured_date__isnull=True) | Q(assured_date__lt=cutoff))
        .select_related("organization__network", "organization__member")
        .order_by("assured_date", "name")
    )
