"""Pages for the people who keep listings current: a member organization's listings, editing a
service and its opening hours, languages, costs and places, the locations of a listing and
their access, confirming a listing is still correct, capacity, confidential locations, and
coordinators' list of listings that need checking. Each page gets its record from a
`*_for_keeper` selector (not found for anyone else) and changes it through `services`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.accounts import rules as account_rules
from hearth.accounts import selectors as account_selectors
from hearth.core.forms import add_service_errors, posted
from hearth.core.pagination import paginate

from . import search, selectors, services
from .forms import (
    AccessibilityForm,
    CapacityForm,
    ConfidentialLocationEditForm,
    ConfidentialLocationForm,
    CostOptionForm,
    LanguageForm,
    LocationForm,
    ScheduleForm,
    ServiceEditForm,
    ServiceLocationForm,
)
from .models import Location
from .templatetags.directory import schedule_days, schedule_times

PER_PAGE = 25


def saved(form, change, renamed: dict | None = None) -> bool:
    """Run `change` (a call of a service); False, with its errors on the form, if it refused."""
    try:
        change()
    except ValidationError as error:
        add_service_errors(form, error, rename=renamed)
        return False
    return True


def _back(service) -> str:
    member = service.organization.member if service.organization_id else None
    if member is not None:
        return reverse("directory:member-listings", args=[member.slug])
    return reverse("directory:service", args=[service.id])


@login_required
def member_listings(request, slug):
    organization = (
        account_selectors.organizations_visible_to(request.user).filter(slug=slug).first()
    )
    if organization is None or not account_rules.keeps_directory_listings(
        request.user, organization
    ):
        raise Http404
    page = paginate(request, selectors.services_of_member(organization), per_page=PER_PAGE)
    return render(
        request,
        "directory/manage/listings.html",
        {
            "organization": organization,
            "page": page,
            "listings": selectors.listings_of_member(organization),
            "can_claim": account_rules.is_org_admin(request.user, organization),
        },
    )


@login_required
def service_edit(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    fields = services.SERVICE_EDITABLE_FIELDS
    form = ServiceEditForm(
        posted(request), initial={name: getattr(service, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in fields}
        if saved(
            form, lambda: services.service_update(actor=request.user, service=service, **data)
        ):
            messages.success(request, _("The listing has been saved."))
            return redirect(_back(service))
    return render(
        request,
        "directory/manage/service_form.html",
        {"form": form, "service": service, "back_url": _back(service), "part": "details"},
    )


@login_required
@require_POST
def service_verify(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    services.service_verify(actor=request.user, service=service)
    messages.success(
        request, _("Thank you: “%(name)s” is marked as checked today.") % {"name": service.name}
    )
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = _back(service)
    return redirect(back)


@login_required
def service_capacity(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    form = CapacityForm(
        posted(request),
        initial={"status": service.capacity_status, "note": service.capacity_note},
    )
    if request.method == "POST" and form.is_valid():
        services.service_set_capacity(
            actor=request.user,
            service=service,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Capacity updated."))
        return redirect(_back(service))
    return render(
        request,
        "directory/manage/capacity_form.html",
        {"form": form, "service": service, "back_url": _back(service), "part": "capacity"},
    )


@login_required
def location_confidential(request, location_id):
    location = selectors.location_for_keeper(request.user, location_id)
    if location.is_confidential:
        raise Http404
    form = ConfidentialLocationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.location_make_confidential(
            actor=request.user, location=location, coarse_area=form.cleaned_data["coarse_area"]
        )
        messages.success(request, _("The location is now confidential. Its address was deleted."))
        member = location.organization.member if location.organization_id else None
        if member is not None:
            return redirect("directory:member-listings", member.slug)
        return redirect("directory:search")
    return render(
        request, "directory/manage/confidential_form.html", {"form": form, "location": location}
    )


@login_required
def network_stale(request, slug):
    network = account_selectors.network_for_coordinator(request.user, slug)
    stale = selectors.stale_services_in_network(network)
    return render(
        request,
        "directory/manage/stale.html",
        {"network": network, "page": paginate(request, stale, per_page=50)},
    )


# ---------------------------------------------------------------------------------------------
# Opening hours


def _service_page(request, template, service, part, **context):
    return render(
        request,
        f"directory/manage/{template}",
        {"service": service, "back_url": _back(service), "part": part, **context},
    )


@login_required
def service_schedules(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    own, links = selectors.service_schedules(service)
    return _service_page(
        request, "schedules.html", service, "schedules", own_schedules=own, links=links
    )


def _schedule_form_page(request, service, form, *, schedule=None, link=None):
    return _service_page(
        request,
        "schedule_form.html",
        service,
        "schedules",
        form=form,
        schedule=schedule,
        link=link,
        cancel_url=reverse("directory:schedules", args=[service.id]),
    )


@login_required
def schedule_add(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    form = ScheduleForm(posted(request), initial=ScheduleForm.initial_for(None))
    if request.method == "POST" and form.is_valid():
        fields = form.schedule_fields()
        if saved(
            form,
            lambda: services.schedule_create(actor=request.user, service=service, **fields),
        ):
            messages.success(request, _("Opening hours added."))
            return redirect("directory:schedules", service.id)
    return _schedule_form_page(request, service, form)


@login_required
def schedule_add_at_location(request, service_at_location_id):
    link = selectors.service_at_location_for_keeper(request.user, service_at_location_id)
    service = link.service
    form = ScheduleForm(posted(request), initial=ScheduleForm.initial_for(None))
    if request.method == "POST" and form.is_valid():
        fields = form.schedule_fields()
        if saved(
            form,
            lambda: services.schedule_create(
                actor=request.user, service_at_location=link, **fields
            ),
        ):
            messages.success(request, _("Opening hours added."))
            return redirect("directory:schedules", service.id)
    return _schedule_form_page(request, service, form, link=link)


def _schedule_service(schedule):
    return schedule.service or schedule.service_at_location.service


@login_required
def schedule_edit(request, schedule_id):
    schedule = selectors.schedule_for_keeper(request.user, schedule_id)
    service = _schedule_service(schedule)
    form = ScheduleForm(posted(request), initial=ScheduleForm.initial_for(schedule))
    if request.method == "POST" and form.is_valid():
        fields = form.schedule_fields()
        if saved(
            form,
            lambda: services.schedule_update(actor=request.user, schedule=schedule, **fields),
        ):
            messages.success(request, _("Opening hours saved."))
            return redirect("directory:schedules", service.id)
    return _schedule_form_page(
        request, service, form, schedule=schedule, link=schedule.service_at_location
    )


def _confirm_remove(request, *, caption, heading, body, back_url, button):
    return render(
        request,
        "directory/manage/confirm_remove.html",
        {
            "caption": caption,
            "heading": heading,
            "body": body,
            "back_url": back_url,
            "button": button,
        },
    )


@login_required
def schedule_remove(request, schedule_id):
    schedule = selectors.schedule_for_keeper(request.user, schedule_id)
    service = _schedule_service(schedule)
    back = reverse("directory:schedules", args=[service.id])
    if request.method == "POST":
        services.schedule_delete(actor=request.user, schedule=schedule)
        messages.success(request, _("Opening hours removed."))
        return redirect(back)
    return _confirm_remove(
        request,
        caption=service.name,
        heading=_("Remove these opening hours?"),
        body=f"{schedule_days(schedule)}: {schedule_times(schedule)}",
        back_url=back,
        button=_("Remove opening hours"),
    )


# ---------------------------------------------------------------------------------------------
# Languages


@login_required
def service_languages(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    form = LanguageForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if saved(
            form,
            lambda: services.language_add(
                actor=request.user, service=service, code=data["code"], name=data["name"]
            ),
            renamed={
                "code": "other_code" if data["language"] == "other" else "language",
                "name": "other_name",
            },
        ):
            messages.success(request, _("Language added."))
            return redirect("directory:languages", service.id)
    return _service_page(
        request,
        "languages.html",
        service,
        "languages",
        form=form,
        languages=selectors.service_languages(service),
    )


@login_required
def language_remove(request, language_id):
    language = selectors.language_for_keeper(request.user, language_id)
    service = language.service
    back = reverse("directory:languages", args=[service.id])
    if request.method == "POST":
        services.language_remove(actor=request.user, language=language)
        messages.success(request, _("Language removed."))
        return redirect(back)
    return _confirm_remove(
        request,
        caption=service.name,
        heading=_("Remove %(language)s?") % {"language": language.name or language.code},
        body=_("The listing will no longer say the service is offered in this language."),
        back_url=back,
        button=_("Remove language"),
    )


# ---------------------------------------------------------------------------------------------
# Costs


@login_required
def service_costs(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    options = list(selectors.service_cost_options(service))
    return _service_page(
        request,
        "costs.html",
        service,
        "costs",
        options=options,
        free_of_cost=search.is_free_of_cost(service),
    )


def _cost_form_page(request, service, form, option=None):
    return _service_page(
        request,
        "cost_form.html",
        service,
        "costs",
        form=form,
        option=option,
        cancel_url=reverse("directory:costs", args=[service.id]),
    )


@login_required
def cost_add(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    form = CostOptionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if saved(
            form,
            lambda: services.cost_option_create(actor=request.user, service=service, **fields),
        ):
            messages.success(request, _("Cost added."))
            return redirect("directory:costs", service.id)
    return _cost_form_page(request, service, form)


@login_required
def cost_edit(request, cost_option_id):
    option = selectors.cost_option_for_keeper(request.user, cost_option_id)
    service = option.service
    fields = services.COST_OPTION_EDITABLE_FIELDS
    form = CostOptionForm(posted(request), initial={name: getattr(option, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if saved(
            form,
            lambda: services.cost_option_update(actor=request.user, cost_option=option, **data),
        ):
            messages.success(request, _("Cost saved."))
            return redirect("directory:costs", service.id)
    return _cost_form_page(request, service, form, option)


@login_required
def cost_remove(request, cost_option_id):
    option = selectors.cost_option_for_keeper(request.user, cost_option_id)
    service = option.service
    back = reverse("directory:costs", args=[service.id])
    if request.method == "POST":
        services.cost_option_delete(actor=request.user, cost_option=option)
        messages.success(request, _("Cost removed."))
        return redirect(back)
    return _confirm_remove(
        request,
        caption=service.name,
        heading=_("Remove this cost?"),
        body=str(option),
        back_url=back,
        button=_("Remove cost"),
    )


# ---------------------------------------------------------------------------------------------
# Where a service is offered


@login_required
def service_locations(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    candidates = list(selectors.locations_to_link(service))
    form = ServiceLocationForm(posted(request), locations=candidates) if candidates else None
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if saved(
            form,
            lambda: services.service_at_location_create(
                actor=request.user,
                service=service,
                location=data["location"],
                description=data["description"],
            ),
        ):
            messages.success(request, _("The service is now listed at this location."))
            return redirect("directory:service-locations", service.id)
    return _service_page(
        request,
        "service_locations.html",
        service,
        "locations",
        form=form,
        links=selectors.service_locations(service),
    )


@login_required
def service_location_remove(request, service_at_location_id):
    link = selectors.service_at_location_for_keeper(request.user, service_at_location_id)
    service = link.service
    back = reverse("directory:service-locations", args=[service.id])
    if request.method == "POST":
        services.service_at_location_delete(actor=request.user, service_at_location=link)
        messages.success(request, _("The service is no longer listed at this location."))
        return redirect(back)
    name = link.location.name or _("this location")
    return _confirm_remove(
        request,
        caption=service.name,
        heading=_("Stop listing the service at %(name)s?") % {"name": name},
        body=_(
            "Opening hours and phone numbers of the service at this location are removed too. "
            "The location itself stays."
        ),
        back_url=back,
        button=_("Stop listing it here"),
    )


# ---------------------------------------------------------------------------------------------
# Locations of a listing, and their access


@login_required
def listing_locations(request, listing_id):
    listing = selectors.listing_for_keeper(request.user, listing_id)
    page = paginate(request, selectors.locations_of_listing(listing), per_page=PER_PAGE)
    return render(
        request,
        "directory/manage/locations.html",
        {"listing": listing, "page": page, "back_url": _listing_back(listing)},
    )


def _listing_back(listing) -> str:
    if listing.member_id is not None:
        return reverse("directory:member-listings", args=[listing.member.slug])
    return reverse("directory:organization", args=[listing.id])


def _locations_url(location: Location) -> str:
    return reverse("directory:locations", args=[location.organization_id])


@login_required
def location_add(request, listing_id):
    listing = selectors.listing_for_keeper(request.user, listing_id)
    form = LocationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        address, fields = form.address_fields(), form.location_fields()
        if saved(
            form,
            lambda: services.location_create(
                actor=request.user, listing=listing, address=address, **fields
            ),
        ):
            messages.success(request, _("Location added."))
            return redirect("directory:locations", listing.id)
    return render(
        request,
        "directory/manage/location_form.html",
        {
            "form": form,
            "listing": listing,
            "back_url": reverse("directory:locations", args=[listing.id]),
        },
    )


@login_required
def location_add_confidential(request, listing_id):
    listing = selectors.listing_for_keeper(request.user, listing_id)
    form = ConfidentialLocationEditForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if saved(
            form,
            lambda: services.location_create(
                actor=request.user,
                listing=listing,
                is_confidential=True,
                name=data["name"],
                coarse_area=data["coarse_area"],
            ),
        ):
            messages.success(request, _("Confidential location added."))
            return redirect("directory:locations", listing.id)
    return render(
        request,
        "directory/manage/confidential_location_form.html",
        {
            "form": form,
            "listing": listing,
            "back_url": reverse("directory:locations", args=[listing.id]),
        },
    )


@login_required
def location_edit(request, location_id):
    location = selectors.location_for_keeper(request.user, location_id)
    listing = location.organization
    back = _locations_url(location)
    if location.is_confidential:
        # No address or position is asked for, shown or accepted: Hearth keeps none.
        form = ConfidentialLocationEditForm(
            posted(request),
            initial={"name": location.name, "coarse_area": location.coarse_area},
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            if saved(
                form,
                lambda: services.location_update(actor=request.user, location=location, **data),
            ):
                messages.success(request, _("Location saved."))
                return redirect(back)
        return render(
            request,
            "directory/manage/confidential_location_form.html",
            {"form": form, "listing": listing, "location": location, "back_url": back},
        )
    address = selectors.editable_address(location)
    initial = {name: getattr(location, name) for name in LocationForm.LOCATION_FIELDS}
    if address is not None:
        initial.update({name: getattr(address, name) for name in LocationForm.ADDRESS_FIELDS})
    form = LocationForm(
        posted(request),
        initial=initial,
        address_required=address is not None
        or location.location_type != Location.LocationType.VIRTUAL,
    )
    if request.method == "POST" and form.is_valid():
        address, fields = form.address_fields(), form.location_fields()
        if saved(
            form,
            lambda: services.location_update(
                actor=request.user, location=location, address=address, **fields
            ),
        ):
            messages.success(request, _("Location saved."))
            return redirect(back)
    return render(
        request,
        "directory/manage/location_form.html",
        {"form": form, "listing": listing, "location": location, "back_url": back},
    )


@login_required
def location_accessibility(request, location_id):
    location = selectors.location_for_keeper(request.user, location_id)
    return render(
        request,
        "directory/manage/accessibility.html",
        {
            "location": location,
            "items": selectors.location_accessibility(location),
            "back_url": _locations_url(location),
        },
    )


def _accessibility_form_page(request, location, form, item=None):
    return render(
        request,
        "directory/manage/accessibility_form.html",
        {
            "form": form,
            "location": location,
            "item": item,
            "back_url": reverse("directory:accessibility", args=[location.id]),
        },
    )


@login_required
def accessibility_add(request, location_id):
    location = selectors.location_for_keeper(request.user, location_id)
    form = AccessibilityForm(posted(request))
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        if saved(
            form,
            lambda: services.accessibility_create(actor=request.user, location=location, **fields),
        ):
            messages.success(request, _("Access information added."))
            return redirect("directory:accessibility", location.id)
    return _accessibility_form_page(request, location, form)


@login_required
def accessibility_edit(request, accessibility_id):
    item = selectors.accessibility_for_keeper(request.user, accessibility_id)
    location = item.location
    fields = services.ACCESSIBILITY_EDITABLE_FIELDS
    form = AccessibilityForm(
        posted(request), initial={name: getattr(item, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if saved(
            form,
            lambda: services.accessibility_update(actor=request.user, accessibility=item, **data),
        ):
            messages.success(request, _("Access information saved."))
            return redirect("directory:accessibility", location.id)
    return _accessibility_form_page(request, location, form, item)


@login_required
def accessibility_remove(request, accessibility_id):
    item = selectors.accessibility_for_keeper(request.user, accessibility_id)
    location = item.location
    back = reverse("directory:accessibility", args=[location.id])
    if request.method == "POST":
        services.accessibility_delete(actor=request.user, accessibility=item)
        messages.success(request, _("Access information removed."))
        return redirect(back)
    return _confirm_remove(
        request,
        caption=location.name,
        heading=_("Remove this access information?"),
        body=item.description,
        back_url=back,
        button=_("Remove access information"),
    )
