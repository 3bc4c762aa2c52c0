"""Proposals through the services: every process's rules, holds and their release, changing a
response until close with the history kept, amendments needing fresh responses, outcomes,
closing, reminders and escalation. Every refusal names the rule and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.core.models import AuditRecord, Notification
from hearth.governance import counting, selectors, services
from hearth.governance.models import Participation, Proposal, Response, Thread
from hearth.governance.services import Ballot
from tests.factories import UserFactory

from .test_circles import make_circle

pytestmark = pytest.mark.django_db

Process = Proposal.Process
Status = Proposal.Status


def open_proposal(circle, by, process=Process.CONSENT, **fields):
    fields.setdefault("closes_at", timezone.now() + timedelta(days=7))
    fields.setdefault("title", "Widen the sliding scale")
    fields.setdefault("body", "The lowest fee becomes 10 dollars.")
    if process in services.OPTION_PROCESSES:
        fields.setdefault("options", ["Red", "Green", "Blue"])
    if process == Process.DOTS:
        fields.setdefault("dots_per_member", 5)
    if process == Process.SCORE:
        fields.setdefault("score_max", 5)
    return services.proposal_open(actor=by, circle=circle, process=process, **fields)


def respond(proposal, user, **ballot):
    return services.proposal_respond(actor=user, proposal=proposal, ballot=Ballot(**ballot))


def state(proposal=None):
    """Everything a refused response or change must leave alone."""
    rows = (
        Proposal.objects.count(),
        Response.objects.count(),
        Response.objects.filter(is_latest=True).count(),
        Participation.objects.count(),
        AuditRecord.objects.count(),
        Notification.objects.count(),
    )
    if proposal is not None:
        proposal.refresh_from_db()
        rows += (proposal.status, proposal.anonymous, proposal.outcome)
    return rows


@pytest.fixture
def circle_and_people():
    return make_circle(members=4)


# --- opening ----------------------------------------------------------------------------------


class TestOpening:
    def test_a_member_opens_a_proposal_the_electorate_is_counted_and_members_told(
        self, circle_and_people
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], quorum_percent=60)
        assert (proposal.status, proposal.electorate_at_opening, proposal.version) == (
            Status.OPEN,
            5,
            1,
        )
        told = set(
            Notification.objects.filter(kind="governance.proposal.opened").values_list(
                "user", flat=True
            )
        )
        assert told == {person.pk for person in people if person != people[1]}
        assert Notification.objects.filter(link=f"/proposals/{proposal.pk}/").count() == 4
        # Members who join later do not change the electorate it opened with
        services.circle_member_add(actor=people[0], circle=circle, email=UserFactory().email)
        proposal.refresh_from_db()
        assert proposal.electorate_at_opening == 5

    def test_options_become_keys(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.POLL, options=[" Yes ", "", "No"])
        assert proposal.options == [{"key": "o1", "label": "Yes"}, {"key": "o2", "label": "No"}]

    @pytest.mark.parametrize(
        ("process", "fields", "field", "message"),
        [
            (Process.CONSENT, {"closes_at": "past"}, "closes_at", "must be in the future"),
            (Process.POLL, {"options": ["Only one"]}, "options", "at least two options"),
            (Process.POLL, {"options": ["Same", "same"]}, "options", "must be different"),
            (Process.DOTS, {"dots_per_member": 0}, "dots_per_member", "between 1 and 100 dots"),
            (Process.SCORE, {"score_max": 0}, "score_max", "between 1 and 100"),
            (Process.RANKED, {"seats": 3}, "seats", "fewer seats than options"),
            (Process.CONSENT, {"quorum_percent": 101}, "quorum_percent", "between 1 and 100"),
            (
                Process.CONSENT,
                {"reasons_required_for": ["agree"]},
                "reasons_required_for",
                "this process has",
            ),
            (Process.CONSENT, {"title": " "}, "title", "Give the proposal a title"),
        ],
    )
    def test_bad_settings_are_refused_and_nothing_is_opened(
        self, circle_and_people, process, fields, field, message
    ):
        circle, people = circle_and_people
        if fields.get("closes_at") == "past":
            fields["closes_at"] = timezone.now() - timedelta(minutes=1)
        before = state()
        with pytest.raises(ValidationError) as refused:
            open_proposal(circle, people[0], process, **fields)
        assert message in " ".join(refused.value.message_dict[field])
        assert state() == before

    def test_someone_outside_the_circle_cannot_open_one(self, circle_and_people):
        circle, _people = circle_and_people
        before = state()
        with pytest.raises(ValidationError, match="Only the circle's members"):
            open_proposal(circle, UserFactory())
        assert state() == before


# --- each process's responses -------------------------------------------------------------------


class TestPositions:
    @pytest.mark.parametrize(
        ("process", "positions"),
        [
            (Process.ADVICE, ["support", "concern"]),
            (Process.CONSENT, ["consent", "objection"]),
            (Process.CONSENSUS, ["agree", "abstain", "disagree", "block"]),
            (
                Process.GRADIENTS,
                [
                    "endorse",
                    "agree_with_minor_point",
                    "support_with_reservations",
                    "abstain",
                    "more_discussion",
                    "dislike_but_support",
                    "serious_disagreement",
                    "veto",
                ],
            ),
            (Process.POLL, ["o1", "o2", "o3"]),
        ],
    )
    def test_each_process_offers_exactly_its_positions(self, circle_and_people, process, positions):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], process)
        assert [key for key, _label in services.positions_for(proposal)] == positions

    @pytest.mark.parametrize(
        ("process", "position", "rule", "message"),
        [
            (
                Process.CONSENSUS,
                "block",
                "reason_required",
                "A block needs a reason: say why this cannot go ahead.",
            ),
            (
                Process.CONSENT,
                "objection",
                "reason_required",
                "An objection needs a reason: say what harm you see.",
            ),
            (Process.ADVICE, "concern", "advice_required", "Write your advice."),
            (Process.ADVICE, "support", "advice_required", "Write your advice."),
            (Process.GRADIENTS, "veto", "reason_required", "A veto needs a reason."),
        ],
    )
    def test_blocks_objections_vetoes_and_advice_without_a_reason_are_refused(
        self, circle_and_people, process, position, rule, message
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], process)
        before = state(proposal)
        with pytest.raises(ValidationError) as refused:
            respond(proposal, people[1], position=position, reason="   ")
        assert refused.value.message_dict == {"reason": [message]}
        assert refused.value.error_dict["reason"][0].code == rule
        assert state(proposal) == before

    def test_the_proposer_can_ask_reasons_for_other_responses(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(
            circle, people[0], Process.CONSENSUS, reasons_required_for=["disagree"]
        )
        before = state(proposal)
        with pytest.raises(ValidationError, match="needs a reason"):
            respond(proposal, people[1], position="disagree")
        assert state(proposal) == before
        respond(proposal, people[1], position="disagree", reason="Too soon.")
        respond(proposal, people[2], position="agree")  # no reason needed

    def test_a_position_the_process_does_not_have_is_refused(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENT)
        before = state(proposal)
        with pytest.raises(ValidationError, match="Choose one of the responses"):
            respond(proposal, people[1], position="block", reason="Consent has no blocks")
        assert state(proposal) == before

    def test_a_stand_aside_is_a_disagree_recorded_with_its_reason(self, circle_and_people):
        # Consensus has counting.py's four positions (REFERENCES §6); "disagree" is the
        # stand-aside, and no fifth position exists
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENSUS)
        response = respond(proposal, people[1], position="disagree", reason="Not for me")
        assert (response.position, response.reason) == ("disagree", "Not for me")
        proposal.refresh_from_db()
        assert proposal.status == Status.OPEN  # a stand-aside does not hold anything
        tally = counting.tally_consensus(selectors.counted_responses(proposal))
        assert [(r.choice, r.reason) for r in tally.stand_asides] == [("disagree", "Not for me")]
        before = state(proposal)
        with pytest.raises(ValidationError, match="Choose one of the responses"):
            respond(proposal, people[2], position="stand_aside", reason="A fifth position")
        assert state(proposal) == before


class TestStructuredBallots:
    @pytest.mark.parametrize(
        ("process", "ballot", "field", "rule", "message"),
        [
            (
                Process.DOTS,
                {"dots": {"o1": 4, "o2": 2}},
                "dots",
                "too_many_dots",
                "You have 5 dots; you placed 6.",
            ),
            (
                Process.DOTS,
                {"dots": {"o1": -1, "o2": 2}},
                "dots",
                "whole_number",
                "Dots are whole numbers, none below zero.",
            ),
            (
                Process.DOTS,
                {"dots": {"o9": 1}},
                "dots",
                "unknown_option",
                "Place dots only on the options of this poll.",
            ),
            (Process.DOTS, {"dots": {"o1": 0}}, "dots", "empty", "Place at least one dot."),
            (
                Process.SCORE,
                {"scores": {"o1": 6, "o2": 0, "o3": 1}},
                "scores",
                "out_of_range",
                "Scores go from 0 to 5.",
            ),
            (
                Process.SCORE,
                {"scores": {"o1": -1}},
                "scores",
                "out_of_range",
                "Scores go from 0 to 5.",
            ),
            (
                Process.SCORE,
                {"scores": {"o1": 1.5}},
                "scores",
                "whole_number",
                "Scores are whole numbers.",
            ),
            (
                Process.SCORE,
                {"scores": {"o4": 1}},
                "scores",
                "unknown_option",
                "Score only the options of this poll.",
            ),
            (Process.SCORE, {"scores": {}}, "scores", "empty", "Score at least one option."),
            (
                Process.RANKED,
                {"ranking": ["o1", "o2", "o1"]},
                "ranking",
                "ranked_twice",
                "Each option can have only one place.",
            ),
            (
                Process.RANKED,
                {"ranking": ["o1", "o7"]},
                "ranking",
                "unknown_option",
                "Rank only the options of this proposal.",
            ),
            (Process.RANKED, {"ranking": []}, "ranking", "empty", "Rank at least one option."),
            (
                Process.POLL,
                {"position": "o4"},
                "position",
                "unknown_choice",
                "Choose one of the responses.",
            ),
        ],
    )
    def test_ballots_breaking_the_rules_are_refused_with_the_rule_named(
        self, circle_and_people, process, ballot, field, rule, message
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], process)
        before = state(proposal)
        with pytest.raises(ValidationError) as refused:
            respond(proposal, people[1], **ballot)
        assert refused.value.message_dict == {field: [message]}
        assert refused.value.error_dict[field][0].code == rule
        assert state(proposal) == before

    def test_valid_structured_ballots_are_stored_in_option_order(self, circle_and_people):
        circle, people = circle_and_people
        dots = open_proposal(circle, people[0], Process.DOTS)
        score = open_proposal(circle, people[0], Process.SCORE)
        ranked = open_proposal(circle, people[0], Process.RANKED)
        assert respond(dots, people[1], dots={"o3": 2, "o1": 3, "o2": 0}).ballot == {
            "dots": {"o1": 3, "o3": 2}
        }
        assert respond(score, people[1], scores={"o3": 5, "o1": 0, "o2": 2}).ballot == {
            "scores": {"o1": 0, "o2": 2, "o3": 5}
        }
        # A member may leave an option unscored
        assert respond(score, people[2], scores={"o2": 4}).ballot == {"scores": {"o2": 4}}
        assert respond(ranked, people[1], ranking=["o3", "o1"]).ballot == {"ranking": ["o3", "o1"]}


# --- changing a response until close ------------------------------------------------------------


class TestChangingResponses:
    def test_the_latest_response_counts_and_every_one_is_kept(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENSUS)
        first = respond(proposal, people[1], position="agree")
        second = respond(proposal, people[1], position="abstain")
        third = respond(proposal, people[1], position="disagree", reason="On reflection, no.")
        rows = Response.objects.filter(proposal=proposal).order_by("created_at")
        assert [(r.pk, r.position, r.is_latest, r.voter_id) for r in rows] == [
            (first.pk, "agree", False, people[1].pk),
            (second.pk, "abstain", False, people[1].pk),
            (third.pk, "disagree", True, people[1].pk),
        ]
        assert Participation.objects.filter(proposal=proposal).count() == 1
        assert selectors.ballot_count(proposal) == 1
        details = list(
            AuditRecord.objects.filter(action="hearth.governance.proposal.responded")
            .order_by("sequence")
            .values_list("detail", flat=True)
        )
        assert details == [{"changed": False}, {"changed": True}, {"changed": True}]

    def test_no_response_after_the_closing_time_even_before_the_run_closes_it(
        self, circle_and_people
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        respond(proposal, people[1], position="consent")
        Proposal.objects.filter(pk=proposal.pk).update(
            closes_at=timezone.now() - timedelta(seconds=1)
        )
        before = state(proposal)
        with pytest.raises(ValidationError, match="This proposal is closed"):
            respond(proposal, people[1], position="objection", reason="Too late")
        with pytest.raises(ValidationError, match="This proposal is closed"):
            respond(proposal, people[2], position="consent")
        assert state(proposal) == before

    @pytest.mark.parametrize("status", [Status.CLOSED, Status.WITHDRAWN, Status.SUPERSEDED])
    def test_no_response_once_it_is_finished(self, circle_and_people, status):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        Proposal.objects.filter(pk=proposal.pk).update(status=status)
        before = state(proposal)
        with pytest.raises(ValidationError, match="This proposal is closed"):
            respond(proposal, people[1], position="consent")
        assert state(proposal) == before

    def test_outsiders_cannot_respond(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        before = state(proposal)
        with pytest.raises(ValidationError, match="Only the circle's members"):
            respond(proposal, UserFactory(), position="consent")
        assert state(proposal) == before

    def test_a_participation_without_its_response_is_refused_not_counted_twice(
        self, circle_and_people
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        Participation.objects.create(proposal=proposal, user=people[1])
        before = state(proposal)
        with pytest.raises(ValidationError, match="could not be matched"):
            respond(proposal, people[1], position="consent")
        assert state(proposal) == before

    def test_a_response_without_its_participation_is_refused_too(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        respond(proposal, people[1], position="consent")
        Participation.objects.filter(proposal=proposal).delete()
        before = state(proposal)
        with pytest.raises(ValidationError, match="could not be matched"):
            respond(proposal, people[1], position="consent")
        assert state(proposal) == before


# --- blocks and objections ----------------------------------------------------------------------


class TestHolds:
    @pytest.mark.parametrize(
        ("process", "holding", "releasing"),
        [(Process.CONSENSUS, "block", "disagree"), (Process.CONSENT, "objection", "consent")],
    )
    def test_a_block_holds_until_the_member_who_raised_it_changes_it(
        self, circle_and_people, process, holding, releasing
    ):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], process)
        respond(proposal, people[1], position=holding, reason="It breaks our promise to clients.")
        proposal.refresh_from_db()
        assert proposal.status == Status.HELD
        assert selectors.holding_reasons(proposal)[0]["reason"] == (
            "It breaks our promise to clients."
        )
        # Others agreeing does not release it
        respond(proposal, people[2], position=releasing)
        proposal.refresh_from_db()
        assert proposal.status == Status.HELD
        # Members can still respond while it is held; the blocker releases it
        respond(proposal, people[1], position=releasing, reason="The change answers my worry.")
        proposal.refresh_from_db()
        assert proposal.status == Status.OPEN
        assert selectors.holding_reasons(proposal) == []

    def test_two_blocks_hold_until_both_are_released(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENSUS)
        respond(proposal, people[1], position="block", reason="One")
        respond(proposal, people[2], position="block", reason="Two")
        respond(proposal, people[1], position="agree")
        proposal.refresh_from_db()
        assert proposal.status == Status.HELD
        respond(proposal, people[2], position="abstain")
        proposal.refresh_from_db()
        assert proposal.status == Status.OPEN

    def test_a_held_proposal_can_be_withdrawn_and_then_takes_no_responses(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], Process.CONSENSUS)
        respond(proposal, people[2], position="block", reason="No")
        services.proposal_withdraw(actor=people[1], proposal=proposal)
        proposal.refresh_from_db()
        assert proposal.status == Status.WITHDRAWN and proposal.closed_at is not None
        with pytest.raises(ValidationError):
            respond(proposal, people[2], position="agree")

    def test_only_the_proposer_or_a_facilitator_withdraws(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        before = state(proposal)
        with pytest.raises(ValidationError, match="Only the proposer or a facilitator"):
            services.proposal_withdraw(actor=people[2], proposal=proposal)
        assert state(proposal) == before
        services.proposal_withdraw(actor=people[0], proposal=proposal)  # the facilitator
        proposal.refresh_from_db()
        assert proposal.status == Status.WITHDRAWN


# --- amendments ---------------------------------------------------------------------------------


class TestAmendments:
    def test_an_amendment_is_a_new_version_needing_fresh_responses(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], Process.CONSENSUS)
        respond(proposal, people[2], position="agree")
        respond(proposal, people[3], position="block", reason="Not without a hardship fund.")
        amended = services.proposal_amend(
            actor=people[1],
            proposal=proposal,
            title="Widen the sliding scale, with a hardship fund",
            body="The lowest fee becomes 10 dollars, and a hardship fund covers the rest.",
        )
        proposal.refresh_from_db()
        assert (proposal.status, amended.status) == (Status.SUPERSEDED, Status.OPEN)
        assert (amended.supersedes, amended.version, amended.process) == (proposal, 2, "consensus")
        assert amended.opened_by == people[1] and amended.closes_at == proposal.closes_at
        # The old responses stay with the old version; the new one starts empty
        assert selectors.ballot_count(amended) == 0
        assert not Response.objects.filter(proposal=amended).exists()
        assert Response.objects.filter(proposal=proposal, is_latest=True).count() == 2
        assert selectors.holding_reasons(amended) == []
        assert [v.pk for v in selectors.proposal_versions(proposal)] == [proposal.pk, amended.pk]
        assert [v.pk for v in selectors.proposal_versions(amended)] == [proposal.pk, amended.pk]
        # Members are told the new version needs them
        assert set(
            Notification.objects.filter(kind="governance.proposal.amended").values_list(
                "user", flat=True
            )
        ) == {people[0].pk, people[2].pk, people[3].pk, people[4].pk}
        # The old version takes no responses; the new one does
        with pytest.raises(ValidationError):
            respond(proposal, people[3], position="agree")
        respond(amended, people[3], position="agree")

    def test_only_the_proposer_or_a_facilitator_amends(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        before = state(proposal)
        with pytest.raises(ValidationError, match="Only the proposer or a facilitator"):
            services.proposal_amend(actor=people[2], proposal=proposal, title="T", body="B")
        assert state(proposal) == before
        amended = services.proposal_amend(actor=people[0], proposal=proposal, title="T", body="B")
        assert amended.opened_by == people[1]

    def test_a_closed_proposal_cannot_be_amended(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        Proposal.objects.filter(pk=proposal.pk).update(status=Status.CLOSED)
        before = state(proposal)
        with pytest.raises(ValidationError):
            services.proposal_amend(actor=people[1], proposal=proposal, title="T", body="B")
        assert state(proposal) == before

    def test_amended_options_are_validated(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], Process.POLL)
        before = state(proposal)
        with pytest.raises(ValidationError, match="at least two options"):
            services.proposal_amend(
                actor=people[1], proposal=proposal, title="T", body="B", options=["One"]
            )
        assert state(proposal) == before
        amended = services.proposal_amend(
            actor=people[1], proposal=proposal, title="T", body="B", options=["One", "Two"]
        )
        assert [o["label"] for o in amended.options] == ["One", "Two"]


# --- outcomes -----------------------------------------------------------------------------------


class TestOutcomes:
    def test_a_facilitator_records_the_outcome_with_a_review_date(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        for person in people:
            respond(proposal, person, position="consent")
        review = timezone.localdate() + timedelta(days=180)
        services.proposal_record_outcome(
            actor=people[0], proposal=proposal, outcome="Consented by all five.", review_at=review
        )
        proposal.refresh_from_db()
        assert (proposal.status, proposal.outcome, proposal.outcome_by, proposal.review_at) == (
            Status.CLOSED,
            "Consented by all five.",
            people[0],
            review,
        )
        assert proposal.closed_at is not None
        assert Notification.objects.filter(kind="governance.proposal.outcome").count() == 4
        record = AuditRecord.objects.get(action="hearth.governance.outcome.recorded")
        assert record.detail == {"review_at": review.isoformat()}

    def test_the_software_never_writes_an_outcome_itself(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], closes_at=timezone.now() + timedelta(hours=1))
        for person in people:
            respond(proposal, person, position="consent")
        services.proposals_remind(now=timezone.now() + timedelta(hours=2))
        proposal.refresh_from_db()
        assert (proposal.status, proposal.outcome, proposal.outcome_by) == (Status.CLOSED, "", None)

    def test_members_who_do_not_facilitate_cannot_record_it(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        before = state(proposal)
        with pytest.raises(ValidationError, match="Only a facilitator"):
            services.proposal_record_outcome(
                actor=people[1],
                proposal=proposal,
                outcome="Agreed",
                review_at=timezone.localdate() + timedelta(days=30),
            )
        assert state(proposal) == before

    def test_no_outcome_while_a_block_holds_it(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1], Process.CONSENSUS)
        respond(proposal, people[2], position="block", reason="No")
        before = state(proposal)
        with pytest.raises(ValidationError, match="A block or objection holds this proposal"):
            services.proposal_record_outcome(
                actor=people[0],
                proposal=proposal,
                outcome="Agreed",
                review_at=timezone.localdate() + timedelta(days=30),
            )
        assert state(proposal) == before

    def test_the_review_date_must_be_in_the_future_and_the_outcome_written(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        before = state(proposal)
        with pytest.raises(ValidationError) as refused:
            services.proposal_record_outcome(
                actor=people[0], proposal=proposal, outcome=" ", review_at=timezone.localdate()
            )
        assert set(refused.value.message_dict) == {"outcome", "review_at"}
        assert state(proposal) == before


# --- closing, reminders, escalation -------------------------------------------------------------


class TestScheduledRun:
    def test_due_proposals_close_and_others_stay_open(self, circle_and_people):
        circle, people = circle_and_people
        now = timezone.now()
        due = open_proposal(circle, people[0], closes_at=now + timedelta(hours=1))
        later = open_proposal(circle, people[0], closes_at=now + timedelta(days=3))
        report = services.proposals_remind(now=now + timedelta(hours=2))
        due.refresh_from_db()
        later.refresh_from_db()
        assert (due.status, later.status) == (Status.CLOSED, Status.OPEN)
        assert (report.closed, report.escalated) == (1, 0)

    def test_a_held_proposal_escalates_to_the_parent_circle_at_close(self):
        parent, parent_people = make_circle(members=2, name="Coalition")
        child, child_people = make_circle(parent=parent, members=1, name="Board")
        now = timezone.now()
        proposal = open_proposal(
            child, child_people[1], Process.CONSENSUS, closes_at=now + timedelta(hours=1)
        )
        respond(proposal, child_people[0], position="block", reason="We must ask the coalition.")
        report = services.proposals_remind(now=now + timedelta(hours=2))
        proposal.refresh_from_db()
        assert (proposal.status, proposal.escalated_to) == (Status.ESCALATED, parent)
        assert (report.closed, report.escalated) == (1, 1)
        thread = Thread.objects.get(circle=parent)
        assert thread.title == "Unresolved in Board: Widen the sliding scale"
        assert f"/proposals/{proposal.pk}/" in thread.comments.get().body
        told = set(
            Notification.objects.filter(kind="governance.proposal.escalated").values_list(
                "user", flat=True
            )
        )
        assert told == {person.pk for person in parent_people}
        # The parent circle's members can now read it
        assert selectors.proposal_for_member(parent_people[2], proposal.pk) == proposal

    def test_a_held_proposal_without_a_parent_closes_held_for_the_facilitator(
        self, circle_and_people
    ):
        circle, people = circle_and_people
        now = timezone.now()
        proposal = open_proposal(circle, people[0], closes_at=now + timedelta(hours=1))
        respond(proposal, people[1], position="objection", reason="Harmful")
        services.proposals_remind(now=now + timedelta(hours=2))
        proposal.refresh_from_db()
        assert (proposal.status, proposal.escalated_to) == (Status.CLOSED, None)
        record = AuditRecord.objects.get(action="hearth.governance.proposal.closed")
        assert record.detail == {"held": True}

    def test_members_who_have_not_responded_are_reminded_once_a_day_before(self, circle_and_people):
        circle, people = circle_and_people
        now = timezone.now()
        proposal = open_proposal(circle, people[0], closes_at=now + timedelta(hours=30))
        respond(proposal, people[1], position="consent")
        assert services.proposals_remind(now=now).closing_reminders == 0
        later = now + timedelta(hours=7)
        assert services.proposals_remind(now=later).closing_reminders == 1
        assert services.proposals_remind(now=later).closing_reminders == 0
        told = set(
            Notification.objects.filter(kind="governance.proposal.closing").values_list(
                "user", flat=True
            )
        )
        assert told == {person.pk for person in people if person != people[1]}

    def test_the_circle_is_reminded_once_when_a_decision_is_due_for_review(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[1])
        review = timezone.localdate() + timedelta(days=30)
        services.proposal_record_outcome(
            actor=people[0], proposal=proposal, outcome="Agreed", review_at=review
        )
        assert services.proposals_remind().review_reminders == 0
        at_review = timezone.now() + timedelta(days=31)
        assert services.proposals_remind(now=at_review).review_reminders == 1
        assert services.proposals_remind(now=at_review).review_reminders == 0
        assert Notification.objects.filter(kind="governance.proposal.review").count() == 5

    def test_the_command_runs(self, circle_and_people):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command("governance-remind", stdout=out)
        assert out.getvalue() == (
            "Closed 0 proposals (0 escalated); 0 closing reminders; 0 review reminders; "
            "closed 0 budgeting rounds.\n"
        )


# --- results, counted by counting.py ------------------------------------------------------------


def rows(results):
    return [(row["label"], row["value"]) for row in results.rows]


class TestResults:
    def test_consent_counts_and_an_objection_holds_until_released(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENT)
        for person in people[:3]:
            respond(proposal, person, position="consent")
        respond(proposal, people[3], position="objection", reason="It costs too much.")
        results = selectors.proposal_results(proposal)
        assert rows(results) == [
            ("Consent: good enough for now, safe enough to try", 3),
            ("Objection: it would harm the circle's aims", 1),
        ]
        assert (results.held, results.ballots, results.electorate) == (True, 4, 5)
        respond(proposal, people[3], position="consent")
        results = selectors.proposal_results(proposal)
        assert [value for _label, value in rows(results)] == [4, 0]
        assert results.held is False

    def test_consensus_counts_every_position_and_the_stand_asides(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.CONSENSUS)
        respond(proposal, people[0], position="agree")
        respond(proposal, people[1], position="agree")
        respond(proposal, people[2], position="abstain")
        respond(proposal, people[3], position="disagree")
        respond(proposal, people[4], position="disagree", reason="Not my way, go ahead.")
        results = selectors.proposal_results(proposal)
        assert rows(results) == [
            ("Agree", 2),
            ("Abstain", 1),
            ("Disagree, standing aside: I will not stop it", 2),
            ("Block: this goes against the circle's values or purpose", 0),
        ]
        # The same as counting.py's tally of the latest responses
        tally = counting.tally_consensus(selectors.counted_responses(proposal))
        assert tally.counts == {"agree": 2, "abstain": 1, "disagree": 2, "block": 0}
        assert sorted(r.reason for r in tally.stand_asides) == ["", "Not my way, go ahead."]
        assert (results.stand_asides, results.held) == (2, False)
        proposal.refresh_from_db()
        assert proposal.status == Status.OPEN

    def test_gradients_show_the_spread(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.GRADIENTS)
        for person, position in zip(
            people, ["endorse", "endorse", "more_discussion", "veto", "abstain"], strict=True
        ):
            respond(proposal, person, position=position, reason="Because")
        results = selectors.proposal_results(proposal)
        assert [value for _label, value in rows(results)] == [2, 0, 0, 1, 1, 0, 0, 1]
        # A veto is recorded with its reason; it does not hold the proposal (only blocks and
        # objections do)
        proposal.refresh_from_db()
        assert proposal.status == Status.OPEN

    def test_advice_is_collected(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.ADVICE)
        respond(proposal, people[1], position="support", reason="Ask the clients first.")
        respond(proposal, people[2], position="concern", reason="Mind the budget.")
        respond(proposal, people[3], position="concern", reason="Try it for three months.")
        assert rows(selectors.proposal_results(proposal)) == [
            ("I support it, with this advice", 1),
            ("I have concerns, with this advice", 2),
        ]

    def test_a_poll_counts_one_option_each_and_shows_ties(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.POLL)
        for person, choice in zip(people, ["o1", "o2", "o1", "o2", "o3"], strict=True):
            respond(proposal, person, position=choice)
        results = selectors.proposal_results(proposal)
        assert rows(results) == [("Red", 2), ("Green", 2), ("Blue", 1)]
        assert results.leaders == ["Red", "Green"]

    def test_scores_total_and_average_per_option(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.SCORE)
        respond(proposal, people[0], scores={"o1": 5, "o2": 1, "o3": 3})
        respond(proposal, people[1], scores={"o1": 2, "o2": 5})
        respond(proposal, people[2], scores={"o3": 4})
        results = selectors.proposal_results(proposal)
        assert [(r["label"], r["value"], r["extra"]) for r in results.rows] == [
            ("Red", 7, ["3.50", 2]),
            ("Blue", 7, ["3.50", 2]),
            ("Green", 6, ["3.00", 2]),
        ]
        assert results.leaders == ["Red", "Blue"]

    def test_dots_total_per_option(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.DOTS)
        respond(proposal, people[0], dots={"o1": 5})
        respond(proposal, people[1], dots={"o2": 3, "o3": 2})
        respond(proposal, people[2], dots={"o2": 4})
        results = selectors.proposal_results(proposal)
        assert rows(results) == [("Green", 7), ("Red", 5), ("Blue", 2)]
        assert results.leaders == ["Green"]

    def test_ranked_choice_runs_off_until_a_majority(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.RANKED)
        for person, ranking in zip(
            people,
            [["o1", "o2"], ["o1", "o3"], ["o2", "o1"], ["o3", "o2"], ["o3", "o2"]],
            strict=True,
        ):
            respond(proposal, person, ranking=ranking)
        results = selectors.proposal_results(proposal)
        # Red 2, Green 1, Blue 2: Green is out and its ballot goes to Red, which then has 3 of 5
        assert rows(results) == [("Red", 2), ("Green", 1), ("Blue", 2)]
        assert results.rounds[0]["rejected"] == ["Green"]
        assert results.winners == ["Red"]
        assert results.quota is None

    def test_several_seats_use_the_single_transferable_vote(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(
            circle, people[0], Process.RANKED, options=["Ana", "Ben", "Cleo", "Dev"], seats=2
        )
        for person, ranking in zip(
            people,
            [["o1", "o2"], ["o1", "o2"], ["o1", "o3"], ["o3", "o4"], ["o4", "o3"]],
            strict=True,
        ):
            respond(proposal, person, ranking=ranking)
        results = selectors.proposal_results(proposal)
        assert results.winners == ["Ana", "Cleo"]
        assert results.quota == pytest.approx(5 / 3)

    def test_only_the_latest_responses_are_counted(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0], Process.POLL)
        respond(proposal, people[1], position="o1")
        respond(proposal, people[1], position="o3")
        assert rows(selectors.proposal_results(proposal)) == [("Red", 0), ("Green", 0), ("Blue", 1)]


class TestQuorum:
    def test_quorum_counts_ballots_cast_against_the_electorate_at_opening(self, circle_and_people):
        circle, people = circle_and_people  # 5 members
        proposal = open_proposal(circle, people[0], Process.CONSENSUS, quorum_percent=60)
        respond(proposal, people[1], position="agree")
        respond(proposal, people[1], position="abstain")  # a change is still one ballot
        respond(proposal, people[2], position="abstain")  # an abstention is a ballot cast
        quorum = selectors.proposal_results(proposal).quorum
        assert (quorum.cast, quorum.electorate, quorum.required, quorum.met) == (2, 5, 3, False)
        # Five newcomers after opening change neither the electorate nor the share needed
        for user in [UserFactory() for _ in range(5)]:
            services.circle_member_add(actor=people[0], circle=circle, user=user)
        respond(proposal, people[3], position="agree")
        quorum = selectors.proposal_results(proposal).quorum
        assert (quorum.cast, quorum.electorate, quorum.required, quorum.met) == (3, 5, 3, True)

    def test_without_a_quorum_setting_there_is_none(self, circle_and_people):
        circle, people = circle_and_people
        proposal = open_proposal(circle, people[0])
        assert selectors.proposal_results(proposal).quorum is None
