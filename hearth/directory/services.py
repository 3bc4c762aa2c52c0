"""Every change to the directory: validated, saved with field-level HSDS metadata, audited, and
followed by a search-index update once the transaction has committed."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.core import audit

from . import codes as codes_module
from . import search, selectors
from .models import (
    Accessibility,
    Address,
    CostOption,
    Language,
    ListingClaim,
    Location,
    Metadata,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)
from .rules import is_claimable_by

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


def _listing_scope(listing: Organization | None) -> dict:
    """Who may read the audit record: the member that keeps the listing, and its network."""
    return {
        "organization": listing.member_id if listing else None,
        "network": listing.network_id if listing else None,
    }


def _scope(service: Service) -> dict:
    return _listing_scope(service.organization)


def _check_fields(fields: dict, allowed) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Fields that cannot be changed here: {sorted(unknown)}")


def _apply(record, fields: dict) -> dict:
    """Set `fields` on `record`; the ones that changed, as {name: (before, after)}."""
    changes = {}
    for name, value in fields.items():
        before = getattr(record, name)
        if before != value:
            changes[name] = (before, value)
            setattr(record, name, value)
    return changes


def _created(record, names) -> dict:
    """A new record's values, as history changes from nothing."""
    return {
        name: (None, getattr(record, name))
        for name in names
        if getattr(record, name) not in (None, "")
    }


def _deleted(record, names) -> dict:
    return {
        name: (getattr(record, name), None)
        for name in names
        if getattr(record, name) not in (None, "")
    }


def _touch(service_ids) -> None:
    """A change to a service's schedules, languages, costs or places changes its HSDS document:
    its `last_modified` moves, so consumers syncing with `modified_after` fetch it again."""
    Service.objects.filter(pk__in=list(service_ids)).update(last_modified=timezone.now())


def _changed_service(service_ids) -> None:
    service_ids = list(service_ids)
    _touch(service_ids)
    _reindex_after_commit(service_ids)


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


# ---------------------------------------------------------------------------------------------
# Opening hours (HSDS `schedule`): regular weekly hours of a service, or of a service at one of
# its locations.

SCHEDULE_EDITABLE_FIELDS = (
    "byday",
    "opens_at",
    "closes_at",
    "timezone",
    "valid_from",
    "valid_to",
    "description",
)
SCHEDULE_HISTORY_FIELDS = ("freq", *SCHEDULE_EDITABLE_FIELDS)


def _days_text(days) -> str:
    """Day codes as HSDS stores them: "MO,WE,FR", in the order of the week when all are known
    (unknown codes are kept so validation can name them)."""
    if isinstance(days, str):
        days = days.split(",")
    codes = list(dict.fromkeys(day.strip().upper() for day in days if day and day.strip()))
    if all(code in codes_module.DAY_CODES for code in codes):
        codes.sort(key=codes_module.DAY_CODES.index)
    return ",".join(codes)


def _validate_schedule(schedule: Schedule) -> None:
    errors = {}
    days = [day for day in schedule.byday.split(",") if day]
    unknown = [day for day in days if day not in codes_module.DAY_CODES]
    if not days:
        errors["byday"] = _("Choose at least one day.")
    elif unknown:
        errors["byday"] = _("“%(code)s” is not a day. Use MO, TU, WE, TH, FR, SA or SU.") % {
            "code": unknown[0]
        }
    if schedule.opens_at is None:
        errors["opens_at"] = _("Enter the time it opens, like 09:00.")
    if schedule.closes_at is None:
        errors["closes_at"] = _("Enter the time it closes, like 17:30.")
    if schedule.timezone is None or schedule.timezone not in codes_module.UTC_OFFSETS:
        errors["timezone"] = _("Choose the time zone the hours are given in.")
    if schedule.valid_from and schedule.valid_to and schedule.valid_to < schedule.valid_from:
        errors["valid_to"] = _("The last day must be the same as or after the first day.")
    if errors:
        raise ValidationError(errors)
    schedule.full_clean()


def schedule_listing(schedule: Schedule) -> Organization | None:
    """The listing a schedule belongs to, whichever record it hangs from."""
    if schedule.service_id:
        return schedule.service.organization
    if schedule.service_at_location_id:
        return schedule.service_at_location.service.organization
    if schedule.location_id:
        return schedule.location.organization
    return None


