"""The circle, discussion and proposal pages: what members see and do, what facilitators
alone can do, and that everyone else gets "not found" (the same page as for something that
does not exist) with nothing changed. Lists are guarded against a query per row."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import escape

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from hearth.accounts.models import Invitation, Membership, User
from hearth.accounts.rules import needs_two_factor
from hearth.core.models import AuditRecord, Notification
from hearth.governance import services
from hearth.governance.models import (
    Circle,
    CircleMember,
    Comment,
    Participation,
    Proposal,
    Response,
    Thread,
)
from tests.conftest import sign_in
from tests.factories import TOTPDeviceFactory, UserFactory

from .test_circles import make_circle
from .test_proposals import open_proposal, respond

pytestmark = pytest.mark.django_db

Process = Proposal.Process


def signed_in(user) -> Client:
    if needs_two_factor(user) and not user.totpdevice_set.filter(confirmed=True).exists():
        TOTPDeviceFactory(user=user)
    return sign_in(Client(), user)


def text(response) -> str:
    return response.content.decode()


def page_body(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))
    return re.sub(r'name="next" value="[^"]+"', "", body)


def everything():
    return (
        sorted(Circle.objects.values_list("id", "name")),
        sorted(CircleMember.objects.values_list("id", "role")),
        Thread.objects.count(),
        Comment.objects.count(),
        sorted(Proposal.objects.values_list("id", "status", "outcome", "anonymous")),
        Response.objects.count(),
        Participation.objects.count(),
        AuditRecord.objects.count(),
        Notification.objects.count(),
    )


@pytest.fixture
def setup():
    circle, people = make_circle(members=3)
    thread = services.thread_start(actor=people[1], circle=circle, title="Fees", body="Hello")
    proposal = open_proposal(circle, people[1], Process.CONSENSUS, thread=thread)
    return circle, people, thread, proposal


# --- lists -------------------------------------------------------------------------------------


class TestCirclesList:
    def test_members_see_their_own_circles_only(self, setup):
        circle, people, _thread, _proposal = setup
        other, _ = make_circle(name="Somewhere else")
        body = text(signed_in(people[2]).get("/circles/"))
        assert f'href="/circles/{circle.slug}/"' in body
        assert other.name not in body
        assert "Start a circle" not in body  # not an admin anywhere

    def test_admins_are_offered_to_start_one(self, setup):
        _circle, people, _thread, _proposal = setup
        assert 'href="/circles/new/"' in text(signed_in(people[0]).get("/circles/"))

    def test_the_list_does_not_query_per_circle(self, django_assert_max_num_queries):
        user = UserFactory()
        for number in range(2):
            circle, (facilitator, *_) = make_circle(members=1, name=f"Circle {number}")
            services.circle_member_add(actor=facilitator, circle=circle, user=user)
        client = signed_in(user)
        with django_assert_max_num_queries(40) as few:
            assert client.get("/circles/").status_code == 200
        for number in range(2, 8):
            circle, (facilitator, *_) = make_circle(members=1, name=f"Circle {number}")
            services.circle_member_add(actor=facilitator, circle=circle, user=user)
            open_proposal(circle, facilitator)
        with django_assert_max_num_queries(len(few)):
            response = client.get("/circles/")
        assert text(response).count('href="/circles/circle-') == 8


class TestMenuAndLinks:
    def test_the_site_menu_offers_circles_to_their_members_only(self, setup):
        _circle, people, _thread, _proposal = setup
        outsider = UserFactory()

        def menu(client) -> str:
            page = text(client.get("/account/"))
            return page.split('class="govuk-service-navigation"')[1].split("</section>")[0]

        assert 'href="/circles/"' in menu(signed_in(people[2]))
        assert ">Circles<" in menu(signed_in(people[2]))
        assert 'href="/circles/"' not in menu(signed_in(outsider))

    def test_the_circle_links_to_its_budgeting_and_its_books_and_they_link_back(self, setup):
        from hearth.governance import budget_services, ledger_services

        circle, people, _thread, _proposal = setup
        member = signed_in(people[2])
        facilitator = signed_in(people[0])
        # Before the circle has books, its facilitator is offered to open them
        money = text(facilitator.get(f"/circles/{circle.slug}/")).split("data-hearth-circle-money")
        assert f'href="/circles/{circle.slug}/budgeting/"' in money[1].split("</ul>")[0]
        assert 'href="/books/new/"' in money[1].split("</ul>")[0]
        assert 'href="/books/new/"' not in text(member.get(f"/circles/{circle.slug}/"))
        ledger = ledger_services.ledger_create(actor=people[0], name="Our books", circle=circle)
        budget_round = budget_services.round_create(
            actor=people[0], circle=circle, name="Spring", budget="500"
        )
        body = text(member.get(f"/circles/{circle.slug}/"))
        section = body.split("data-hearth-circle-money")[1].split("</ul>")[0]
        assert f'href="/circles/{circle.slug}/budgeting/"' in section
        assert f'href="/books/{ledger.pk}/"' in section and "Our books" in section
        assert 'href="/books/new/"' not in section
        # and back: the rounds list, a round, and the books lead to the circle
        back = f'href="/circles/{circle.slug}/" class="govuk-back-link"'
        assert back in text(member.get(f"/circles/{circle.slug}/budgeting/"))
        assert f'href="/budgeting/{budget_round.pk}/"' in text(
            member.get(f"/circles/{circle.slug}/budgeting/")
        )
        assert back in text(member.get(f"/books/{ledger.pk}/"))
        # The circles page leads to every book the member can read
        assert 'href="/books/"' in text(member.get("/circles/"))


class TestCirclePage:
    def test_it_shows_members_discussions_proposals_and_sub_circles(self, setup):
        circle, people, thread, proposal = setup
        child = services.circle_create(
            actor=people[0], name="Advisory board", kind=Circle.Kind.ADVISORY_BOARD, parent=circle
        )
        closed = open_proposal(circle, people[2], title="Last year's fees")
        services.proposal_withdraw(actor=people[2], proposal=closed)
        body = text(signed_in(people[1]).get(f"/circles/{circle.slug}/"))
        for person in people:
            assert escape(person.full_name) in body
        assert f'href="/discussions/{thread.pk}/"' in body
        open_section = body.split('id="open-proposals"')[1].split('id="discussions"')[0]
        earlier_section = body.split('id="closed-proposals"')[1]
        assert f'href="/proposals/{proposal.pk}/"' in open_section
        assert f'href="/proposals/{closed.pk}/"' in earlier_section
        assert "Advisory board" in body
        # people[1] is not in the sub-circle: its name is listed, not linked
        assert f'href="/circles/{child.slug}/"' not in body
        assert f'href="/circles/{child.slug}/"' in text(
            signed_in(people[0]).get(f"/circles/{circle.slug}/")
        )

    def test_the_page_does_not_query_per_proposal_or_discussion(
        self, setup, django_assert_max_num_queries
    ):
        circle, people, _thread, _proposal = setup
        client = signed_in(people[1])
        with django_assert_max_num_queries(60) as few:
            assert client.get(f"/circles/{circle.slug}/").status_code == 200
        for number in range(8):
            thread = services.thread_start(actor=people[1], circle=circle, title=f"T{number}")
            services.comment_add(actor=people[2], thread=thread, body="Yes")
            proposal = open_proposal(circle, people[2], title=f"P{number}")
            respond(proposal, people[3], position="consent")
            services.circle_member_add(actor=people[0], circle=circle, user=UserFactory())
        with django_assert_max_num_queries(len(few)):
            response = client.get(f"/circles/{circle.slug}/")
        assert text(response).count('href="/proposals/') == 9


# --- not found for everyone else ---------------------------------------------------------------


def addresses(circle, thread, proposal):
    return [
        ("get", f"/circles/{circle.slug}/", {}),
        ("get", f"/circles/{circle.slug}/members/", {}),
        (
            "post",
            f"/circles/{circle.slug}/members/",
            {"action": "add", "email": "x@example.org", "role": "member"},
        ),
        ("get", f"/circles/{circle.slug}/sub-circles/new/", {}),
        ("get", f"/circles/{circle.slug}/discussions/new/", {}),
        ("post", f"/circles/{circle.slug}/discussions/new/", {"title": "Mine"}),
        ("get", f"/circles/{circle.slug}/proposals/new/", {}),
        ("get", f"/discussions/{thread.pk}/", {}),
        ("post", f"/discussions/{thread.pk}/", {"body": "Hello"}),
        ("get", f"/proposals/{proposal.pk}/", {}),
        ("post", f"/proposals/{proposal.pk}/", {"action": "respond", "position": "agree"}),
        ("post", f"/proposals/{proposal.pk}/", {"action": "withdraw"}),
        ("get", f"/proposals/{proposal.pk}/amend/", {}),
        ("get", f"/proposals/{proposal.pk}/results.csv", {}),
    ]


def missing_addresses(circle, thread, proposal):
    """The same addresses for things that do not exist."""
    missing = str(uuid.uuid4())
    return [
        (
            method,
            url.replace(circle.slug, "no-such-circle")
            .replace(str(thread.pk), missing)
            .replace(str(proposal.pk), missing),
            data,
        )
        for method, url, data in addresses(circle, thread, proposal)
    ]


class TestNotFound:
    def test_someone_outside_the_circle_gets_not_found_and_changes_nothing(self, setup):
        circle, _people, thread, proposal = setup
        outsider = signed_in(UserFactory())
        before = everything()
        for (method, url, data), (_m, missing_url, _d) in zip(
            addresses(circle, thread, proposal),
            missing_addresses(circle, thread, proposal),
            strict=True,
        ):
            response = getattr(outsider, method)(url, data)
            assert response.status_code == 404, (method, url)
            answer = getattr(outsider, method)(missing_url, data)
            assert page_body(response) == page_body(answer), url
            assert circle.name not in text(response) and proposal.title not in text(response)
        assert everything() == before

    def test_visitors_are_sent_to_sign_in(self, setup, client):
        circle, _people, _thread, proposal = setup
        for url in ("/circles/", f"/circles/{circle.slug}/", f"/proposals/{proposal.pk}/"):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    def test_a_member_who_does_not_facilitate_cannot_add_members_or_amend_others(self, setup):
        circle, people, _thread, proposal = setup
        member = signed_in(people[2])
        before = everything()
        response = member.post(
            f"/circles/{circle.slug}/members/",
            {"action": "add", "email": UserFactory().email, "role": "facilitator"},
        )
        assert response.status_code == 404
        assert member.get(f"/proposals/{proposal.pk}/amend/").status_code == 404
        assert member.get(f"/circles/{circle.slug}/sub-circles/new/").status_code == 404
        assert member.get("/circles/new/").status_code == 404
        response = member.post(
            f"/proposals/{proposal.pk}/",
            {"action": "outcome", "outcome": "Agreed", "review_at": "2099-01-01"},
        )
        assert response.status_code == 404
        assert everything() == before


# --- circles and members -------------------------------------------------------------------------


class TestStartingAndMembers:
    def test_an_admin_starts_a_circle_then_adds_a_community_member(self, setup):
        _circle, people, _thread, _proposal = setup
        admin = signed_in(people[0])
        organization = people[0].memberships.get().organization
        page = text(admin.get("/circles/new/"))
        assert f'value="organization:{organization.slug}"' in page
        response = admin.post(
            "/circles/new/",
            {
                "name": "Advisory board",
                "kind": "advisory_board",
                "place": f"organization:{organization.slug}",
                "description": "Lived experience",
            },
        )
        circle = Circle.objects.get(name="Advisory board")
        assert response["Location"] == f"/circles/{circle.slug}/members/"
        community = UserFactory(full_name="Jordan Ellis")
        response = admin.post(
            f"/circles/{circle.slug}/members/",
            {"action": "add", "email": community.email, "role": "member"},
        )
        assert response.status_code == 302
        assert CircleMember.objects.get(circle=circle, user=community).role == "member"
        # The community member, with no staff role, signs in and opens the circle
        body = text(signed_in(community).get(f"/circles/{circle.slug}/"))
        assert "Advisory board" in body and "Jordan Ellis" in body

    def test_a_malformed_address_is_refused_on_the_field_and_nothing_sent(self, setup):
        circle, people, _thread, _proposal = setup
        client = signed_in(people[0])
        before = (everything(), Invitation.objects.count(), len(mail.outbox))
        response = client.post(
            f"/circles/{circle.slug}/members/",
            {"action": "add", "email": "nobody-at-example.org", "role": "member"},
        )
        body = text(response)
        assert response.status_code == 200
        assert 'id="id_email-error"' in body and "Enter an e-mail address" in body
        assert (everything(), Invitation.objects.count(), len(mail.outbox)) == before


class TestInvitingSomeoneWithoutAnAccount:
    """A community member with no Hearth account joins through the accounts app's invitation
    link (the same mechanism as invitations to an organization), with no staff role."""

    @pytest.fixture(autouse=True)
    def _on_commit(self, django_capture_on_commit_callbacks):
        # The e-mail leaves once the transaction commits.
        self.on_commit = django_capture_on_commit_callbacks

    def invite(self, client, circle, email="rowan.vale@example.org", role="member"):
        with self.on_commit(execute=True):
            return client.post(
                f"/circles/{circle.slug}/members/",
                {"action": "add", "email": email, "role": role},
            )

    def test_the_facilitator_invites_and_they_join_by_the_link(self, setup):
        circle, people, _thread, _proposal = setup
        facilitator = signed_in(people[0])
        # When the facilitator adds an address nobody has an account for
        response = self.invite(facilitator, circle)
        # Then an invitation link is e-mailed and listed, and nobody joined yet
        assert response["Location"] == f"/circles/{circle.slug}/members/"
        invitation = Invitation.objects.get()
        assert (invitation.kind, invitation.target_id, invitation.organization_id) == (
            "governance.circle",
            circle.pk,
            None,
        )
        assert (invitation.email, invitation.role) == ("rowan.vale@example.org", "member")
        assert [message.to for message in mail.outbox] == [["rowan.vale@example.org"]]
        assert f"You are invited to join {circle.name} on Hearth" in mail.outbox[0].subject
        token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
        members_page = text(facilitator.get(f"/circles/{circle.slug}/members/"))
        assert "data-hearth-invitations" in members_page
        assert "rowan.vale@example.org" in members_page
        assert CircleMember.objects.filter(circle=circle).count() == 4
        invited = AuditRecord.objects.get(action="hearth.governance.member.invited")
        assert (invited.actor_id, invited.detail["role"]) == (people[0].pk, "member")
        # When they open the link without an account and make one
        visitor = Client()
        page = text(visitor.get(f"/invitations/{token}/"))
        assert f"Join {escape(circle.name)}" in page
        assert "You have been invited with the role" not in page
        response = visitor.post(
            f"/invitations/{token}/",
            {"full_name": "Rowan Vale", "password": "a long river of quiet words"},
        )
        # Then they are signed in, in the circle with no staff role, and sent to its page
        assert response["Location"] == f"/circles/{circle.slug}/"
        rowan = User.objects.get(email="rowan.vale@example.org")
        assert CircleMember.objects.get(circle=circle, user=rowan).role == "member"
        assert not Membership.objects.filter(user=rowan).exists()
        circle_page = text(visitor.get(f"/circles/{circle.slug}/"))
        assert "Rowan Vale" in circle_page
        assert 'href="/circles/"' in circle_page  # the menu now offers their circles
        joined = AuditRecord.objects.get(action="hearth.governance.member.joined")
        assert (joined.actor_id, joined.detail["invitation"]) == (rowan.pk, str(invitation.pk))
        # and the link cannot be used again
        assert visitor.get(f"/invitations/{token}/").status_code == 410
        assert "data-hearth-invitations" not in text(
            facilitator.get(f"/circles/{circle.slug}/members/")
        )

    def test_an_invited_facilitator_joins_as_facilitator(self, setup):
        circle, people, _thread, _proposal = setup
        self.invite(signed_in(people[0]), circle, role="facilitator")
        token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
        Client().post(
            f"/invitations/{token}/",
            {"full_name": "Rowan Vale", "password": "a long river of quiet words"},
        )
        member = CircleMember.objects.get(circle=circle, user__email="rowan.vale@example.org")
        assert member.role == "facilitator"

    def test_someone_with_an_account_is_added_at_once_without_an_invitation(self, setup):
        circle, people, _thread, _proposal = setup
        community = UserFactory(email="jordan@example.org")
        self.invite(signed_in(people[0]), circle, email="Jordan@Example.org")
        assert CircleMember.objects.get(circle=circle, user=community).role == "member"
        assert (Invitation.objects.count(), len(mail.outbox)) == (0, 0)

    def test_a_second_invitation_to_the_same_address_is_refused(self, setup):
        circle, people, _thread, _proposal = setup
        facilitator = signed_in(people[0])
        self.invite(facilitator, circle)
        before = (Invitation.objects.count(), len(mail.outbox), AuditRecord.objects.count())
        body = text(self.invite(facilitator, circle))
        assert 'id="id_email-error"' in body and "already waiting" in body
        assert (Invitation.objects.count(), len(mail.outbox), AuditRecord.objects.count()) == before

    def test_a_member_who_does_not_facilitate_cannot_invite_or_withdraw(self, setup):
        circle, people, _thread, _proposal = setup
        self.invite(signed_in(people[0]), circle)
        invitation = Invitation.objects.get()
        member = signed_in(people[2])
        before = (
            everything(),
            sorted(Invitation.objects.values_list("id", "revoked_at")),
            len(mail.outbox),
            AuditRecord.objects.count(),
        )
        assert self.invite(member, circle, email="someone.else@example.org").status_code == 404
        response = member.post(
            f"/circles/{circle.slug}/members/",
            {"action": "withdraw", "invitation": str(invitation.pk)},
        )
        assert response.status_code == 404
        page = text(member.get(f"/circles/{circle.slug}/members/"))
        assert "rowan.vale@example.org" not in page and "data-hearth-invitations" not in page
        assert (
            everything(),
            sorted(Invitation.objects.values_list("id", "revoked_at")),
            len(mail.outbox),
            AuditRecord.objects.count(),
        ) == before

    def test_the_facilitator_withdraws_it_and_the_link_stops_working(self, setup):
        circle, people, _thread, _proposal = setup
        facilitator = signed_in(people[0])
        self.invite(facilitator, circle)
        invitation = Invitation.objects.get()
        token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
        # A facilitator of another circle cannot withdraw it
        other, others = make_circle(name="Elsewhere")
        before = sorted(Invitation.objects.values_list("id", "revoked_at"))
        response = signed_in(others[0]).post(
            f"/circles/{other.slug}/members/",
            {"action": "withdraw", "invitation": str(invitation.pk)},
        )
        assert response.status_code == 404
        assert sorted(Invitation.objects.values_list("id", "revoked_at")) == before
        # Its own facilitator does
        response = facilitator.post(
            f"/circles/{circle.slug}/members/",
            {"action": "withdraw", "invitation": str(invitation.pk)},
        )
        assert response["Location"] == f"/circles/{circle.slug}/members/"
        assert Invitation.objects.get().revoked_at is not None
        assert AuditRecord.objects.filter(action="hearth.governance.invitation.withdrawn").exists()
        assert Client().get(f"/invitations/{token}/").status_code == 410
        assert not User.objects.filter(email="rowan.vale@example.org").exists()


class TestLeaving:
    def test_a_member_leaves(self, setup):
        circle, people, _thread, _proposal = setup
        membership = CircleMember.objects.get(circle=circle, user=people[3])
        response = signed_in(people[3]).post(
            f"/circles/{circle.slug}/members/", {"action": "remove", "member": membership.pk}
        )
        assert response["Location"] == "/circles/"
        assert not CircleMember.objects.filter(pk=membership.pk).exists()


# --- discussions -------------------------------------------------------------------------------


class TestDiscussions:
    def test_a_member_starts_a_discussion_and_comments(self, setup):
        circle, people, _thread, _proposal = setup
        client = signed_in(people[2])
        response = client.post(
            f"/circles/{circle.slug}/discussions/new/", {"title": "Summer hours", "body": "Ideas?"}
        )
        thread = Thread.objects.get(title="Summer hours")
        assert response["Location"] == f"/discussions/{thread.pk}/"
        client.post(f"/discussions/{thread.pk}/", {"body": "Close at four on Fridays"})
        body = text(client.get(f"/discussions/{thread.pk}/"))
        assert "Ideas?" in body and "Close at four on Fridays" in body
        assert f"/circles/{circle.slug}/proposals/new/?discussion={thread.pk}" in body

    def test_an_empty_comment_is_refused_on_the_field(self, setup):
        _circle, people, thread, _proposal = setup
        client = signed_in(people[2])
        before = everything()
        response = client.post(f"/discussions/{thread.pk}/", {"body": "  "})
        assert "Write a comment." in text(response)
        assert everything() == before


# --- proposals ---------------------------------------------------------------------------------


def proposal_form(**fields):
    data = {
        "title": "A four-day week",
        "body": "From September.",
        "process": "consensus",
        "options": "",
        "seats": "1",
        "dots_per_member": "5",
        "score_max": "5",
        "closes_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "closes_time": "17:00",
        "quorum_percent": "",
        "results_visible": "always",
    }
    data.update(fields)
    return data


class TestRaisingProposals:
    def test_a_member_raises_a_proposal_from_a_discussion(self, setup):
        circle, people, thread, _proposal = setup
        client = signed_in(people[3])
        url = f"/circles/{circle.slug}/proposals/new/?discussion={thread.pk}"
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            proposal_form(
                process="poll",
                options="Monday\nFriday",
                reasons_for_every_option="on",
                anonymous="on",
                quorum_percent="50",
            ),
        )
        proposal = Proposal.objects.get(title="A four-day week")
        assert response["Location"] == f"/proposals/{proposal.pk}/"
        assert (proposal.thread, proposal.opened_by, proposal.process) == (
            thread,
            people[3],
            "poll",
        )
        assert [o["label"] for o in proposal.options] == ["Monday", "Friday"]
        assert proposal.reasons_required_for == ["o1", "o2"]
        assert (proposal.anonymous, proposal.quorum_percent) == (True, 50)
        assert timezone.localtime(proposal.closes_at).strftime("%H:%M") == "17:00"

    def test_errors_land_on_their_fields_and_nothing_opens(self, setup):
        circle, people, _thread, _proposal = setup
        client = signed_in(people[3])
        before = everything()
        response = client.post(
            f"/circles/{circle.slug}/proposals/new/",
            proposal_form(
                process="dots",
                options="Only one",
                closes_on=(timezone.localdate() - timedelta(days=1)).isoformat(),
            ),
        )
        body = text(response)
        assert 'id="id_options-error"' in body and "Give at least two options" in body
        assert 'id="id_closes_on-error"' in body and "must be in the future" in body
        assert everything() == before


@pytest.mark.parametrize(
    ("process", "inputs"),
    [
        (Process.ADVICE, ['name="position" type="radio" value="support"', 'name="reason"']),
        (Process.CONSENT, ['name="position" type="radio" value="objection"']),
        (Process.CONSENSUS, ['name="position" type="radio" value="disagree"']),
        (Process.GRADIENTS, ['name="position" type="radio" value="veto"']),
        (Process.POLL, ['name="position" type="radio" value="o3"']),
        (Process.SCORE, ['name="score_o1"', 'name="score_o3"']),
        (Process.DOTS, ['name="dots_o1"', 'name="dots_o3"']),
        (Process.RANKED, ['name="place_1"', 'name="place_3"', '<option value="o2"']),
    ],
)
def test_each_process_has_its_own_response_form(setup, process, inputs):
    circle, people, _thread, _proposal = setup
    proposal = open_proposal(circle, people[1], process)
    body = text(signed_in(people[2]).get(f"/proposals/{proposal.pk}/"))
    for fragment in inputs:
        assert fragment in body


class TestResponding:
    def test_a_block_without_a_reason_is_refused_then_holds_with_one(self, setup):
        _circle, people, _thread, proposal = setup
        client = signed_in(people[2])
        url = f"/proposals/{proposal.pk}/"
        before = everything()
        response = client.post(url, {"action": "respond", "position": "block", "reason": ""})
        assert response.status_code == 200
        assert "A block needs a reason: say why this cannot go ahead." in text(response)
        assert 'class="govuk-error-summary"' in text(response)
        assert everything() == before
        response = client.post(
            url, {"action": "respond", "position": "block", "reason": "Clients lose Fridays."}
        )
        assert response["Location"] == url
        body = text(client.get(url))
        assert "data-hearth-held" in body and "Clients lose Fridays." in body
        banner = body.split("data-hearth-held")[1].split("</ul>")[0]
        assert "Clients lose Fridays." in banner and escape(people[2].full_name) in banner

    def test_a_ballot_over_budget_is_refused_with_the_rule(self, setup):
        circle, people, _thread, _proposal = setup
        proposal = open_proposal(circle, people[1], Process.DOTS)
        client = signed_in(people[2])
        before = everything()
        response = client.post(
            f"/proposals/{proposal.pk}/",
            {"action": "respond", "dots_o1": "4", "dots_o2": "3", "dots_o3": ""},
        )
        body = text(response)
        assert "You have 5 dots; you placed 7." in body and 'id="id_dots_o1-error"' in body
        assert everything() == before

    def test_scores_out_of_range_are_refused_and_empty_ones_left_unscored(self, setup):
        circle, people, _thread, _proposal = setup
        proposal = open_proposal(circle, people[1], Process.SCORE)
        client = signed_in(people[2])
        url = f"/proposals/{proposal.pk}/"
        before = everything()
        response = client.post(
            url, {"action": "respond", "score_o1": "9", "score_o2": "", "score_o3": "1"}
        )
        body = text(response)
        assert "Scores go from 0 to 5." in body and 'id="id_score_o1-error"' in body
        assert everything() == before
        client.post(url, {"action": "respond", "score_o1": "3", "score_o2": "", "score_o3": "5"})
        assert Response.objects.get(proposal=proposal).ballot == {"scores": {"o1": 3, "o3": 5}}

    def test_a_ranking_with_one_option_twice_is_refused(self, setup):
        circle, people, _thread, _proposal = setup
        proposal = open_proposal(circle, people[1], Process.RANKED)
        client = signed_in(people[2])
        before = everything()
        response = client.post(
            f"/proposals/{proposal.pk}/",
            {"action": "respond", "place_1": "o2", "place_2": "o2", "place_3": ""},
        )
        assert "Each option can have only one place." in text(response)
        assert everything() == before
        client.post(
            f"/proposals/{proposal.pk}/",
            {"action": "respond", "place_1": "o2", "place_2": "", "place_3": "o1"},
        )
        assert Response.objects.get(proposal=proposal).ballot == {"ranking": ["o2", "o1"]}

    def test_changing_a_response_keeps_the_history_on_the_page(self, setup):
        _circle, people, _thread, proposal = setup
        client = signed_in(people[2])
        url = f"/proposals/{proposal.pk}/"
        client.post(url, {"action": "respond", "position": "agree", "reason": ""})
        client.post(url, {"action": "respond", "position": "disagree", "reason": "Tired"})
        body = text(client.get(url))
        history = body.split("data-hearth-own-history")[1].split("</table>")[0]
        assert history.index("Agree") < history.index("Disagree, standing aside")
        assert history.count("counts</strong>") == 1
        assert "Change my response" in body
        # The form starts from the current response
        assert 'value="disagree" checked' in body

    def test_results_wait_for_the_members_own_response_when_asked(self, setup):
        circle, people, _thread, _proposal = setup
        proposal = open_proposal(
            circle, people[1], Process.POLL, results_visible=Proposal.ResultsVisible.AFTER_VOTING
        )
        respond(proposal, people[1], position="o1")
        client = signed_in(people[2])
        url = f"/proposals/{proposal.pk}/"
        body = text(client.get(url))
        assert "data-hearth-results" not in body
        assert "Results are shown once you have responded." in body
        assert client.get(f"{url}results.csv").status_code == 404
        client.post(url, {"action": "respond", "position": "o2"})
        body = text(client.get(url))
        assert "data-hearth-results" in body
        csv = text(client.get(f"{url}results.csv"))
        assert csv.splitlines()[:4] == [
            "Response or option,Responses",
            "Red,1",
            "Green,1",
            "Blue,0",
        ]

    def test_results_only_after_close_when_asked(self, setup):
        circle, people, _thread, _proposal = setup
        proposal = open_proposal(
            circle, people[1], Process.POLL, results_visible=Proposal.ResultsVisible.AFTER_CLOSE
        )
        client = signed_in(people[2])
        client.post(f"/proposals/{proposal.pk}/", {"action": "respond", "position": "o2"})
        assert "data-hearth-results" not in text(client.get(f"/proposals/{proposal.pk}/"))
        Proposal.objects.filter(pk=proposal.pk).update(closes_at=timezone.now())
        services.proposals_remind()
        assert "data-hearth-results" in text(client.get(f"/proposals/{proposal.pk}/"))


class TestAmendOutcomeWithdraw:
    def test_the_proposer_amends_and_everyone_responds_afresh(self, setup):
        _circle, people, _thread, proposal = setup
        respond(proposal, people[2], position="block", reason="Not yet")
        client = signed_in(people[1])
        url = f"/proposals/{proposal.pk}/amend/"
        assert "A four-day week" not in text(client.get(url))
        closes = timezone.localtime(proposal.closes_at)
        response = client.post(
            url,
            {
                "title": "A four-day week, with Friday cover",
                "body": "From September, with a rota for Fridays.",
                "closes_on": closes.date().isoformat(),
                "closes_time": "18:30",
            },
        )
        amended = Proposal.objects.get(supersedes=proposal)
        assert response["Location"] == f"/proposals/{amended.pk}/"
        body = text(client.get(f"/proposals/{amended.pk}/"))
        assert "Version 1" in body and "Version 2 (this one)" in body
        assert "data-hearth-held" not in body
        old = text(client.get(f"/proposals/{proposal.pk}/"))
        assert "Replaced by an amended version" in old
        assert f'href="/proposals/{amended.pk}/"' in old

    def test_a_facilitator_records_the_outcome_and_review_date(self, setup):
        _circle, people, _thread, proposal = setup
        for person in people:
            respond(proposal, person, position="agree")
        client = signed_in(people[0])
        url = f"/proposals/{proposal.pk}/"
        assert "Record the outcome" in text(client.get(url))
        assert "Record the outcome" not in text(signed_in(people[2]).get(url))
        review = (timezone.localdate() + timedelta(days=90)).isoformat()
        response = client.post(
            url, {"action": "outcome", "outcome": "Agreed by all four.", "review_at": review}
        )
        assert response["Location"] == url
        body = text(client.get(url))
        assert "data-hearth-outcome" in body and "Agreed by all four." in body
        proposal.refresh_from_db()
        assert (proposal.status, proposal.outcome_by) == ("closed", people[0])

    def test_the_proposer_withdraws(self, setup):
        _circle, people, _thread, proposal = setup
        signed_in(people[1]).post(f"/proposals/{proposal.pk}/", {"action": "withdraw"})
        proposal.refresh_from_db()
        assert proposal.status == "withdrawn"
