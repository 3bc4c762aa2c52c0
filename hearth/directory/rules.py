"""Who may keep a directory listing current: admins and practitioners of the member
organization that claimed it, coordinators of the network whose directory holds it, and site
operators. Who may ask to claim a listing, and who decides."""

from hearth.accounts.models import Coordinator, NetworkMembership
from hearth.accounts.rules import is_network_coordinator, is_org_admin, keeps_directory_listings

from .models import Organization


def can_keep_listing(user, listing: Organization | None) -> bool:
    if listing is None or not user.is_authenticated:
        return False
    if listing.member is not None and keeps_directory_listings(user, listing.member):
        return True
    return user.is_superuser or bool(
        listing.network_id
        and Coordinator.objects.filter(user=user, network_id=listing.network_id).exists()
    )


def can_ask_to_claim(user, claimant) -> bool:
    """Only an organization's admins speak for it when it asks to keep a listing."""
    return is_org_admin(user, claimant)


def is_claimable_by(listing: Organization, claimant) -> bool:
    """A listing nobody keeps yet, in the directory of a network the organization belongs to."""
    return (
        listing.member_id is None
        and listing.network_id is not None
        and NetworkMembership.objects.filter(
            network_id=listing.network_id, organization=claimant
        ).exists()
    )


def can_decide_claims(user, network) -> bool:
    return user.is_authenticated and (user.is_superuser or is_network_coordinator(user, network))
