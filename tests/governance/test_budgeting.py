"""Participatory budgeting rules: hand-worked instances, then generated ones against pabutools."""

import random
from fractions import Fraction

import pytest
from django.utils import translation
from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
    Project,
)
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)

from hearth.governance.budgeting import (
    BallotRejected,
    BallotRule,
    BallotRules,
    Election,
    Reason,
    Stage,
    as_amount,
    check_ballot,
    equal_shares,
    format_amount,
    greedy_by_approvals,
)

# --- the reference ------------------------------------------------------------------------------


def reference(costs, budget, ballots):
    """pabutools' greedy, plain MES and MES completed as REFERENCES §7 says."""
    projects = {name: Project(name, cost) for name, cost in costs.items()}
    instance = Instance(projects.values(), budget_limit=budget)
    profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
    greedy = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    plain = method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
    completed = completion_by_rule_combination(
        instance,
        profile,
        [method_of_equal_shares, greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "voter_budget_increment": 1}, {"sat_class": Cost_Sat}],
    )
    return [
        [p.name for p in greedy],
        [p.name for p in plain],
        [p.name for p in completed],
    ]


def ours(costs, budget, ballots):
    election = Election.build(budget=budget, costs=costs, ballots=ballots)
    return [
        list(greedy_by_approvals(election).funded),
        list(equal_shares(election, increment=None, complete=False).funded),
        list(equal_shares(election).funded),
    ]


# --- hand-worked instances ------------------------------------------------------------------------

# Budget 100, four voters (a share of 25 each).
#   a costs 60, approved by v1 v2 v3;  b 40 by v3 v4;  c 30 by v1 v2;  d 20 by v4.
PARK = {
    "costs": {"a": 60, "b": 40, "c": 30, "d": 20},
    "budget": 100,
    "ballots": [{"a", "c"}, {"a", "c"}, {"a", "b"}, {"b", "d"}],
}


def test_greedy_funds_the_most_approved_project_that_still_fits():
    # Given the park instance: approvals a 3, b 2, c 2, d 1
    election = Election.build(**PARK)

    # When greedy by approvals counts it
    result = greedy_by_approvals(election)

    # Then a (60) is funded, then b beats c on the tie by name and takes the last 40;
    # c (30) and d (20) no longer fit
    assert result.funded == ("a", "b")
    assert result.spent == 100
    assert result.left_over == 0
    assert result.explanations["b"].round == 2
    assert result.explanations["b"].remaining_budget == 40
    assert result.explanations["c"].reason == Reason.DID_NOT_FIT
    assert result.explanations["c"].remaining_budget == 0
    assert ours(**PARK)[0] == reference(**PARK)[0]


def test_equal_shares_by_hand():
    # Given the park instance, each voter holding 25
    election = Election.build(**PARK)

    # When the Method of Equal Shares counts it (with the completion)
    result = equal_shares(election)

    # Then round 1 funds a: 20 from each of its 3 supporters (price 1/3 per unit, the lowest);
    # v1-v3 keep 5. Round 2: b's supporters hold 5 + 25 < 40 and c's 5 + 5 < 30, but d's one
    # supporter pays 20. Nothing else is affordable; 20 of the budget is left and neither b (40)
    # nor c (30) fits it, so neither raising the shares nor the greedy completion adds anything.
    assert result.funded == ("a", "d")
    assert result.spent == 80
    assert result.voter_share == 25
    assert result.share_raises == 0
    assert result.runs == 1
    a, b, c, d = (result.explanations[name] for name in "abcd")
    assert (a.funded, a.stage, a.round, a.payment, a.full_payers) == (
        True,
        Stage.EQUAL_SHARES,
        1,
        20,
        3,
    )
    assert (d.round, d.payment, d.full_payers, d.partial_payers) == (2, 20, 1, 0)
    assert (b.funded, b.reason, b.supporters_money_left) == (False, Reason.SHARES_TOO_SMALL, 10)
    assert (c.reason, c.supporters_money_left) == (Reason.SHARES_TOO_SMALL, 10)
    assert b.considered_by_completion and b.remaining_budget == 20
    assert ours(**PARK) == reference(**PARK)


