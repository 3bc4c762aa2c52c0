"""Every outcomes page is reachable by links from the page above it, for exactly the people who
may open it: the organization's page (programs, custom forms, the self-assessment, safety
follow-ups), the programs page (forms, self-assessment, each program's report), a person's
check-ins (their progress, the organization's forms), the network's page (the public impact page
and, for coordinators, the network's self-assessments). Each link leads to a page that opens."""

from __future__ import annotations

import re

import pytest

from hearth.accounts.models import Role
from tests.conftest import sign_in
from tests.factories import CoordinatorFactory, TOTPDeviceFactory
from tests.outcomes.test_pages import Setting

pytestmark = pytest.mark.django_db


def links(response) -> set[str]:
    return set(re.findall(r'<a [^>]*href="([^"#?]+)', response.content.decode()))


@pytest.fixture
def s():
    return Setting()


def test_an_admin_reaches_every_outcomes_page_of_the_organization(client, s):
    sign_in(client, s.admin)
    base = f"/organizations/{s.slug}/"

    organization = links(client.get(base))
    programs = links(client.get(f"{base}programs/"))
    person = links(client.get(s.person_url("check-ins/")))

    assert {f"{base}programs/", f"{base}forms/", f"{base}self-assessment/"} <= organization
    assert f"{base}safety-alerts/" in organization
    assert {
        f"{base}forms/",
        f"{base}self-assessment/",
        f"{base}programs/measures/",
        f"{base}programs/{s.program.pk}/",
        f"{base}programs/{s.program.pk}/report/",
    } <= programs
    assert {s.person_url("progress/"), f"{base}forms/"} <= person
    for url in organization | programs | person:
        if "/programs/" in url or "/forms/" in url or "self-assessment" in url:
            assert client.get(url).status_code == 200, url


def test_a_practitioner_reaches_the_self_assessment_but_not_the_admin_pages(client, s):
    sign_in(client, s.practitioner)
    base = f"/organizations/{s.slug}/"

    organization = links(client.get(base))
    person = links(client.get(s.person_url("check-ins/")))

    assert f"{base}self-assessment/" in organization
    assert client.get(f"{base}self-assessment/").status_code == 200
    assert f"{base}forms/" not in organization | person
    assert f"{base}programs/" not in organization
    assert s.person_url("progress/") in person


@pytest.mark.parametrize("role", [Role.PEER_SUPPORTER, Role.VIEWER])
def test_others_are_not_shown_links_they_could_not_open(client, s, role):
    sign_in(client, {Role.PEER_SUPPORTER: s.peer, Role.VIEWER: s.viewer}[role])
    base = f"/organizations/{s.slug}/"

    organization = links(client.get(base))

    for url in (f"{base}self-assessment/", f"{base}forms/", f"{base}programs/"):
        assert url not in organization
        assert client.get(url).status_code == 404


def test_the_network_page_leads_to_the_impact_page_and_coordinators_to_self_assessments(client, s):
    coordinator = CoordinatorFactory(network=s.network).user
    TOTPDeviceFactory(user=coordinator)
    impact = f"/impact/{s.network.slug}/"
    assessments = f"/networks/{s.network.slug}/self-assessment/"

    sign_in(client, s.practitioner)
    as_member = links(client.get(f"/networks/{s.network.slug}/"))
    client.logout()
    sign_in(client, coordinator)
    as_coordinator = links(client.get(f"/networks/{s.network.slug}/"))

    assert impact in as_member and assessments not in as_member
    assert {impact, assessments} <= as_coordinator
    assert client.get(impact).status_code == 200
    assert client.get(assessments).status_code == 200