def _schedule_service_ids(schedule: Schedule) -> list:
    if schedule.service_id:
        return [schedule.service_id]
    if schedule.service_at_location_id:
        return [schedule.service_at_location.service_id]
    if schedule.location_id:
        return list(
            ServiceAtLocation.objects.filter(location_id=schedule.location_id).values_list(
                "service_id", flat=True
            )
        )
    return []


@transaction.atomic
def schedule_create(
    *,
    actor,
    service: Service | None = None,
    service_at_location: ServiceAtLocation | None = None,
    **fields,
) -> Schedule:
    """Add regular weekly opening hours to a service, or to a service at one location. A
    closing time at or before the opening time means open past midnight (HSDS's reading)."""
    if (service is None) == (service_at_location is None):
        raise ValueError("A schedule belongs to a service or to a service at a location.")
    _check_fields(fields, SCHEDULE_EDITABLE_FIELDS)
    if "byday" in fields:
        fields["byday"] = _days_text(fields["byday"])
    fields["description"] = (fields.get("description") or "").strip()
    schedule = Schedule(
        service=service,
        service_at_location=service_at_location,
        freq=Schedule.Freq.WEEKLY,
        **fields,
    )
    _validate_schedule(schedule)
    schedule.save()
    _history(
        actor=actor,
        record=schedule,
        resource_type="schedule",
        changes=_created(schedule, SCHEDULE_HISTORY_FIELDS),
        action="create",
    )
    service_ids = _schedule_service_ids(schedule)
    audit.record(
        actor=actor,
        action="hearth.directory.schedule.created",
        target=schedule,
        detail={"service": str(service_ids[0])},
        **_listing_scope(schedule_listing(schedule)),
    )
    _changed_service(service_ids)
    return schedule


