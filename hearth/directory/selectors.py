"""Reads of the public directory. Everything here is public information; confidential locations
carry no address or precise coordinates in the database at all, so nothing here can leak them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.http import Http404

from . import search
from .models import (
    Accessibility,
    Address,
    Attribute,
    CostOption,
    Language,
    ListingClaim,
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


def _result_queryset() -> QuerySet[Service]:
    """What a search result shows: name, organization, description, capacity, open now (the
    schedules), where (the first address of each location), whether it may be out of date."""
    return Service.objects.select_related("organization__network").prefetch_related(
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
    by_id = {service.id: service for service in _result_queryset().filter(pk__in=ids)}
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
        # Case-insensitive as `iexact`, written so that the indexes on UPPER(postal_code) and
        # UPPER(city) serve it on SQLite as on PostgreSQL (SQLite's LIKE cannot use them).
        .alias(postcode_upper=Upper("postal_code"), city_upper=Upper("city"))
        .filter(Q(postcode_upper=Upper(Value(text))) | Q(city_upper=Upper(Value(text))))
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


def services_of_member(member, today: date | None = None) -> QuerySet[Service]:
    """The services listed for a member organization, with what its listing page shows: those
    that need checking first (each by its own network's period), then by name. Each carries
    `needs_checking`."""
    today = today or date.today()
    default_days = settings.HEARTH_LISTING_STALE_AFTER_DAYS
    periods = (
        Organization.objects.filter(member=member)
        .values_list("network_id", "network__listing_stale_after_days")
        .distinct()
    )
    stale = Q(assured_date__isnull=True)
    for network_id, days in periods:
        cutoff = today - timedelta(days=days or default_days)
        stale |= Q(organization__network_id=network_id, assured_date__lt=cutoff)
    return (
        Service.objects.filter(organization__member=member)
        .annotate(
            needs_checking=Case(
                When(stale, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .select_related("organization__network")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location"),
            )
        )
        .order_by("-needs_checking", "name", "id")
    )


def listings_of_member(member) -> QuerySet[Organization]:
    """The directory organizations a member keeps."""
    return Organization.objects.filter(member=member).order_by("name")


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


def listing_for_keeper(user, listing_id) -> Organization:
    """A directory organization (a listing) the user may keep current."""
    from .rules import can_keep_listing

    listing = Organization.objects.select_related("member", "network").filter(pk=listing_id).first()
    if listing is None or not can_keep_listing(user, listing):
        raise Http404
    return listing


def _kept(user, record, listing: Organization | None):
    from .rules import can_keep_listing

    if record is None or not can_keep_listing(user, listing):
        raise Http404
    return record


def schedule_for_keeper(user, schedule_id) -> Schedule:
    """Opening hours of a service, or of a service at a location, the user may keep."""
    schedule = (
        Schedule.objects.select_related(
            "service__organization",
            "service_at_location__service__organization",
            "service_at_location__location",
        )
        .filter(pk=schedule_id)
        .filter(Q(service__isnull=False) | Q(service_at_location__isnull=False))
        .first()
    )
    if schedule is None:
        raise Http404
    service = schedule.service or schedule.service_at_location.service
    return _kept(user, schedule, service.organization)


def service_at_location_for_keeper(user, service_at_location_id) -> ServiceAtLocation:
    link = (
        ServiceAtLocation.objects.select_related("service__organization", "location")
        .filter(pk=service_at_location_id)
        .first()
    )
    return _kept(user, link, link.service.organization if link else None)


def language_for_keeper(user, language_id) -> Language:
    language = (
        Language.objects.select_related("service__organization")
        .filter(pk=language_id, service__isnull=False)
        .first()
    )
    return _kept(user, language, language.service.organization if language else None)


def cost_option_for_keeper(user, cost_option_id) -> CostOption:
    option = (
        CostOption.objects.select_related("service__organization")
        .filter(pk=cost_option_id, service__isnull=False)
        .first()
    )
    return _kept(user, option, option.service.organization if option else None)


def accessibility_for_keeper(user, accessibility_id) -> Accessibility:
    item = (
        Accessibility.objects.select_related("location__organization")
        .filter(pk=accessibility_id, location__isnull=False)
        .first()
    )
    return _kept(user, item, item.location.organization if item else None)


def service_schedules(service: Service) -> tuple[list[Schedule], list[ServiceAtLocation]]:
    """A service's own opening hours, and each of its locations with the hours there."""
    ordered = Schedule.objects.order_by("opens_at", "byday", "id")
    own = list(ordered.filter(service=service))
    links = list(
        ServiceAtLocation.objects.filter(service=service)
        .select_related("location")
        .prefetch_related(Prefetch("schedules", queryset=ordered))
        .order_by("location__name", "id")
    )
    return own, links


def service_languages(service: Service) -> QuerySet[Language]:
    return Language.objects.filter(service=service).order_by("name", "code")


def service_cost_options(service: Service) -> QuerySet[CostOption]:
    return CostOption.objects.filter(service=service).order_by("amount", "option", "id")


def location_accessibility(location: Location) -> QuerySet[Accessibility]:
    return Accessibility.objects.filter(location=location).order_by("description", "id")


def locations_of_listing(listing: Organization) -> QuerySet[Location]:
    """A listing's locations with their addresses, access notes and services, for its
    locations page."""
    return (
        Location.objects.filter(organization=listing)
        .prefetch_related(
            "addresses",
            "accessibility",
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("service").order_by(
                    "service__name"
                ),
            ),
        )
        .order_by("name", "id")
    )