def test_the_completion_raises_the_shares_until_the_result_is_exhaustive():
    # Given budget 10 and two voters (5 each): x costs 6 and both approve it; y costs 4 and only
    # v1 approves it
    election = Election.build(budget=10, costs={"x": 6, "y": 4}, ballots=[{"x", "y"}, {"x"}])

    # When equal shares count it without and with the completion
    plain = equal_shares(election, increment=None, complete=False)
    completed = equal_shares(election)

    # Then with 5 each, x is funded (3 each) and v1's 2 left cannot pay for y; with 6 each v1 has
    # 3 left, still short; with 7 each v1 has 4 left and pays for y: 10 spent, nothing left to fit
    assert plain.funded == ("x",)
    assert plain.explanations["y"].supporters_money_left == 2
    assert completed.funded == ("x", "y")
    assert completed.voter_share == 7
    assert completed.share_raises == 2
    assert completed.runs == 3
    y = completed.explanations["y"]
    assert (y.stage, y.round, y.payment, y.full_payers) == (Stage.EQUAL_SHARES, 2, 4, 1)
    assert ours({"x": 6, "y": 4}, 10, [{"x", "y"}, {"x"}]) == [
        list(x) for x in reference({"x": 6, "y": 4}, 10, [{"x", "y"}, {"x"}])
    ]


def test_raising_the_shares_stops_before_the_result_overspends():
    # Given budget 9, three voters (3 each), p costs 6 (v1, v2), q costs 6 (v3), r costs 3 (v3)
    costs = {"p": 6, "q": 6, "r": 3}
    ballots = [{"p"}, {"p"}, {"q", "r"}]
    election = Election.build(budget=9, costs=costs, ballots=ballots)

    # When equal shares count it
    result = equal_shares(election)

    # Then with 3 each: p (3 + 3) and r (3 from v3) are funded, 9 spent: exhaustive at once
    assert result.funded == ("p", "r")
    assert result.share_raises == 0
    assert ours(costs, 9, ballots) == reference(costs, 9, ballots)


def test_ties_go_to_the_project_whose_name_sorts_first():
    # Given two projects of the same cost approved by the same voters, listed beta first
    costs = {"beta": 10, "alpha": 10}
    ballots = [{"alpha", "beta"}, {"alpha", "beta"}]
    election = Election.build(budget=10, costs=costs, ballots=ballots)

    # When both rules count it
    # Then alpha wins the tie under both, and beta no longer fits or is affordable
    assert greedy_by_approvals(election).funded == ("alpha",)
    assert equal_shares(election).funded == ("alpha",)
    assert ours(costs, 10, ballots) == reference(costs, 10, ballots)


def test_what_supporters_have_left_decides_what_else_is_affordable():
    # Given budget 30 and three voters (10 each) who all approve m (cost 24); v1 also approves
    # s (cost 6) and v2, v3 approve t (cost 5). Prices per unit of cost: m 8/24 = 1/3,
    # t 2.5/5 = 1/2, s 6/6 = 1; so m comes first: 8 each, 2 left each.
    costs = {"m": 24, "s": 6, "t": 5}
    ballots = [{"m", "s"}, {"m", "t"}, {"m", "t"}]
    election = Election.build(budget=30, costs=costs, ballots=ballots)

    # When equal shares count it without completion
    result = equal_shares(election, increment=None, complete=False)

    # Then m is funded first (8 each), then t: v2 and v3 hold 2 each, 4 < 5, so t is not
    # affordable; s: v1 holds 2 < 6. Only m.
    assert result.funded == ("m",)
    assert result.explanations["t"].supporters_money_left == 4
    assert ours(costs, 30, ballots) == reference(costs, 30, ballots)


def test_supporters_who_hold_exactly_the_cost_pay_all_of_it():
    # Given budget 40, four voters (10 each): f (cost 28) approved by all (7 each, 3 left);
    # g (cost 6) approved by v1 and v2
    costs = {"f": 28, "g": 6}
    ballots = [{"f", "g"}, {"f", "g"}, {"f"}, {"f"}]
    election = Election.build(budget=40, costs=costs, ballots=ballots)

    # When equal shares count it with the completion
    result = equal_shares(election)

    # Then f: 7 each (round 1); g: v1 and v2 hold 3 each, exactly 6: both pay all they have
    assert result.funded == ("f", "g")
    g = result.explanations["g"]
    assert (g.round, g.payment, g.full_payers, g.partial_payers) == (2, 3, 2, 0)
    assert ours(costs, 40, ballots) == reference(costs, 40, ballots)


