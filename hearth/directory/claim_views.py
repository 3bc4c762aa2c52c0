"""Claiming a listing: an organization's admins ask to keep a listing of their network's
directory that nobody keeps; the network's coordinators approve or decline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hearth.accounts import selectors as account_selectors
from hearth.core.pagination import paginate

from . import rules, selectors, services
from .forms import ClaimDecisionForm, ClaimRequestForm, ListingSearchForm
from .manage_views import PER_PAGE, saved

# The claims page lists an organization's latest requests only; older ones are in its audit.
LATEST_CLAIMS = 10


def _claimant_for(user, slug):
    """The organization the user speaks for when asking to keep a listing: its admins only."""
    organization = account_selectors.organizations_visible_to(user).filter(slug=slug).first()
    if organization is None or not rules.can_ask_to_claim(user, organization):
        raise Http404
    return organization


@login_required
def claimable_listings(request, slug):
    organization = _claimant_for(request.user, slug)
    form = ListingSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = paginate(request, selectors.listings_claimable_by(organization, text), per_page=PER_PAGE)
    return render(
        request,
        "directory/manage/claim_listings.html",
        {
            "organization": organization,
            "form": form,
            "page": page,
            "searched": bool(text),
            "claims": selectors.claims_of(organization)[:LATEST_CLAIMS],
        },
    )


@login_required
def claim_listing(request, slug, listing_id):
    organization = _claimant_for(request.user, slug)
    listing = selectors.claimable_listing(organization, listing_id)
    form = ClaimRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        if saved(
            form,
            lambda: services.listing_claim_request(
                actor=request.user, listing=listing, claimant=organization, note=note
            ),
        ):
            messages.success(
                request,
                _(
                    "Your request to keep “%(name)s” has been sent to the coordinators of "
                    "the network."
                )
                % {"name": listing.name},
            )
            return redirect("directory:claim-listings", organization.slug)
    return render(
        request,
        "directory/manage/claim_form.html",
        {"organization": organization, "listing": listing, "form": form},
    )


@login_required
def network_claims(request, slug):
    network = account_selectors.network_for_coordinator(request.user, slug)
    page = paginate(request, selectors.pending_claims_in_network(network), per_page=PER_PAGE)
    return render(request, "directory/manage/claims.html", {"network": network, "page": page})


@login_required
def decide_claim(request, slug, claim_id):
    network = account_selectors.network_for_coordinator(request.user, slug)
    claim = selectors.claim_in_network(network, claim_id)
    if claim.status != claim.Status.PENDING:
        raise Http404
    form = ClaimDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        approve = data["decision"] == ClaimDecisionForm.APPROVE
        decide = services.listing_claim_approve if approve else services.listing_claim_decline
        if saved(form, lambda: decide(actor=request.user, claim=claim, note=data["note"])):
            if approve:
                message = _("%(organization)s now keeps “%(listing)s”.")
            else:
                message = _("The request of %(organization)s for “%(listing)s” was declined.")
            messages.success(
                request,
                message % {"organization": claim.claimant.name, "listing": claim.listing.name},
            )
            return redirect("directory:claims", network.slug)
    return render(
        request,
        "directory/manage/claim_decision.html",
        {"network": network, "claim": claim, "form": form},
    )