def editable_address(location: Location) -> Address | None:
    """The address the location pages edit: the physical one, else the first there is."""
    addresses = sorted(
        location.addresses.all(),
        key=lambda address: (address.address_type != Address.AddressType.PHYSICAL, str(address.pk)),
    )
    return addresses[0] if addresses else None


def service_locations(service: Service) -> list[ServiceAtLocation]:
    return list(
        ServiceAtLocation.objects.filter(service=service)
        .select_related("location")
        .prefetch_related("location__addresses")
        .order_by("location__name", "id")
    )


def locations_to_link(service: Service) -> QuerySet[Location]:
    """The organization's locations the service is not yet offered at."""
    return (
        Location.objects.filter(organization_id=service.organization_id)
        .exclude(service_at_locations__service=service)
        .order_by("name", "id")
    )


# ---------------------------------------------------------------------------------------------
# Claiming listings


def listings_claimable_by(claimant, text: str = "") -> QuerySet[Organization]:
    """Listings nobody keeps yet in the directories of the claimant's networks."""
    listings = Organization.objects.filter(
        member__isnull=True, network__organizations=claimant
    ).select_related("network")
    text = " ".join(text.split())
    if text:
        listings = listings.filter(Q(name__icontains=text) | Q(alternate_name__icontains=text))
    return listings.distinct().order_by("name", "id")


def claimable_listing(claimant, listing_id) -> Organization:
    listing = listings_claimable_by(claimant).filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    return listing


def claims_of(claimant) -> QuerySet[ListingClaim]:
    """A member organization's requests to keep listings, newest first."""
    return (
        ListingClaim.objects.filter(claimant=claimant)
        .select_related("listing")
        .order_by("-requested_at")
    )


def pending_claims_in_network(network) -> QuerySet[ListingClaim]:
    return (
        ListingClaim.objects.filter(listing__network=network, status=ListingClaim.Status.PENDING)
        .select_related("listing", "claimant", "requested_by")
        .order_by("requested_at", "id")
    )


def claim_in_network(network, claim_id) -> ListingClaim:
    """A request for a listing of the network's directory (any status)."""
    claim = (
        ListingClaim.objects.filter(listing__network=network, pk=claim_id)
        .select_related("listing", "claimant", "requested_by", "decided_by")
        .first()
    )
    if claim is None:
        raise Http404
    return claim