def test_unequal_money_means_the_poor_pay_all_and_the_rich_share_the_rest():
    # Given budget 60, six voters (10 each): u (cost 36) approved by v1-v4 (9 each, 1 left);
    # w (cost 24) approved by v1, v2, v5, v6
    costs = {"u": 36, "w": 24}
    ballots = [{"u", "w"}, {"u", "w"}, {"u"}, {"u"}, {"w"}, {"w"}]
    election = Election.build(budget=60, costs=costs, ballots=ballots)

    # When equal shares count it
    result = equal_shares(election, increment=None, complete=False)

    # Then round 1: u's price 9/36 = 1/4 and w's 6/24 = 1/4 tie, and u wins by name;
    # round 2: w's supporters hold 1 + 1 + 10 + 10 = 22 < 24, so w is not affordable
    assert result.funded == ("u",)
    assert result.explanations["w"].supporters_money_left == 22
    assert ours(costs, 60, ballots) == reference(costs, 60, ballots)


def test_greedy_keeps_the_references_details():
    # Given a project nobody approved that fits, and one that costs nothing
    costs = {"p": 8, "q": 3, "r": 2, "z": 0}
    ballots = [{"p", "z"}, {"p", "q"}]
    election = Election.build(budget=10, costs=costs, ballots=ballots)

    # When greedy counts it
    result = greedy_by_approvals(election)

    # Then p (2 approvals) is funded, q (3) no longer fits the 2 left, r (nobody approved it)
    # fits and is funded, z (cost 0 counts as 0 approvals) comes last and always fits
    assert result.funded == ("p", "r", "z")
    assert result.explanations["r"].approvals == 0
    assert ours(costs, 10, ballots) == reference(costs, 10, ballots)


def test_no_ballots():
    election = Election.build(budget=10, costs={"a": 4, "b": 7}, ballots=[])
    assert equal_shares(election).funded == ("a",)  # the completion still fills by name
    assert greedy_by_approvals(election).funded == ("a",)
    assert ours({"a": 4, "b": 7}, 10, []) == reference({"a": 4, "b": 7}, 10, [])


def test_fractional_costs_are_exact():
    # Given costs with cents and a budget that does not divide evenly among the voters
    costs = {"a": "10.10", "b": "3.33", "c": "7"}
    ballots = [{"a"}, {"a", "b"}, {"b", "c"}]
    election = Election.build(budget="20.50", costs=costs, ballots=ballots)
    result = equal_shares(election)
    reference_costs = {name: Fraction(as_amount(cost)) for name, cost in costs.items()}
    assert list(result.funded) == reference(reference_costs, Fraction("20.50"), ballots)[2]


def test_the_explanations_read_as_sentences():
    with translation.override("en"):
        result = equal_shares(Election.build(**PARK))
        assert result.explanations["a"].message == (
            "Funded in round 1 of equal shares: its 3 supporters paid 20.00 each."
        )
        assert result.explanations["b"].message == (
            "Not funded: its supporters had 10.00 left between them, less than its cost of "
            "40.00. The completion found no room: only 20.00 of the budget remained."
        )
        greedy = greedy_by_approvals(Election.build(**PARK))
        assert greedy.explanations["b"].message == (
            "Funded: with 2 approvals it came next among the projects that still fitted "
            "(40.00 of the budget remained)."
        )
        assert greedy.explanations["c"].message == (
            "Not funded: when its turn came only 0.00 of the budget remained, less than its cost "
            "of 30.00."
        )


def test_amounts_are_exact_and_formatted_half_up():
    assert as_amount("12,50") == Fraction(25, 2)
    assert format_amount(Fraction(142, 10)) == "14.20"
    assert format_amount(Fraction(1, 200)) == "0.01"
    assert format_amount(Fraction(1234567, 1)) == "1,234,567.00"
    with pytest.raises(TypeError):
        as_amount(0.1)


