"""Every change to the directory: validated, saved with field-level HSDS metadata, audited, and
followed by a search-index update once the transaction has committed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.core import audit

from . import search
from .models import Address, Location, Metadata, Service

SERVICE_EDITABLE_FIELDS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "url",
    "email",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "application_process",
    "fees_description",
    "interpretation_services",
    "wait_time",
    "alert",
)
# Confidential locations keep no address and coarse coordinates only (about 11 km).
CONFIDENTIAL_COORDINATE_DECIMALS = 1


def _reindex_after_commit(service_ids) -> None:
    ids = [service_id for service_id in service_ids]
    transaction.on_commit(lambda: search.update_services(ids))


def _history(*, actor, record, resource_type: str, changes: dict, action: str = "update") -> None:
    """HSDS `metadata`: one row per changed field, with the old and new values."""
    now = timezone.now()
    Metadata.objects.bulk_create(
        Metadata(
            resource_id=record.pk,
            resource_type=resource_type,
            last_action_date=now,
            last_action_type=action,
            field_name=name,
            previous_value="" if before is None else str(before),
            replacement_value="" if after is None else str(after),
            updated_by=actor.get_username() if actor else "system",
        )
        for name, (before, after) in changes.items()
    )


def _scope(service: Service) -> dict:
    organization = service.organization
    return {
        "organization": organization.member_id if organization else None,
        "network": organization.network_id if organization else None,
    }


@transaction.atomic
def service_update(*, actor, service: Service, **fields) -> Service:
    """Change a listed service's own fields; each changed field is kept in its history."""
    unknown = set(fields) - set(SERVICE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Fields that cannot be changed here: {sorted(unknown)}")
    changes = {}
    for name, value in fields.items():
        before = getattr(service, name)
        if before != value:
            changes[name] = (before, value)
            setattr(service, name, value)
    if not changes:
        return service
    if (
        service.minimum_age is not None
        and service.maximum_age is not None
        and service.minimum_age > service.maximum_age
    ):
        raise ValidationError(
            {"maximum_age": _("The oldest age must be the same as or more than the youngest.")}
        )
    service.full_clean()
    service.last_modified = timezone.now()
    service.save(update_fields=[*changes, "last_modified"])
    _history(actor=actor, record=service, resource_type="service", changes=changes)
    audit.record(
        actor=actor,
        action="hearth.directory.service.updated",
        target=service,
        detail={"fields": sorted(changes)},
        **_scope(service),
    )
    _reindex_after_commit([service.id])
    return service


@transaction.atomic
def service_verify(*, actor, service: Service, today: date | None = None) -> Service:
    """“Still correct”: someone who keeps the listing confirms it is current today."""
    today = today or timezone.localdate()
    changes = {"assured_date": (service.assured_date, today)}
    if service.assurer_email != actor.email:
        changes["assurer_email"] = (service.assurer_email, actor.email)
    service.assured_date = today
    service.assurer_email = actor.email
    service.save(update_fields=["assured_date", "assurer_email"])
    _history(actor=actor, record=service, resource_type="service", changes=changes)
    audit.record(
        actor=actor, action="hearth.directory.service.verified", target=service, **_scope(service)
    )
    return service


@transaction.atomic
def service_set_capacity(*, actor, service: Service, status: str, note: str = "") -> Service:
    """Whether the service can take people now. Says nothing about any person."""
    if status not in Service.Capacity.values:
        raise ValidationError({"status": _("Choose whether the service can take people now.")})
    changes = {}
    for name, value in (("capacity_status", status), ("capacity_note", note.strip())):
        if getattr(service, name) != value:
            changes[name] = (getattr(service, name), value)
            setattr(service, name, value)
    service.capacity_updated_at = timezone.now()
    service.save(update_fields=["capacity_status", "capacity_note", "capacity_updated_at"])
    if changes:
        _history(actor=actor, record=service, resource_type="service", changes=changes)
    audit.record(
        actor=actor,
        action="hearth.directory.service.capacity_set",
        target=service,
        detail={"capacity": status},
        **_scope(service),
    )
    _reindex_after_commit([service.id])
    return service


@transaction.atomic
def location_make_confidential(*, actor, location: Location, coarse_area: str) -> Location:
    """Make a location confidential (a shelter): its addresses are deleted, its coordinates
    coarsened, and only `coarse_area` is shown from now on. The history records that this
    happened but none of the removed values, so the address survives nowhere in Hearth."""
    coarse_area = coarse_area.strip()
    if not coarse_area:
        raise ValidationError(
            {"coarse_area": _("Enter the general area to show instead, like a town or region.")}
        )
    address_ids = list(Address.objects.filter(location=location).values_list("id", flat=True))
    Address.objects.filter(pk__in=address_ids).delete()
    # Earlier history of the location and its addresses may hold the address or the precise
    # coordinates: those rows go too.
    Metadata.objects.filter(resource_id__in=[location.pk, *address_ids]).delete()
    location.is_confidential = True
    location.coarse_area = coarse_area
    if location.latitude is not None and location.longitude is not None:
        location.latitude = round(location.latitude, CONFIDENTIAL_COORDINATE_DECIMALS)
        location.longitude = round(location.longitude, CONFIDENTIAL_COORDINATE_DECIMALS)
    location.save(update_fields=["is_confidential", "coarse_area", "latitude", "longitude"])
    _history(
        actor=actor,
        record=location,
        resource_type="location",
        changes={"is_confidential": (False, True), "coarse_area": ("", coarse_area)},
    )
    organization = location.organization
    audit.record(
        actor=actor,
        action="hearth.directory.location.made_confidential",
        target=location,
        organization=organization.member_id if organization else None,
        network=organization.network_id if organization else None,
        detail={"addresses_removed": len(address_ids)},
    )
    _reindex_after_commit(list(location.service_at_locations.values_list("service_id", flat=True)))
    return location
