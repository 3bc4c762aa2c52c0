"""Permission predicates for accounts, organizations and networks: one question each."""

from django.conf import settings

from .models import Coordinator, Membership, Role

# Roles whose holders can open records about the people an organization serves.
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.PRACTITIONER, Role.PEER_SUPPORTER})


def is_org_member(user, organization) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organization=organization).exists()
    )


def is_org_admin(user, organization) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organization=organization, role=Role.ADMIN
        ).exists()
    )


def is_network_coordinator(user, network) -> bool:
    return user.is_authenticated and Coordinator.objects.filter(user=user, network=network).exists()


def coordinates_any_network_of(user, organization) -> bool:
    return (
        user.is_authenticated
        and Coordinator.objects.filter(user=user, network__organizations=organization).exists()
    )


def can_manage_organization(user, organization) -> bool:
    return is_org_admin(user, organization) or coordinates_any_network_of(user, organization)


def needs_two_factor(user) -> bool:
    """Anyone who can see personal data, or coordinates a network, signs in with two factors."""
    if not settings.HEARTH_TWO_FACTOR_REQUIRED or not user.is_authenticated:
        return False
    if user.is_superuser or Coordinator.objects.filter(user=user).exists():
        return True
    return Membership.objects.filter(user=user, role__in=PERSONAL_DATA_ROLES).exists()


def keeps_directory_listings(user, organization) -> bool:
    """Admins and practitioners keep their organization's directory listings current, as do
    the coordinators of its networks."""
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user, organization=organization, role__in=[Role.ADMIN, Role.PRACTITIONER]
        ).exists()
        or coordinates_any_network_of(user, organization)
    )