@transaction.atomic
def schedule_update(*, actor, schedule: Schedule, **fields) -> Schedule:
    """Change opening hours. Whatever they were before, they are weekly hours afterwards."""
    _check_fields(fields, SCHEDULE_EDITABLE_FIELDS)
    if "byday" in fields:
        fields["byday"] = _days_text(fields["byday"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    changes = _apply(schedule, {"freq": Schedule.Freq.WEEKLY, **fields})
    if not changes:
        return schedule
    _validate_schedule(schedule)
    schedule.save(update_fields=list(changes))
    _history(actor=actor, record=schedule, resource_type="schedule", changes=changes)
    service_ids = _schedule_service_ids(schedule)
    audit.record(
        actor=actor,
        action="hearth.directory.schedule.updated",
        target=schedule,
        detail={"fields": sorted(changes), "service": str(service_ids[0]) if service_ids else ""},
        **_listing_scope(schedule_listing(schedule)),
    )
    _changed_service(service_ids)
    return schedule


@transaction.atomic
def schedule_delete(*, actor, schedule: Schedule) -> None:
    """Remove opening hours; the history keeps what they were."""
    service_ids = _schedule_service_ids(schedule)
    listing = schedule_listing(schedule)
    _history(
        actor=actor,
        record=schedule,
        resource_type="schedule",
        changes=_deleted(schedule, SCHEDULE_HISTORY_FIELDS),
        action="delete",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.schedule.deleted",
        target=schedule,
        detail={"service": str(service_ids[0]) if service_ids else ""},
        **_listing_scope(listing),
    )
    schedule.delete()
    _changed_service(service_ids)


# ---------------------------------------------------------------------------------------------
# Languages a service is offered in (HSDS `language`)


@transaction.atomic
def language_add(*, actor, service: Service, code: str, name: str = "") -> Language:
    """Say the service is offered in a language (an ISO 639 code, as BCP 47 writes it)."""
    code = codes_module.normalize_language_code(code)
    name = name.strip() or codes_module.COMMON_LANGUAGE_NAMES.get(code, "")
    if not codes_module.is_language_code(code):
        raise ValidationError(
            {
                "code": _(
                    "Enter a language code of 2 or 3 letters, like “so” for Somali or “prs” "
                    "for Dari."
                )
            }
        )
    if not name:
        raise ValidationError({"name": _("Enter the name of the language.")})
    if service.languages.filter(code__iexact=code).exists():
        raise ValidationError({"code": _("%(name)s is already listed.") % {"name": name}})
    language = Language(service=service, code=code, name=name)
    language.full_clean()
    language.save()
    _history(
        actor=actor,
        record=language,
        resource_type="language",
        changes=_created(language, ("code", "name")),
        action="create",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.language.added",
        target=language,
        detail={"service": str(service.id), "code": code},
        **_scope(service),
    )
    _changed_service([service.id])
    return language


@transaction.atomic
def language_remove(*, actor, language: Language) -> None:
    if language.service_id is None:
        raise ValueError("Only a service's own languages are removed here.")
    service = language.service
    _history(
        actor=actor,
        record=language,
        resource_type="language",
        changes=_deleted(language, ("code", "name", "note")),
        action="delete",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.language.removed",
        target=language,
        detail={"service": str(service.id), "code": language.code},
        **_scope(service),
    )
    language.delete()
    _changed_service([service.id])


# ---------------------------------------------------------------------------------------------
# What a service costs (HSDS `cost_option`). Whether a service counts as free of cost is
# decided by `CostOption.is_free` and `search.is_free_of_cost`, nowhere else.

COST_OPTION_EDITABLE_FIELDS = ("option", "amount", "currency", "amount_description")


def _validate_cost_option(option: CostOption) -> None:
    errors = {}
    if not option.option and option.amount is None:
        errors["option"] = _("Say what the cost is: describe it, give an amount, or both.")
    if option.amount is not None and option.amount < 0:
        errors["amount"] = _("The amount must be 0 or more.")
    if option.currency and option.currency not in codes_module.CURRENCY_CODES:
        errors["currency"] = _(
            "“%(code)s” is not a currency code. Use three letters, like USD, EUR or GBP."
        ) % {"code": option.currency}
    elif option.amount and not option.currency:
        errors["currency"] = _("Enter the currency of the amount, like USD.")
    if errors:
        raise ValidationError(errors)
    option.full_clean()


def _clean_cost_fields(fields: dict) -> dict:
    for name in ("option", "amount_description"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "currency" in fields:
        fields["currency"] = (fields["currency"] or "").strip().upper()
    return fields


@transaction.atomic
def cost_option_create(*, actor, service: Service, **fields) -> CostOption:
    _check_fields(fields, COST_OPTION_EDITABLE_FIELDS)
    option = CostOption(service=service, **_clean_cost_fields(fields))
    _validate_cost_option(option)
    option.save()
    _history(
        actor=actor,
        record=option,
        resource_type="cost_option",
        changes=_created(option, COST_OPTION_EDITABLE_FIELDS),
        action="create",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.cost_option.created",
        target=option,
        detail={"service": str(service.id)},
        **_scope(service),
    )
    _changed_service([service.id])
    return option


@transaction.atomic
def cost_option_update(*, actor, cost_option: CostOption, **fields) -> CostOption:
    _check_fields(fields, COST_OPTION_EDITABLE_FIELDS)
    changes = _apply(cost_option, _clean_cost_fields(fields))
    if not changes:
        return cost_option
    _validate_cost_option(cost_option)
    cost_option.save(update_fields=list(changes))
    _history(actor=actor, record=cost_option, resource_type="cost_option", changes=changes)
    audit.record(
        actor=actor,
        action="hearth.directory.cost_option.updated",
        target=cost_option,
        detail={"service": str(cost_option.service_id), "fields": sorted(changes)},
        **_scope(cost_option.service),
    )
    _changed_service([cost_option.service_id])
    return cost_option


@transaction.atomic
def cost_option_delete(*, actor, cost_option: CostOption) -> None:
    service = cost_option.service
    _history(
        actor=actor,
        record=cost_option,
        resource_type="cost_option",
        changes=_deleted(cost_option, COST_OPTION_EDITABLE_FIELDS),
        action="delete",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.cost_option.deleted",
        target=cost_option,
        detail={"service": str(service.id)},
        **_scope(service),
    )
    cost_option.delete()
    _changed_service([service.id])


# ---------------------------------------------------------------------------------------------
# Accessibility of a location (HSDS `accessibility`)

ACCESSIBILITY_EDITABLE_FIELDS = ("description", "details", "url")


def _location_service_ids(location: Location) -> list:
    return list(location.service_at_locations.values_list("service_id", flat=True))


def _validate_accessibility(item: Accessibility) -> None:
    if not item.description:
        raise ValidationError(
            {"description": _("Describe the access, like “Step-free entrance at the back”.")}
        )
    item.full_clean()


def _clean_text_fields(fields: dict) -> dict:
    return {
        name: value.strip() if isinstance(value, str) else value for name, value in fields.items()
    }


@transaction.atomic
def accessibility_create(*, actor, location: Location, **fields) -> Accessibility:
    _check_fields(fields, ACCESSIBILITY_EDITABLE_FIELDS)
    item = Accessibility(location=location, **_clean_text_fields(fields))
    _validate_accessibility(item)
    item.save()
    _history(
        actor=actor,
        record=item,
        resource_type="accessibility",
        changes=_created(item, ACCESSIBILITY_EDITABLE_FIELDS),
        action="create",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.accessibility.created",
        target=item,
        detail={"location": str(location.id)},
        **_listing_scope(location.organization),
    )
    _changed_service(_location_service_ids(location))
    return item


@transaction.atomic
def accessibility_update(*, actor, accessibility: Accessibility, **fields) -> Accessibility:
    _check_fields(fields, ACCESSIBILITY_EDITABLE_FIELDS)
    changes = _apply(accessibility, _clean_text_fields(fields))
    if not changes:
        return accessibility
    _validate_accessibility(accessibility)
    accessibility.save(update_fields=list(changes))
    _history(actor=actor, record=accessibility, resource_type="accessibility", changes=changes)
    location = accessibility.location
    audit.record(
        actor=actor,
        action="hearth.directory.accessibility.updated",
        target=accessibility,
        detail={"location": str(location.id), "fields": sorted(changes)},
        **_listing_scope(location.organization),
    )
    _changed_service(_location_service_ids(location))
    return accessibility


@transaction.atomic
def accessibility_delete(*, actor, accessibility: Accessibility) -> None:
    location = accessibility.location
    _history(
        actor=actor,
        record=accessibility,
        resource_type="accessibility",
        changes=_deleted(accessibility, ACCESSIBILITY_EDITABLE_FIELDS),
        action="delete",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.accessibility.deleted",
        target=accessibility,
        detail={"location": str(location.id)},
        **_listing_scope(location.organization),
    )
    accessibility.delete()
    _changed_service(_location_service_ids(location))


# ---------------------------------------------------------------------------------------------
# Locations. A confidential location keeps no address and no precise coordinates: nothing here
# accepts either for one, so the rule stays in the data (see `location_make_confidential`).

LOCATION_EDITABLE_FIELDS = ("name", "description", "transportation", "latitude", "longitude")
CONFIDENTIAL_LOCATION_EDITABLE_FIELDS = ("name", "coarse_area")
ADDRESS_EDITABLE_FIELDS = (
    "address_1",
    "address_2",
    "city",
    "region",
    "state_province",
    "postal_code",
    "country",
)


def _validate_location(location: Location) -> None:
    errors = {}
    if location.is_confidential:
        if not location.coarse_area:
            errors["coarse_area"] = _(
                "Enter the general area to show instead, like a town or region."
            )
    else:
        latitude, longitude = location.latitude, location.longitude
        if (latitude is None) != (longitude is None):
            errors["longitude" if longitude is None else "latitude"] = _(
                "Give both the latitude and the longitude, or neither."
            )
        if latitude is not None and not -90 <= latitude <= 90:
            errors["latitude"] = _("The latitude must be between -90 and 90.")
        if longitude is not None and not -180 <= longitude <= 180:
            errors["longitude"] = _("The longitude must be between -180 and 180.")
    if not location.name:
        errors["name"] = _("Enter the name of the location.")
    if errors:
        raise ValidationError(errors)
    location.full_clean()


def _clean_address_fields(address: dict) -> dict:
    _check_fields(address, ADDRESS_EDITABLE_FIELDS)
    values = {name: (value or "").strip() for name, value in address.items()}
    if "country" in values:
        values["country"] = values["country"].upper()
    return values


def _validate_address(address: Address) -> None:
    if address.country and not (len(address.country) == 2 and address.country.isalpha()):
        raise ValidationError(
            {"country": _("Enter the country as its two-letter code, like US or GB.")}
        )
    address.full_clean(exclude=["location"])


@transaction.atomic
def location_update(
    *, actor, location: Location, address: dict | None = None, **fields
) -> Location:
    """Change a location's name, description and, for a location that is not confidential,
    its address and coordinates. Each changed field is kept in its history."""
    if location.is_confidential:
        if address is not None:
            raise ValueError("Hearth keeps no address for a confidential location.")
        _check_fields(fields, CONFIDENTIAL_LOCATION_EDITABLE_FIELDS)
    else:
        _check_fields(fields, LOCATION_EDITABLE_FIELDS)
    changes = _apply(location, _clean_text_fields(fields))
    _validate_location(location)
    address_record, address_changes, address_created = None, {}, False
    if address is not None:
        values = _clean_address_fields(address)
        address_record = selectors.editable_address(location)
        if address_record is None:
            address_record = Address(
                location=location, address_type=Address.AddressType.PHYSICAL, **values
            )
            address_created = True
        else:
            address_changes = _apply(address_record, values)
        _validate_address(address_record)
    if not changes and not address_changes and not address_created:
        return location
    if changes:
        location.save(update_fields=list(changes))
        _history(actor=actor, record=location, resource_type="location", changes=changes)
    if address_created:
        address_record.save()
        address_changes = _created(address_record, ADDRESS_EDITABLE_FIELDS)
        _history(
            actor=actor,
            record=address_record,
            resource_type="address",
            changes=address_changes,
            action="create",
        )
    elif address_changes:
        address_record.save(update_fields=list(address_changes))
        _history(
            actor=actor, record=address_record, resource_type="address", changes=address_changes
        )
    audit.record(
        actor=actor,
        action="hearth.directory.location.updated",
        target=location,
        detail={"fields": sorted([*changes, *(f"address.{name}" for name in address_changes)])},
        **_listing_scope(location.organization),
    )
    _changed_service(_location_service_ids(location))
    return location


@transaction.atomic
def location_create(
    *,
    actor,
    listing: Organization,
    is_confidential: bool = False,
    address: dict | None = None,
    **fields,
) -> Location:
    """Add a place to an organization's listing. A confidential one (a shelter) is created
    with a general area and never an address or coordinates."""
    if is_confidential:
        if address is not None:
            raise ValueError("Hearth keeps no address for a confidential location.")
        _check_fields(fields, CONFIDENTIAL_LOCATION_EDITABLE_FIELDS)
    else:
        _check_fields(fields, LOCATION_EDITABLE_FIELDS)
    location = Location(
        organization=listing,
        location_type=Location.LocationType.PHYSICAL,
        is_confidential=is_confidential,
        **_clean_text_fields(fields),
    )
    _validate_location(location)
    address_record = None
    if address is not None:
        address_record = Address(
            location=location,
            address_type=Address.AddressType.PHYSICAL,
            **_clean_address_fields(address),
        )
        _validate_address(address_record)
    location.save()
    _history(
        actor=actor,
        record=location,
        resource_type="location",
        changes=_created(
            location,
            CONFIDENTIAL_LOCATION_EDITABLE_FIELDS if is_confidential else LOCATION_EDITABLE_FIELDS,
        ),
        action="create",
    )
    if address_record is not None:
        address_record.location = location
        address_record.save()
        _history(
            actor=actor,
            record=address_record,
            resource_type="address",
            changes=_created(address_record, ADDRESS_EDITABLE_FIELDS),
            action="create",
        )
    audit.record(
        actor=actor,
        action="hearth.directory.location.created",
        target=location,
        detail={"confidential": is_confidential},
        **_listing_scope(listing),
    )
    return location


# ---------------------------------------------------------------------------------------------
# Where a service is offered (HSDS `service_at_location`)


@transaction.atomic
def service_at_location_create(
    *, actor, service: Service, location: Location, description: str = ""
) -> ServiceAtLocation:
    """Say a service is offered at one of its organization's locations."""
    if service.organization_id is None or service.organization_id != location.organization_id:
        raise ValidationError({"location": _("Choose one of the locations of this organization.")})
    if ServiceAtLocation.objects.filter(service=service, location=location).exists():
        raise ValidationError({"location": _("The service is already offered at this location.")})
    link = ServiceAtLocation(service=service, location=location, description=description.strip())
    link.full_clean()
    link.save()
    _history(
        actor=actor,
        record=link,
        resource_type="service_at_location",
        changes=_created(link, ("service_id", "location_id", "description")),
        action="create",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.service_at_location.created",
        target=link,
        detail={"service": str(service.id), "location": str(location.id)},
        **_scope(service),
    )
    _changed_service([service.id])
    return link


@transaction.atomic
def service_at_location_delete(*, actor, service_at_location: ServiceAtLocation) -> None:
    """The service is no longer offered at the location. Its hours and phones there go too;
    the location itself stays."""
    link = service_at_location
    service = link.service
    schedules = link.schedules.count()
    _history(
        actor=actor,
        record=link,
        resource_type="service_at_location",
        changes=_deleted(link, ("service_id", "location_id", "description")),
        action="delete",
    )
    audit.record(
        actor=actor,
        action="hearth.directory.service_at_location.deleted",
        target=link,
        detail={
            "service": str(service.id),
            "location": str(link.location_id),
            "schedules_removed": schedules,
        },
        **_scope(service),
    )
    link.delete()
    _changed_service([service.id])


# ---------------------------------------------------------------------------------------------
# Claiming a listing: a member organization asks to keep a listing nobody keeps; a coordinator
# of the listing's network decides. Who keeps a listing is not part of any HSDS output, so the
# search index and the field history do not change; the audit trail records it.

CLAIM_NOTE_MAX_LENGTH = 1000


def _claim_scope(claim: ListingClaim) -> dict:
    return {"organization": claim.claimant_id, "network": claim.listing.network_id}


def _check_note(note: str, *, required_message) -> str:
    note = note.strip()
    if not note:
        raise ValidationError({"note": required_message})
    if len(note) > CLAIM_NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": _("The note must be %(limit)s characters or fewer.")
                % {"limit": CLAIM_NOTE_MAX_LENGTH}
            }
        )
    return note


@transaction.atomic
def listing_claim_request(*, actor, listing: Organization, claimant, note: str) -> ListingClaim:
    """A member organization asks to keep a listing of its network's directory."""
    note = _check_note(
        note,
        required_message=_(
            "Tell the coordinator how your organization is connected to this listing."
        ),
    )
    listing = Organization.objects.select_for_update().get(pk=listing.pk)
    if not is_claimable_by(listing, claimant):
        raise ValidationError(
            _("Your organization cannot ask to keep this listing: someone already keeps it.")
        )
    if ListingClaim.objects.filter(
        listing=listing, claimant=claimant, status=ListingClaim.Status.PENDING
    ).exists():
        raise ValidationError(
            _(
                "Your organization has already asked to keep this listing. A coordinator "
                "will decide."
            )
        )
    claim = ListingClaim.objects.create(
        listing=listing, claimant=claimant, requested_by=actor, note=note
    )
    audit.record(
        actor=actor,
        action="hearth.directory.listing_claim.requested",
        target=claim,
        detail={"listing": str(listing.id)},
        **_claim_scope(claim),
    )
    return claim


def _pending_claim(claim: ListingClaim) -> ListingClaim:
    claim = (
        ListingClaim.objects.select_for_update()
        .select_related("listing", "claimant")
        .get(pk=claim.pk)
    )
    if claim.status != ListingClaim.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return claim


def _decide(claim: ListingClaim, *, actor, status: str, note: str) -> None:
    claim.status = status
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.decision_note = note
    claim.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def listing_claim_approve(*, actor, claim: ListingClaim, note: str = "") -> ListingClaim:
    """The claimant keeps the listing from now on. Other organizations' requests for the same
    listing are declined at the same time."""
    claim = _pending_claim(claim)
    listing = Organization.objects.select_for_update().get(pk=claim.listing_id)
    if not is_claimable_by(listing, claim.claimant):
        raise ValidationError(
            _(
                "This listing cannot go to this organization any more: someone already keeps "
                "it, or the organization has left the network."
            )
        )
    listing.member = claim.claimant
    listing.save(update_fields=["member"])
    _decide(claim, actor=actor, status=ListingClaim.Status.APPROVED, note=note.strip())
    audit.record(
        actor=actor,
        action="hearth.directory.listing_claim.approved",
        target=claim,
        detail={"listing": str(listing.id)},
        **_claim_scope(claim),
    )
    others = (
        ListingClaim.objects.select_for_update()
        .select_related("listing")
        .filter(listing=listing, status=ListingClaim.Status.PENDING)
        .exclude(pk=claim.pk)
    )
    for other in others:
        _decide(other, actor=actor, status=ListingClaim.Status.DECLINED, note="")
        audit.record(
            actor=actor,
            action="hearth.directory.listing_claim.declined",
            target=other,
            detail={"listing": str(listing.id), "because": "another_claim_approved"},
            **_claim_scope(other),
        )
    return claim


@transaction.atomic
def listing_claim_decline(*, actor, claim: ListingClaim, note: str) -> ListingClaim:
    """The claimant does not keep the listing; the note tells them why."""
    note = _check_note(
        note, required_message=_("Say why, so the organization knows what to do next.")
    )
    claim = _pending_claim(claim)
    _decide(claim, actor=actor, status=ListingClaim.Status.DECLINED, note=note)
    audit.record(
        actor=actor,
        action="hearth.directory.listing_claim.declined",
        target=claim,
        detail={"listing": str(claim.listing_id)},
        **_claim_scope(claim),
    )
    return claim