def test_election_refuses_unknown_projects_and_negative_costs():
    with pytest.raises(ValueError, match="ballot 2 approves unknown projects"):
        Election.build(budget=1, costs={"a": 1}, ballots=[{"a"}, {"zz"}])
    with pytest.raises(ValueError, match="negative cost"):
        Election.build(budget=1, costs={"a": -1}, ballots=[])


# --- ballot rules ---------------------------------------------------------------------------------

COSTS = {"a": Fraction(50), "b": Fraction(30), "c": Fraction(20)}


def test_a_ballot_within_the_rules_is_accepted():
    rules = BallotRules(min_projects=1, max_projects=2, min_budget_share=Fraction(1, 2))
    assert check_ballot(["a", "b"], costs=COSTS, budget=Fraction(100), rules=rules) == {"a", "b"}


@pytest.mark.parametrize(
    ("ballot", "rules", "broken"),
    [
        (["a"], BallotRules(min_projects=2), (BallotRule.MIN_PROJECTS,)),
        (["a", "b", "c"], BallotRules(max_projects=2), (BallotRule.MAX_PROJECTS,)),
        (["c"], BallotRules(min_budget_share=Fraction(1, 4)), (BallotRule.MIN_BUDGET_SHARE,)),
        (["a", "b"], BallotRules(max_total_cost=Fraction(60)), (BallotRule.MAX_TOTAL_COST,)),
        (["a", "x"], BallotRules(), (BallotRule.UNKNOWN_PROJECT,)),
        (
            [],
            BallotRules(min_projects=1, min_budget_share=Fraction(1, 10)),
            (BallotRule.MIN_PROJECTS, BallotRule.MIN_BUDGET_SHARE),
        ),
    ],
)
def test_a_ballot_breaking_a_rule_is_refused_with_the_rule_named(ballot, rules, broken):
    with pytest.raises(BallotRejected) as refused:
        check_ballot(ballot, costs=COSTS, budget=Fraction(100), rules=rules)
    assert refused.value.rules == broken


def test_the_refusal_says_which_rule_in_plain_words():
    with translation.override("en"), pytest.raises(BallotRejected) as refused:
        check_ballot(
            ["c"],
            costs=COSTS,
            budget=Fraction(100),
            rules=BallotRules(min_projects=2, min_budget_share=Fraction(1, 4)),
        )
    assert [str(v.message) for v in refused.value.violations] == [
        "Choose at least 2 projects.",
        "The projects you choose must cost at least 25.00 together (a share of the budget); "
        "yours cost 20.00.",
    ]


# --- generated instances against pabutools -----------------------------------------------------


def small_instance(seed):
    rng = random.Random(seed)
    count = rng.randint(1, 9)
    names = [chr(97 + i) for i in range(count)]
    rng.shuffle(names)
    costs = {n: rng.choice([0, 1, 2, 3, 4, 5, 6, 10]) * rng.choice([1, 1, 1, 7]) for n in names}
    budget = rng.randint(0, sum(costs.values()) + 1)
    ballots = [rng.sample(names, rng.randint(0, count)) for _ in range(rng.randint(0, 30))]
    return costs, budget, ballots


def medium_instance(seed):
    rng = random.Random(10_000 + seed)
    names = [f"p{i}" for i in range(rng.randint(10, 25))]
    costs = {n: rng.randint(1, 40) * rng.choice([1, 5]) for n in names}
    budget = int(sum(costs.values()) * rng.uniform(0.1, 0.6))
    weights = [rng.random() ** 2 for _ in names]
    ballots = []
    for _ in range(rng.randint(50, 300)):
        size = rng.randint(1, 6)
        ballots.append(set(rng.choices(names, weights, k=size)))
    return costs, budget, ballots


@pytest.mark.parametrize("seed", range(200))
def test_small_generated_instances_match_pabutools(seed):
    costs, budget, ballots = small_instance(seed)
    assert ours(costs, budget, ballots) == reference(costs, budget, ballots)


@pytest.mark.parametrize("seed", range(40))
def test_medium_generated_instances_match_pabutools(seed):
    costs, budget, ballots = medium_instance(seed)
    assert ours(costs, budget, ballots) == reference(costs, budget, ballots)


def test_the_increment_must_be_positive():
    election = Election.build(**PARK)
    with pytest.raises(ValueError, match="positive"):
        equal_shares(election, increment=0)
