"""Who may keep a directory listing current: admins and practitioners of the member
organization that claimed it, coordinators of the network whose directory holds it, and site
operators."""

from hearth.accounts.models import Coordinator
from hearth.accounts.rules import keeps_directory_listings

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
