"""Loads the fictional Riverbend Valley demo network through the accounts services, so the
demo is audited like any other change. Idempotent: what already exists is left alone."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.core import audit

from . import demo_data, services
from .models import Membership, Network, Organization, User


def demo_totp_key(email: str) -> str:
    """A fixed two-factor secret per demo account, so the demo can be signed into and tested.
    Only demo accounts (`is_demo`) ever get one."""
    return hashlib.sha256(f"hearth-demo-totp:{email}".encode()).hexdigest()[:40]


def demo_totp_code(email: str) -> str:
    return f"{totp(bytes.fromhex(demo_totp_key(email))):06d}"


@dataclass
class DemoSignIn:
    email: str
    summary: str


def demo_is_loaded() -> bool:
    return Network.objects.filter(slug=demo_data.NETWORKS[0]["slug"]).exists()


def database_is_empty() -> bool:
    return not (User.objects.exists() or Organization.objects.exists())


def _ensure_user(spec: dict, *, is_superuser: bool = False) -> User:
    user = User.objects.filter(email=spec["email"]).first()
    if user is None:
        user = services.user_create(
            actor=None,
            email=spec["email"],
            full_name=spec["full_name"],
            password=demo_data.DEMO_PASSWORD,
            preferred_language=spec.get("language", "en"),
            is_superuser=is_superuser,
            is_demo=True,
        )
    if user.is_demo and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=demo_totp_key(user.email), confirmed=True
        )
        audit.record(actor=None, action="hearth.accounts.two_factor.enabled", target=user)
    return user


@transaction.atomic
def load_demo() -> list[DemoSignIn]:
    operator = _ensure_user(demo_data.SUPERUSER, is_superuser=True)
    networks = {}
    for spec in demo_data.NETWORKS:
        network = Network.objects.filter(slug=spec["slug"]).first()
        if network is None:
            network = services.network_create(actor=operator, **spec)
        networks[spec["slug"]] = network
    organizations = {}
    for spec in demo_data.ORGANIZATIONS:
        fields = {key: value for key, value in spec.items() if key not in {"slug", "networks"}}
        organization = Organization.objects.filter(slug=spec["slug"]).first()
        if organization is None:
            organization = services.organization_create(
                actor=operator, network=None, slug=spec["slug"], **fields
            )
        for slug in spec["networks"]:
            services.organization_join_network(
                actor=operator, organization=organization, network=networks[slug]
            )
        organizations[spec["slug"]] = organization
    sign_ins = [DemoSignIn(demo_data.SUPERUSER["email"], "Site operator (all networks)")]
    for spec in demo_data.USERS:
        user = _ensure_user(spec)
        for slug, role in spec["memberships"]:
            if not Membership.objects.filter(user=user, organization=organizations[slug]).exists():
                services.membership_add(
                    actor=operator, organization=organizations[slug], user=user, role=role
                )
        for slug in spec["coordinates"]:
            services.coordinator_add(actor=operator, network=networks[slug], user=user)
        sign_ins.append(DemoSignIn(user.email, spec["summary"]))
    # The operator set the networks up; the people named in the demo coordinate them.
    for network in networks.values():
        others = network.coordinators.exclude(user=operator)
        if others.exists():
            mine = network.coordinators.filter(user=operator).first()
            if mine is not None:
                services.coordinator_remove(actor=operator, coordinator=mine)
    # The directory listings of the demo members, and a few organizations outside Hearth.
    from hearth.directory.demo_listings import load_demo_listings

    load_demo_listings()
    # People the demo organizations support, with consents and the person's own sign-in.
    from hearth.people.demo import load as load_demo_people

    sign_ins += load_demo_people(organizations=organizations)
    # Referrals between the demo organizations, in every status, about those people.
    from hearth.referrals.demo import load as load_demo_referrals

    load_demo_referrals(organizations=organizations)
    # A check-in program at Harbor House, with Sam River's earlier check-ins.
    from hearth.outcomes.demo import load as load_demo_outcomes

    load_demo_outcomes(organizations=organizations)
    # Circles deciding together (the cooperative, the coalition, an advisory board with a
    # community member), with open and closed proposals; its community member signs in too.
    from hearth.governance.demo import load as load_demo_circles

    sign_ins += load_demo_circles(organizations=organizations)
    # Demo circles, a participatory budgeting round with results and a year of the therapy
    # cooperative's books (hearth/governance/demo_budget.py loads the circles first).
    from hearth.governance.demo_budget import load as load_demo_budget

    load_demo_budget(organizations=organizations)
    return sign_ins
