"""Reads about accounts, organizations and networks, with the access rules applied.

Every `*_for_*` lookup raises `Http404` both when the object does not exist and when the user
may not see it, so nobody can learn what exists by trying addresses."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from hearth.core.models import AuditRecord

from .models import Coordinator, Invitation, Membership, Network, Organization, User
from .rules import can_manage_organization, is_network_coordinator


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization")


def networks_coordinated_by(user: User) -> QuerySet[Network]:
    return Network.objects.filter(coordinators__user=user).order_by("name")


def networks_of(user: User) -> QuerySet[Network]:
    """Networks the user coordinates or whose organizations they belong to."""
    return (
        Network.objects.filter(
            Q(coordinators__user=user) | Q(organizations__memberships__user=user)
        )
        .distinct()
        .order_by("name")
    )


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Organizations a user can see the profile of: their own, and every organization in a
    network they belong to or coordinate."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    network_ids = networks_of(user).values("pk")
    return (
        Organization.objects.filter(
            Q(memberships__user=user) | Q(network_memberships__network__in=network_ids)
        )
        .distinct()
        .order_by("name")
    )


def organization_for_viewer(user: User, slug: str) -> Organization:
    organization = organizations_visible_to(user).filter(slug=slug).first()
    if organization is None:
        raise Http404
    return organization


def organization_for_manager(user: User, slug: str) -> Organization:
    """An organization whose private pages (members, invitations, audit, settings) the user
    may manage: its admins, coordinators of its networks, and site operators."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not (
        user.is_superuser or can_manage_organization(user, organization)
    ):
        raise Http404
    return organization


def organization_members(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("user__full_name")
    )


def membership_in(organization: Organization, membership_id) -> Membership:
    membership = organization_members(organization).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def open_invitations(organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def invitation_in(organization: Organization, invitation_id) -> Invitation:
    invitation = Invitation.objects.filter(organization=organization, pk=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


def network_for_viewer(user: User, slug: str) -> Network:
    network = (
        (Network.objects.all() if user.is_superuser else networks_of(user))
        .filter(slug=slug)
        .first()
    )
    if network is None:
        raise Http404
    return network


def networks_with_visibility(user: User, organization: Organization) -> list[tuple[Network, bool]]:
    """An organization's networks, each with whether the user may open its page."""
    visible = set(
        (Network.objects.all() if user.is_superuser else networks_of(user)).values_list(
            "pk", flat=True
        )
    )
    return [(network, network.pk in visible) for network in organization.networks.order_by("name")]


def network_for_coordinator(user: User, slug: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None or not (user.is_superuser or is_network_coordinator(user, network)):
        raise Http404
    return network


def network_organizations(network: Network) -> QuerySet[Organization]:
    return network.organizations.annotate(member_count=Count("memberships")).order_by("name")


def network_coordinators(network: Network) -> QuerySet[Coordinator]:
    return (
        Coordinator.objects.filter(network=network)
        .select_related("user")
        .order_by("user__full_name")
    )


def coordinator_in(network: Network, coordinator_id) -> Coordinator:
    coordinator = network_coordinators(network).filter(pk=coordinator_id).first()
    if coordinator is None:
        raise Http404
    return coordinator


def switchable_contexts(user: User) -> list[tuple[str, str]]:
    """The organizations and networks a user can act for, as (value, label) pairs."""
    if not user.is_authenticated:
        return []
    contexts = [
        (f"organization:{m.organization.slug}", m.organization.name) for m in memberships_of(user)
    ]
    contexts += [(f"network:{n.slug}", n.name) for n in networks_coordinated_by(user)]
    return contexts


def audit_records_for_organization(
    organization: Organization, *, action: str = "", since=None, until=None
) -> QuerySet[AuditRecord]:
    return _filtered(
        AuditRecord.objects.filter(organization_id=organization.pk), action, since, until
    )


def audit_records_for_network(
    network: Network, *, action: str = "", since=None, until=None
) -> QuerySet[AuditRecord]:
    """Coordinators see what happened at network level (organizations joining and leaving,
    coordinators, network settings), not the inside of each organization."""
    return _filtered(AuditRecord.objects.filter(network_id=network.pk), action, since, until)


def _filtered(queryset, action, since, until):
    if action:
        queryset = queryset.filter(action__startswith=action)
    if since:
        queryset = queryset.filter(recorded_at__date__gte=since)
    if until:
        queryset = queryset.filter(recorded_at__date__lte=until)
    return queryset.order_by("-sequence")


def audit_action_codes(queryset: QuerySet[AuditRecord]) -> list[str]:
    return sorted(set(queryset.order_by().values_list("action", flat=True).distinct()))
