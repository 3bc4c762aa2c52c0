"""Pages for the people who keep listings current: a member organization's listings, editing a
service, confirming it is still correct, capacity, confidential locations, and coordinators'
list of listings that need checking."""

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
from hearth.core.pagination import paginate

from . import selectors, services
from .forms import CapacityForm, ConfidentialLocationForm, ServiceEditForm


def _posted(request):
    return request.POST if request.method == "POST" else None


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
    items = [
        {"service": service, "stale": selectors.is_stale(service)}
        for service in selectors.services_of_member(organization)
    ]
    return render(
        request, "directory/manage/listings.html", {"organization": organization, "items": items}
    )


@login_required
def service_edit(request, service_id):
    service = selectors.service_for_keeper(request.user, service_id)
    fields = services.SERVICE_EDITABLE_FIELDS
    form = ServiceEditForm(
        _posted(request), initial={name: getattr(service, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in fields}
        try:
            services.service_update(actor=request.user, service=service, **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("The listing has been saved."))
            return redirect(_back(service))
    return render(
        request,
        "directory/manage/service_form.html",
        {"form": form, "service": service, "back_url": _back(service)},
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
        _posted(request),
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
        {"form": form, "service": service, "back_url": _back(service)},
    )


@login_required
def location_confidential(request, location_id):
    location = selectors.location_for_keeper(request.user, location_id)
    if location.is_confidential:
        raise Http404
    form = ConfidentialLocationForm(_posted(request))
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
