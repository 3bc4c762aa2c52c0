"""Anonymous proposals never reveal who responded how: no page or export puts a person's name
or e-mail address beside a position or a reason, the database keeps no voter on a response,
"who has responded" stays hidden under 3 ballots, and anonymity cannot be turned off.

The check reads every page a member, the proposer and the facilitator (an organization admin,
who also reads the audit trail) can open about the proposals, before and after they close, and
splits each into its smallest blocks (table rows and cells, list items, paragraphs...): no block
may hold both someone's name or e-mail address and a position, an option or a reason. The same
check finds the names beside the positions of an ordinary proposal, so it can fail."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from hearth.accounts.rules import needs_two_factor
from hearth.core.models import AuditRecord
from hearth.governance import services
from hearth.governance.models import Participation, Proposal, Response
from tests.conftest import sign_in
from tests.factories import TOTPDeviceFactory

from .test_circles import make_circle
from .test_proposals import open_proposal, respond

pytestmark = pytest.mark.django_db

Process = Proposal.Process
NAMES = ["Aurelia Quillfeather", "Bartholomew Zinnwald", "Cordelia Vantongeren", "Desmond Ilkova"]
OPTIONS = ["Mangosteen", "Papayawhip", "Quincejelly"]
CONSENSUS_LABELS = [
    "Agree",
    "Abstain",
    "Disagree, standing aside: I will not stop it",
    "Block: this goes against the circle&#x27;s values or purpose",
]
BLOCK_TAGS = r"<(?:tr|li|p|dd|dt|h1|h2|h3|caption|legend|label|option|title)\b"


def signed_in(user) -> Client:
    if needs_two_factor(user) and not user.totpdevice_set.filter(confirmed=True).exists():
        TOTPDeviceFactory(user=user)
    return sign_in(Client(), user)


def blocks(content: str) -> list[str]:
    """A page cut into its smallest blocks of text (CSV: its lines)."""
    if "<html" not in content:
        return content.splitlines()
    body = content.split("<body", 1)[1]
    return [re.sub(r"<[^>]+>", " ", chunk) for chunk in re.split(BLOCK_TAGS, body)]


def leaks(content: str, people, secrets: list[str]) -> list[str]:
    """Blocks naming someone beside a position, an option or a reason."""
    found = []
    for block in blocks(content):
        text = unescape(block)
        who = [p.full_name for p in people if p.full_name in text or p.email in text]
        what = [secret for secret in secrets if unescape(secret) in text]
        if who and what:
            found.append(f"{who} beside {what}: {' '.join(text.split())[:200]}")
    return found


@pytest.fixture
def world():
    """A circle of five with two anonymous proposals (a poll and a consensus proposal with a
    block), each raised from a discussion, and four of the members responding with reasons."""
    circle, people = make_circle(members=4)
    for person, name in zip(people[1:], NAMES, strict=True):
        person.full_name = name
        person.save(update_fields=["full_name"])
    thread = services.thread_start(actor=people[1], circle=circle, title="Where we meet")
    poll = open_proposal(
        circle, people[1], Process.POLL, options=OPTIONS, anonymous=True, thread=thread
    )
    consensus = open_proposal(
        circle, people[1], Process.CONSENSUS, anonymous=True, thread=thread, title="Rota"
    )
    return circle, people, thread, poll, consensus


def respond_all(poll, consensus, people):
    choices = ["o1", "o2", "o2", "o3"]
    positions = ["agree", "block", "abstain", "disagree"]
    for number, (person, choice, position) in enumerate(
        zip(people[1:], choices, positions, strict=True)
    ):
        respond(poll, person, position=choice, reason=f"pollreason{number}")
        respond(consensus, person, position=position, reason=f"rotareason{number}")
    # One member changes their mind: the earlier response stays in the history
    respond(poll, people[1], position="o3", reason="pollreason9")


def pages_about(circle, thread, proposals, organization_slug):
    urls = ["/circles/", f"/circles/{circle.slug}/", f"/circles/{circle.slug}/members/"]
    urls += [f"/discussions/{thread.pk}/", "/notifications/", "/my/"]
    urls += [f"/organizations/{organization_slug}/audit/"]
    for proposal in proposals:
        urls += [
            f"/proposals/{proposal.pk}/",
            f"/proposals/{proposal.pk}/results.csv",
            f"/proposals/{proposal.pk}/amend/",
        ]
    return urls


def read_everything(clients, urls) -> dict[str, str]:
    pages = {}
    for person, client in clients.items():
        for url in urls:
            response = client.get(url)
            if response.status_code == 200:
                pages[f"{person.full_name} {url}"] = response.content.decode()
    return pages


def secrets_of(proposals) -> list[str]:
    reasons = [f"pollreason{n}" for n in (0, 1, 2, 3, 9)] + [f"rotareason{n}" for n in range(4)]
    return OPTIONS + CONSENSUS_LABELS + reasons


class TestNoPageRevealsWhoRespondedHow:
    def test_while_open_and_after_closing(self, world):
        circle, people, thread, poll, consensus = world
        respond_all(poll, consensus, people)
        organization = circle.organization.slug
        urls = pages_about(circle, thread, [poll, consensus], organization)

        clients = {person: signed_in(person) for person in people}
        pages = read_everything(clients, urls)
        assert f"{people[0].full_name} /organizations/{organization}/audit/" in pages
        assert f"{NAMES[0]} /proposals/{poll.pk}/amend/" in pages
        # The held banner shows the block's reason, but not whose it is
        assert "rotareason1" in pages[f"{NAMES[2]} /proposals/{consensus.pk}/"]
        found = [
            f"{where}: {leak}"
            for where, page in pages.items()
            for leak in leaks(page, people, secrets_of([poll, consensus]))
        ]
        assert found == []

        # After closing, results and reasons are shown: still without names
        Proposal.objects.filter(pk__in=[poll.pk, consensus.pk]).update(closes_at=timezone.now())
        services.proposals_remind()
        pages = read_everything(clients, urls)
        poll_page = pages[f"{NAMES[3]} /proposals/{poll.pk}/"]
        assert "data-hearth-results" in poll_page and "pollreason9" in poll_page
        assert f"{NAMES[3]} /proposals/{poll.pk}/results.csv" in pages
        found = [
            f"{where}: {leak}"
            for where, page in pages.items()
            for leak in leaks(page, people, secrets_of([poll, consensus]))
        ]
        assert found == []

    def test_the_check_finds_names_beside_positions_when_a_proposal_is_not_anonymous(self, world):
        circle, people, _thread, _poll, _consensus = world
        ordinary = open_proposal(circle, people[1], Process.POLL, options=OPTIONS)
        respond(ordinary, people[2], position="o2", reason="pollreason0")
        page = signed_in(people[3]).get(f"/proposals/{ordinary.pk}/").content.decode()
        assert leaks(page, people, [*OPTIONS, "pollreason0"]) != []


class TestStorage:
    def test_no_response_names_its_voter_and_history_is_kept_by_digest(self, world):
        _circle, people, _thread, poll, consensus = world
        respond_all(poll, consensus, people)
        rows = Response.objects.filter(proposal__in=[poll, consensus])
        assert rows.count() == 9
        assert not rows.filter(voter__isnull=False).exists()
        own = services.voter_digest(poll.pk, people[1].pk)
        assert rows.filter(proposal=poll, voter_digest=own).count() == 2
        # Taking part is recorded (for one ballot each), at no time that matches a response
        participations = Participation.objects.filter(proposal=poll)
        assert sorted(participations.values_list("user", flat=True)) == sorted(
            p.pk for p in people[1:]
        )
        assert set(participations.values_list("first_at", flat=True)) == {poll.opened_at}
        # The audit trail says someone responded, never how
        details = AuditRecord.objects.filter(action="hearth.governance.proposal.responded")
        assert {tuple(sorted(d)) for d in details.values_list("detail", flat=True)} == {
            ("changed",)
        }

    def test_digests_are_per_proposal_and_per_member(self, world):
        _circle, people, _thread, poll, consensus = world
        digests = {
            services.voter_digest(proposal.pk, person.pk)
            for proposal in (poll, consensus)
            for person in people
        }
        assert len(digests) == 10
        assert all(len(digest) == 64 for digest in digests)


class TestWhoHasResponded:
    def test_hidden_under_three_ballots_then_listed_in_name_order(self, world):
        _circle, people, _thread, poll, _consensus = world
        reader = signed_in(people[0])
        url = f"/proposals/{poll.pk}/"
        respond(poll, people[4], position="o1")
        respond(poll, people[2], position="o2")
        body = reader.get(url).content.decode()
        assert "data-hearth-respondents-hidden" in body
        assert "data-hearth-respondents>" not in body
        assert NAMES[3] not in body and NAMES[1] not in body
        respond(poll, people[3], position="o3")
        body = reader.get(url).content.decode()
        listed = body.split("data-hearth-respondents>")[1].split("</ul>")[0]
        assert re.findall(r"<li>([^<]+)</li>", listed) == [NAMES[1], NAMES[2], NAMES[3]]

    def test_results_stay_hidden_until_close_even_after_responding(self, world):
        _circle, people, _thread, poll, _consensus = world
        client = signed_in(people[2])
        for person in people[1:]:
            respond(poll, person, position="o1")
        body = client.get(f"/proposals/{poll.pk}/").content.decode()
        assert "data-hearth-results" not in body
        assert "Results are shown when the proposal closes." in body
        assert client.get(f"/proposals/{poll.pk}/results.csv").status_code == 404


class TestAnonymityCannotBeUndone:
    def test_an_amendment_cannot_turn_it_off(self, world):
        _circle, people, _thread, poll, _consensus = world
        respond(poll, people[2], position="o1")
        before = (
            Proposal.objects.count(),
            Response.objects.count(),
            AuditRecord.objects.count(),
            list(Proposal.objects.values_list("id", "status", "anonymous")),
        )
        with pytest.raises(ValidationError) as refused:
            services.proposal_amend(
                actor=people[1], proposal=poll, title="T", body="B", anonymous=False
            )
        assert refused.value.message_dict == {
            "anonymous": ["This proposal is anonymous, and anonymity cannot be turned off."]
        }
        after = (
            Proposal.objects.count(),
            Response.objects.count(),
            AuditRecord.objects.count(),
            list(Proposal.objects.values_list("id", "status", "anonymous")),
        )
        assert after == before

    def test_an_amended_version_stays_anonymous_whatever_the_form_says(self, world):
        _circle, people, _thread, poll, _consensus = world
        client = signed_in(people[1])
        closes = timezone.localtime(poll.closes_at)
        response = client.post(
            f"/proposals/{poll.pk}/amend/",
            {
                "title": "Where we meet, version two",
                "body": "With a fourth place.",
                "options": "\n".join([*OPTIONS, "Rambutan"]),
                "closes_on": closes.date().isoformat(),
                "closes_time": "17:00",
                "anonymous": "",
            },
        )
        amended = Proposal.objects.get(supersedes=poll)
        assert response["Location"] == f"/proposals/{amended.pk}/"
        assert amended.anonymous is True

    def test_an_amendment_may_turn_it_on(self, world):
        circle, people, _thread, _poll, _consensus = world
        ordinary = open_proposal(circle, people[1])
        amended = services.proposal_amend(
            actor=people[1], proposal=ordinary, title="T", body="B", anonymous=True
        )
        assert amended.anonymous is True

    def test_no_service_takes_an_anonymous_setting_for_an_existing_proposal_but_amend(self):
        import inspect

        takes = sorted(
            name
            for name, function in vars(services).items()
            if callable(function)
            and name.startswith("proposal_")
            and "anonymous" in inspect.signature(function).parameters
        )
        assert takes == ["proposal_amend", "proposal_open"]


def test_closed_anonymous_results_have_no_table_of_members_responses(world):
    _circle, people, _thread, poll, _consensus = world
    for person in people[1:4]:
        respond(poll, person, position="o2", reason="x")
    Proposal.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    services.proposals_remind()
    body = signed_in(people[4]).get(f"/proposals/{poll.pk}/").content.decode()
    assert "data-hearth-results" in body
    assert "data-hearth-responses" not in body  # the named table of ordinary proposals
