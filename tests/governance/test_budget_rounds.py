"""Participatory budgeting end to end: a round, projects, ballots (refusals naming the rule),
closing with results equal to budgeting.py's and pabutools', `.pb` import and export."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pabutools.election import ApprovalBallot as PabuBallot
from pabutools.election import ApprovalProfile, Cost_Sat, Instance, Project
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from hearth.core.models import AuditRecord, Notification
from hearth.governance import budget_services, budgeting
from hearth.governance.models import ApprovalBallot, BudgetProject, BudgetRound, ProjectUpdate
from tests.factories import UserFactory
from tests.governance.test_circles import make_circle

pytestmark = pytest.mark.django_db

COSTS = {
    "Community garden": "400",
    "Peer support room": "300",
    "Warm meals": "300",
    "Bus passes": "200",
}
# Ballots by project name, one per member (members 1..5).
VOTES = [
    ["Community garden", "Peer support room"],
    ["Community garden", "Warm meals"],
    ["Peer support room", "Bus passes"],
    ["Community garden"],
    ["Warm meals", "Bus passes"],
]


def make_round(*, members=5, **fields):
    circle, people = make_circle(members=members, name="Neighbourhood fund")
    facilitator = people[0]
    settings = {"name": "Spring round", "budget": "1000", **fields}
    budget_round = budget_services.round_create(actor=facilitator, circle=circle, **settings)
    return budget_round, people


def propose_all(budget_round, people):
    codes = {}
    for index, (name, cost) in enumerate(COSTS.items()):
        project = budget_services.project_propose(
            actor=people[1 + index % (len(people) - 1)],
            budget_round=budget_round,
            name=name,
            cost=cost,
        )
        codes[name] = project.code
    return codes


def pabutools_results(costs: dict[str, str], budget: str, ballots: list[list[str]]):
    projects = {code: Project(code, budgeting.as_amount(cost)) for code, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budgeting.as_amount(budget))
    profile = ApprovalProfile(
        [PabuBallot([projects[code] for code in ballot]) for ballot in ballots]
    )
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    shares = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return {
        "greedy": sorted(project.name for project in greedy),
        "equal_shares": sorted(project.name for project in shares),
    }


class TestRoundSetUp:
    def test_a_facilitator_creates_a_round_and_members_propose_projects(self):
        budget_round, people = make_round(min_projects=1, max_projects=2, min_share_percent=20)
        codes = propose_all(budget_round, people)
        assert budget_round.status == BudgetRound.Status.PROPOSING
        assert budget_round.budget == Decimal("1000.00")
        assert sorted(codes.values()) == ["1", "2", "3", "4"]
        assert BudgetProject.objects.get(code=codes["Bus passes"]).cost == Decimal("200.00")
        assert AuditRecord.objects.filter(action="hearth.governance.project.proposed").count() == 4

    def test_a_member_who_is_not_a_facilitator_cannot_create_a_round(self):
        circle, people = make_circle(members=1)
        before = BudgetRound.objects.count(), AuditRecord.objects.count()
        with pytest.raises(ValidationError):
            budget_services.round_create(actor=people[1], circle=circle, name="R", budget="10")
        assert (BudgetRound.objects.count(), AuditRecord.objects.count()) == before

    def test_an_outsider_cannot_propose_and_nothing_is_saved(self):
        budget_round, _people = make_round()
        with pytest.raises(ValidationError):
            budget_services.project_propose(
                actor=UserFactory(), budget_round=budget_round, name="X", cost="10"
            )
        assert not BudgetProject.objects.exists()

    def test_a_project_costing_more_than_the_budget_is_refused(self):
        budget_round, people = make_round()
        with pytest.raises(ValidationError) as error:
            budget_services.project_propose(
                actor=people[1], budget_round=budget_round, name="Big", cost="1000.01"
            )
        assert "cost" in error.value.message_dict

    def test_no_proposals_once_voting_opened(self):
        budget_round, people = make_round()
        propose_all(budget_round, people)
        budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        with pytest.raises(ValidationError):
            budget_services.project_propose(
                actor=people[1], budget_round=budget_round, name="Late", cost="10"
            )
        assert BudgetProject.objects.count() == 4


class TestVoting:
    def setup_round(self, **fields):
        budget_round, people = make_round(**fields)
        codes = propose_all(budget_round, people)
        budget_round = budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        return budget_round, people, codes

    def test_opening_notifies_every_member_and_fixes_the_electorate(self):
        budget_round, people, _codes = self.setup_round()
        assert len(budget_round.results["eligible"]) == 6
        assert Notification.objects.filter(kind="governance.round.voting_opened").count() == 6
        # A member who joins later cannot vote in this round
        newcomer = UserFactory()
        from hearth.governance import services

        services.circle_member_add(
            actor=people[0], circle=budget_round.circle, email=newcomer.email
        )
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(actor=newcomer, budget_round=budget_round, projects=["1"])
        assert error.value.code == "not_eligible"
        assert not ApprovalBallot.objects.exists()

    def test_the_ballot_stores_only_a_keyed_digest_and_can_be_replaced(self):
        budget_round, people, codes = self.setup_round()
        budget_services.ballot_cast(
            actor=people[1], budget_round=budget_round, projects=[codes["Warm meals"]]
        )
        budget_services.ballot_cast(
            actor=people[1], budget_round=budget_round, projects=[codes["Bus passes"]]
        )
        ballot = ApprovalBallot.objects.get()
        assert ballot.projects == [codes["Bus passes"]]
        assert ballot.voter_digest == budget_services.round_voter_digest(
            budget_round.pk, people[1].pk
        )
        assert str(people[1].pk) not in ballot.voter_digest
        record = AuditRecord.objects.filter(action="hearth.governance.ballot.cast").last()
        assert codes["Bus passes"] not in str(record.detail)

    @pytest.mark.parametrize(
        ("chosen", "broken"),
        [
            ([], ["min_projects", "min_budget_share"]),
            (["Community garden", "Peer support room", "Warm meals"], ["max_projects"]),
            (["Bus passes"], ["min_budget_share"]),
        ],
    )
    def test_a_ballot_breaking_a_rule_is_refused_naming_it(self, chosen, broken):
        budget_round, people, codes = self.setup_round(
            min_projects=1, max_projects=2, min_share_percent=30
        )
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(
                actor=people[1],
                budget_round=budget_round,
                projects=[codes[name] for name in chosen],
            )
        assert [item.code for item in error.value.error_dict["projects"]] == broken
        assert not ApprovalBallot.objects.exists()

    def test_the_min_share_message_names_the_amounts(self):
        budget_round, people, codes = self.setup_round(min_share_percent=30)
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(
                actor=people[1], budget_round=budget_round, projects=[codes["Bus passes"]]
            )
        assert error.value.message_dict["projects"] == [
            "The projects you choose must cost at least 300.00 together (a share of the budget);"
            " yours cost 200.00."
        ]

    def test_an_unknown_project_is_refused(self):
        budget_round, people, _codes = self.setup_round()
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(actor=people[1], budget_round=budget_round, projects=["99"])
        assert [item.code for item in error.value.error_dict["projects"]] == ["unknown_project"]

    def test_no_vote_after_close(self):
        budget_round, people, codes = self.setup_round()
        budget_services.round_close(actor=people[0], budget_round=budget_round)
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(
                actor=people[1], budget_round=budget_round, projects=[codes["Warm meals"]]
            )
        assert error.value.code == "closed"
        assert not ApprovalBallot.objects.exists()

    def test_voting_closes_at_its_time(self):
        budget_round, people = make_round()
        codes = propose_all(budget_round, people)
        now = timezone.now()
        budget_round = budget_services.round_open_voting(
            actor=people[0], budget_round=budget_round, closes_at=now + timedelta(hours=1), now=now
        )
        with pytest.raises(ValidationError) as error:
            budget_services.ballot_cast(
                actor=people[1],
                budget_round=budget_round,
                projects=[codes["Warm meals"]],
                now=now + timedelta(hours=2),
            )
        assert error.value.code == "closed"
        assert budget_services.rounds_close_due(now=now + timedelta(hours=2)) == 1
        assert BudgetRound.objects.get().status == BudgetRound.Status.CLOSED

    def test_the_scheduled_run_closes_rounds_whose_time_has_passed_and_publishes_results(self):
        # Given one round whose voting time has passed and one still voting
        from io import StringIO

        from django.core.management import call_command

        due, people = make_round()
        codes = propose_all(due, people)
        now = timezone.now()
        due = budget_services.round_open_voting(
            actor=people[0], budget_round=due, closes_at=now + timedelta(minutes=30), now=now
        )
        for voter, names in zip(people[1:], VOTES, strict=True):
            budget_services.ballot_cast(
                actor=voter, budget_round=due, projects=[codes[name] for name in names], now=now
            )
        later, others = make_round()
        propose_all(later, others)
        later = budget_services.round_open_voting(
            actor=others[0], budget_round=later, closes_at=now + timedelta(days=3), now=now
        )
        BudgetRound.objects.filter(pk=due.pk).update(voting_closes_at=now - timedelta(minutes=1))
        # When the routine task runs
        out = StringIO()
        call_command("governance-remind", stdout=out)
        # Then the due round is closed with its results, by nobody in particular, and the other
        # keeps voting
        assert out.getvalue().endswith("closed 1 budgeting rounds.\n")
        due.refresh_from_db()
        later.refresh_from_db()
        assert (due.status, later.status) == (BudgetRound.Status.CLOSED, BudgetRound.Status.VOTING)
        funded = [codes["Community garden"], codes["Peer support room"], codes["Bus passes"]]
        assert sorted(due.results["outcomes"]["equal_shares"]["funded"]) == sorted(funded)
        assert sorted(due.projects.filter(funded=True).values_list("code", flat=True)) == sorted(
            funded
        )
        assert (due.results["ballots"], due.results["eligible"]) == (5, 6)
        closed = AuditRecord.objects.get(action="hearth.governance.round.closed")
        assert (closed.actor_id, closed.target_id) == (None, str(due.pk))
        assert Notification.objects.filter(kind="governance.round.closed").count() == 6
        # and running it again closes nothing more
        assert budget_services.rounds_close_due() == 0


class TestResults:
    @pytest.mark.parametrize("rule", [BudgetRound.Rule.EQUAL_SHARES, BudgetRound.Rule.GREEDY])
    def test_results_equal_budgeting_and_pabutools(self, rule):
        # Given a round with five ballots
        budget_round, people = make_round(rule=rule)
        codes = propose_all(budget_round, people)
        budget_round = budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        for voter, names in zip(people[1:], VOTES, strict=True):
            budget_services.ballot_cast(
                actor=voter, budget_round=budget_round, projects=[codes[name] for name in names]
            )
        # When it closes
        budget_round = budget_services.round_close(actor=people[0], budget_round=budget_round)
        # Then both rules' results are those of budgeting.py and of pabutools
        ballots = [[codes[name] for name in names] for names in VOTES]
        costs = {codes[name]: cost for name, cost in COSTS.items()}
        reference = pabutools_results(costs, "1000", ballots)
        election = budgeting.Election.build(budget="1000", costs=costs, ballots=ballots)
        outcomes = budget_round.results["outcomes"]
        assert sorted(outcomes["greedy"]["funded"]) == reference["greedy"]
        assert sorted(outcomes["equal_shares"]["funded"]) == reference["equal_shares"]
        assert outcomes["greedy"]["funded"] == list(budgeting.greedy_by_approvals(election).funded)
        assert outcomes["equal_shares"]["funded"] == list(budgeting.equal_shares(election).funded)
        # The two rules differ on this instance
        assert reference == {
            "greedy": sorted(
                [codes["Community garden"], codes["Peer support room"], codes["Warm meals"]]
            ),
            "equal_shares": sorted(
                [codes["Community garden"], codes["Peer support room"], codes["Bus passes"]]
            ),
        }
        # Projects are marked funded by the round's own rule
        funded = set(BudgetProject.objects.filter(funded=True).values_list("code", flat=True))
        assert funded == set(reference[rule])
        assert BudgetProject.objects.filter(funded=False).count() == 1
        assert budget_round.results["ballots"] == 5 and budget_round.results["eligible"] == 6
        assert Notification.objects.filter(kind="governance.round.closed").count() == 6

    def test_every_project_has_its_explanation_rebuilt_from_the_results(self):
        budget_round, people = make_round()
        codes = propose_all(budget_round, people)
        budget_round = budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        for voter, names in zip(people[1:], VOTES, strict=True):
            budget_services.ballot_cast(
                actor=voter, budget_round=budget_round, projects=[codes[name] for name in names]
            )
        budget_round = budget_services.round_close(actor=people[0], budget_round=budget_round)
        ballots = [[codes[name] for name in names] for names in VOTES]
        costs = {codes[name]: cost for name, cost in COSTS.items()}
        expected = budgeting.equal_shares(
            budgeting.Election.build(budget="1000", costs=costs, ballots=ballots)
        )
        stored = budget_round.results["outcomes"]["equal_shares"]["explanations"]
        for code, item in expected.explanations.items():
            rebuilt = budget_services.explanation_from(code, stored[code])
            assert rebuilt == item
            assert rebuilt.message == item.message

    def test_only_a_facilitator_closes_and_a_refusal_changes_nothing(self):
        budget_round, people = make_round()
        propose_all(budget_round, people)
        budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        with pytest.raises(ValidationError):
            budget_services.round_close(actor=people[1], budget_round=budget_round)
        assert BudgetRound.objects.get().status == BudgetRound.Status.VOTING


class TestAccountability:
    def closed_round(self):
        budget_round, people = make_round()
        codes = propose_all(budget_round, people)
        budget_services.round_open_voting(actor=people[0], budget_round=budget_round)
        for voter, names in zip(people[1:], VOTES, strict=True):
            budget_services.ballot_cast(
                actor=voter, budget_round=budget_round, projects=[codes[name] for name in names]
            )
        budget_round = budget_services.round_close(actor=people[0], budget_round=budget_round)
        return budget_round, people, codes

    def test_a_facilitator_tracks_a_funded_project(self):
        _budget_round, people, codes = self.closed_round()
        project = BudgetProject.objects.get(code=codes["Community garden"])
        budget_services.project_update_progress(
            actor=people[0],
            project=project,
            accountability=BudgetProject.Accountability.IN_PROGRESS,
            progress_percent=40,
            body="Beds built.",
        )
        project.refresh_from_db()
        assert (project.accountability, project.progress_percent) == ("in_progress", 40)
        assert ProjectUpdate.objects.get().body == "Beds built."

    def test_an_unfunded_project_has_no_progress_and_members_cannot_update(self):
        _budget_round, people, codes = self.closed_round()
        unfunded = BudgetProject.objects.get(code=codes["Warm meals"])
        funded = BudgetProject.objects.get(code=codes["Bus passes"])
        with pytest.raises(ValidationError):
            budget_services.project_update_progress(
                actor=people[0], project=unfunded, accountability="done", progress_percent=100
            )
        with pytest.raises(ValidationError):
            budget_services.project_update_progress(
                actor=people[1], project=funded, accountability="done", progress_percent=100
            )
        funded.refresh_from_db()
        assert funded.progress_percent == 0 and not ProjectUpdate.objects.exists()


PB_FILE = """META
key;value
description;Neighbourhood fund 2024
country;Nowhere
unit;Riverside
instance;2024
num_projects;4
num_votes;5
budget;1000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name
1;400;Community garden
2;300;Peer support room
3;300;Warm meals
4;200;Bus passes
VOTES
voter_id;vote
a;1,2
b;1,3
c;2,4
d;1
e;3,4
"""


class TestPabulibFiles:
    def test_import_creates_a_closed_round_with_results(self):
        circle, people = make_circle(members=1)
        budget_round = budget_services.round_import(actor=people[0], circle=circle, text=PB_FILE)
        assert budget_round.status == BudgetRound.Status.CLOSED
        assert budget_round.name == "Neighbourhood fund 2024"
        assert budget_round.rule == BudgetRound.Rule.GREEDY
        assert budget_round.budget == Decimal("1000.00")
        assert list(BudgetProject.objects.order_by("code").values_list("code", "cost")) == [
            ("1", Decimal("400.00")),
            ("2", Decimal("300.00")),
            ("3", Decimal("300.00")),
            ("4", Decimal("200.00")),
        ]
        reference = pabutools_results(
            {"1": "400", "2": "300", "3": "300", "4": "200"},
            "1000",
            [["1", "2"], ["1", "3"], ["2", "4"], ["1"], ["3", "4"]],
        )
        outcomes = budget_round.results["outcomes"]
        assert sorted(outcomes["greedy"]["funded"]) == reference["greedy"] == ["1", "2", "3"]
        assert sorted(outcomes["equal_shares"]["funded"]) == reference["equal_shares"]
        assert budget_round.results["ballots"] == 5
        # Voter ids from the file are not kept
        assert not ApprovalBallot.objects.filter(
            voter_digest__in=["a", "b", "c", "d", "e"]
        ).exists()
        assert AuditRecord.objects.filter(action="hearth.governance.round.imported").count() == 1

    def test_a_malformed_file_gives_located_errors_and_saves_nothing(self):
        circle, people = make_circle(members=1)
        broken = PB_FILE.replace("2;300;Peer support room", "2;three hundred;Peer support room")
        broken = broken.replace("e;3,4", "e;3,9")
        before = (
            BudgetRound.objects.count(),
            BudgetProject.objects.count(),
            AuditRecord.objects.count(),
        )
        with pytest.raises(ValidationError) as error:
            budget_services.round_import(actor=people[0], circle=circle, text=broken)
        messages = error.value.message_dict["file"]
        assert messages == [
            "line 15, cost: “three hundred” is not a number",
            "line 24, vote: project “9” is not in the PROJECTS section",
        ]
        after = (
            BudgetRound.objects.count(),
            BudgetProject.objects.count(),
            AuditRecord.objects.count(),
        )
        assert after == before and not ApprovalBallot.objects.exists()

    def test_a_cost_with_more_than_two_decimals_is_refused(self):
        circle, people = make_circle(members=1)
        with pytest.raises(ValidationError) as error:
            budget_services.round_import(
                actor=people[0], circle=circle, text=PB_FILE.replace("4;200;", "4;200.125;")
            )
        assert error.value.message_dict["file"] == [
            "Project 4: its cost needs an amount with at most two decimals."
        ]
        assert not BudgetRound.objects.exists()

    def test_a_member_who_is_not_a_facilitator_cannot_import(self):
        circle, people = make_circle(members=1)
        with pytest.raises(ValidationError):
            budget_services.round_import(actor=people[1], circle=circle, text=PB_FILE)
        assert not BudgetRound.objects.exists()

    def test_export_round_trip(self, client):
        from hearth.governance import pabulib
        from tests.conftest import sign_in

        circle, people = make_circle(members=1)
        budget_round = budget_services.round_import(actor=people[0], circle=circle, text=PB_FILE)
        response = sign_in(client, people[1]).get(f"/budgeting/{budget_round.pk}/round.pb")
        assert response.status_code == 200
        exported = pabulib.read(response.content.decode())
        assert exported.budget == 1000
        assert [(p.code, p.cost, p.name) for p in exported.projects] == [
            ("1", 400, "Community garden"),
            ("2", 300, "Peer support room"),
            ("3", 300, "Warm meals"),
            ("4", 200, "Bus passes"),
        ]
        # The same ballots, under anonymous numbers 1..5
        assert sorted(tuple(sorted(approved)) for _voter, approved in exported.votes) == sorted(
            [("1", "2"), ("1", "3"), ("2", "4"), ("1",), ("3", "4")]
        )
        assert sorted(voter for voter, _approved in exported.votes) == ["1", "2", "3", "4", "5"]
        # Imported again, the results are the same
        again = budget_services.round_import(
            actor=people[0], circle=circle, text=response.content.decode()
        )
        assert again.results["outcomes"] == budget_round.results["outcomes"]
