"""Counting the decision processes: each rule's exact outcome; ranked choice against pyrankvote."""

import random
from fractions import Fraction

import pyrankvote
import pyrankvote.helpers
import pytest
from django.utils import translation
from pyrankvote import Ballot, Candidate

from hearth.governance.counting import (
    RankedBallotError,
    Response,
    ResponseRejected,
    TieBreak,
    check_advice,
    check_consensus,
    check_dots,
    instant_runoff,
    latest,
    quorum,
    single_transferable_vote,
    tally_advice,
    tally_consensus,
    tally_consent,
    tally_dots,
    tally_gradients,
    tally_poll,
    tally_score,
)

# --- ranked choice: hand-worked -------------------------------------------------------------------


def test_instant_runoff_transfers_the_weakest_candidates_ballots():
    # Given A and B with 4 first choices each and C with 2 whose voters rank A next
    ballots = [["A", "B"]] * 4 + [["B"]] * 4 + [["C", "A"]] * 2

    # When the runoff counts them
    result = instant_runoff(["A", "B", "C"], ballots)

    # Then round 1 rejects C (B is ahead of A on the tie: 4 ballots have B second, 2 have A),
    # C's two ballots go to A, and A has 6 of 10
    assert result.winners == ("A",)
    assert [r.results for r in result.rounds] == [
        (("B", 4.0, "hopeful"), ("A", 4.0, "hopeful"), ("C", 2.0, "rejected")),
        (("A", 6.0, "elected"), ("B", 4.0, "rejected"), ("C", 0.0, "rejected")),
    ]
    assert result.rounds[0].rejected == ("C",)
    assert result.tie_breaks == ()


def test_instant_runoff_needs_more_than_half_and_rejects_hopeless_candidates_together():
    # Given A 5, B 3, C 2 of 10 ballots, with no later choices
    ballots = [["A"]] * 5 + [["B"]] * 3 + [["C"]] * 2

    # When the runoff counts them
    result = instant_runoff(["A", "B", "C"], ballots)

    # Then A's exact half is not a majority, but B and C together (5) cannot pass A: both are
    # rejected in round 1 and A, alone, is elected
    assert result.winners == ("A",)
    assert len(result.rounds) == 1
    assert result.rounds[0].rejected == ("B", "C")
    assert result.rounds[0].elected == ("A",)


def test_blank_ballots_and_exhausted_ballots_leave_the_majority():
    ballots = [[]] * 4 + [["B"]] * 3 + [["C", "A"]] * 2
    result = instant_runoff(["A", "B", "C"], ballots)
    assert result.winners == ("B",)
    assert result.rounds[-1].exhausted_votes == 4.0


def test_a_tie_no_later_preference_breaks_goes_to_the_candidate_listed_first():
    # Given A and B with 5 first choices each and nothing else (pyrankvote draws lots here)
    ballots = [["B"]] * 5 + [["A"]] * 5

    # When the runoff counts them
    result = instant_runoff(["A", "B"], ballots)

    # Then the ballot paper's order decides, and the result says so
    assert result.winners == ("A",)
    assert result.tie_breaks == (TieBreak(ahead="A", behind="B"),)


def test_single_transferable_vote_passes_on_the_surplus():
    # Given 9 ballots for 2 seats (quota 9 / 3 = 3): A 4 (then B), B 3, C 2 (then A)
    ballots = [["A", "B"]] * 4 + [["B"]] * 3 + [["C", "A"]] * 2

    # When STV counts them
    result = single_transferable_vote(["A", "B", "C"], ballots, seats=2)

    # Then A passes the quota; B has exactly the quota, which is not enough; A's surplus of 1 is
    # shared by A's 4 ballots (0.25 each) and goes to B, who is elected with 4; C is rejected
    assert result.quota == 3.0
    assert result.winners == ("A", "B")
    assert result.rounds[0].elected == ("A",)
    assert result.rounds[-1].results == (
        ("A", 3.0, "elected"),
        ("B", 4.0, "elected"),
        ("C", 2.0, "rejected"),
    )


def test_fewer_candidates_than_seats_are_all_elected():
    result = single_transferable_vote(["A", "B"], [["B"], ["A"], ["B"]], seats=3)
    assert result.winners == ("B", "A")
    assert instant_runoff(["A"], [["A"], []]).winners == ("A",)


def test_ranked_ballots_are_checked():
    with pytest.raises(RankedBallotError, match="unknown candidates"):
        instant_runoff(["A", "B"], [["A", "Z"]])
    with pytest.raises(RankedBallotError, match="twice"):
        instant_runoff(["A", "B"], [["A", "A"]])


# --- ranked choice: against pyrankvote ------------------------------------------------------------


class DrewLots(Exception):
    """pyrankvote fell back to a random choice: the result is not reproducible."""


@pytest.fixture
def pyrankvote_without_lots(monkeypatch):
    def refuse(*args, **kwargs):
        raise DrewLots

    monkeypatch.setattr(pyrankvote.helpers.random, "choice", refuse)


def reference_count(names, ballots, seats):
    candidates = {name: Candidate(name) for name in names}
    paper = [Ballot([candidates[name] for name in ballot]) for ballot in ballots]
    if seats == 1:
        result = pyrankvote.instant_runoff_voting(list(candidates.values()), paper)
    else:
        result = pyrankvote.single_transferable_vote(list(candidates.values()), paper, seats)
    winners = tuple(candidate.name for candidate in result.get_winners())
    rounds = [
        [
            (r.candidate.name, r.number_of_votes, str(r.status).lower())
            for r in rnd.candidate_results
        ]
        for rnd in result.rounds
    ]
    return winners, rounds


def our_count(names, ballots, seats):
    if seats == 1:
        result = instant_runoff(names, ballots)
    else:
        result = single_transferable_vote(names, ballots, seats)
    rounds = [list(rnd.results) for rnd in result.rounds]
    return result.winners, rounds


def same_count(ours, expected):
    """Same winners, and in every round the same candidates in the same order with the same
    status; votes equal up to float summation order (STV's fractional votes are summed ballot by
    ballot there and group by group here)."""
    (our_winners, our_rounds), (winners, rounds) = ours, expected
    labels = [[(name, status) for name, _, status in rnd] for rnd in rounds]
    our_labels = [[(name, status) for name, _, status in rnd] for rnd in our_rounds]
    votes = [[v for _, v, _ in rnd] for rnd in rounds]
    our_votes = [[v for _, v, _ in rnd] for rnd in our_rounds]
    return (
        our_winners == winners
        and our_labels == labels
        and all(
            ours_round == pytest.approx(round_votes, rel=1e-9, abs=1e-9)
            for ours_round, round_votes in zip(our_votes, votes, strict=True)
        )
    )


def generated(seed, most_candidates=7, most_ballots=40):
    rng = random.Random(seed)
    names = [chr(65 + i) for i in range(rng.randint(2, most_candidates))]
    ballots = [
        rng.sample(names, rng.randint(0, len(names))) for _ in range(rng.randint(1, most_ballots))
    ]
    return names, ballots


@pytest.mark.parametrize("seats", [1, 2, 3])
def test_generated_counts_match_pyrankvote(pyrankvote_without_lots, seats):
    compared = 0
    for seed in range(300):
        names, ballots = generated(seed)
        if len(names) <= seats:
            continue  # pyrankvote stops with an error there
        try:
            expected = reference_count(names, ballots, seats)
        except DrewLots:
            continue
        assert same_count(our_count(names, ballots, seats), expected), seed
        compared += 1
    assert compared >= 150  # the rest drew lots or had no more candidates than seats


def test_larger_generated_counts_match_pyrankvote(pyrankvote_without_lots):
    for seed in range(6):
        rng = random.Random(500 + seed)
        names = [f"Candidate {i}" for i in range(8)]
        weights = [rng.random() + 0.2 for _ in names]
        ballots = []
        for _ in range(3000):
            order = sorted(names, key=lambda n: -weights[names.index(n)] * rng.random())
            ballots.append(order[: rng.randint(1, 8)])
        for seats in (1, 3):
            assert same_count(
                our_count(names, ballots, seats), reference_count(names, ballots, seats)
            )


# --- latest response and quorum -------------------------------------------------------------------


def test_the_latest_response_of_each_member_counts():
    history = [
        Response("ana", "consent"),
        Response("ben", "objection", reason="cost"),
        Response("ana", "objection", reason="timing"),
    ]
    assert latest(history) == [
        Response("ben", "objection", reason="cost"),
        Response("ana", "objection", reason="timing"),
    ]


def test_quorum_counts_ballots_cast_against_the_electorate_at_opening():
    assert quorum(cast=5, electorate_at_opening=12, share=Fraction(1, 2)) == quorum(
        cast=5, electorate_at_opening=12, share=Fraction(1, 2)
    )
    not_met = quorum(cast=5, electorate_at_opening=12, share=Fraction(1, 2))
    assert (not_met.required, not_met.met) == (6, False)
    met = quorum(cast=6, electorate_at_opening=11, share=Fraction(1, 2))
    assert (met.required, met.met) == (6, True)  # half of 11, rounded up
    with pytest.raises(ValueError):
        quorum(cast=1, electorate_at_opening=1, share=Fraction(3, 2))


# --- advice, consent, consensus, gradients --------------------------------------------------------


def test_advice_is_collected():
    tally = tally_advice([Response("ana", reason="Ask the tenants first")])
    assert tally.count == 1
    assert tally.advice[0].reason == "Ask the tenants first"
    with pytest.raises(ResponseRejected) as refused:
        check_advice(Response("ben", reason="  "))
    assert refused.value.rule == "advice_required"


def test_consent_goes_ahead_without_objection():
    tally = tally_consent([Response("ana", "consent"), Response("ben", "consent")])
    assert (tally.consents, tally.objections, tally.held) == (2, (), False)


def test_any_unresolved_objection_holds_consent():
    objection = Response("cat", "objection", reason="It breaks our safeguarding policy")
    resolved = Response("dan", "objection", reason="Budget", resolved=True)
    tally = tally_consent([Response("ana", "consent"), objection, resolved])
    assert tally.held is True
    assert tally.objections == (objection,)
    assert tally.resolved_objections == (resolved,)
    assert tally.consents == 1


def test_an_objection_needs_a_reason():
    with pytest.raises(ResponseRejected) as refused:
        tally_consent([Response("ana", "objection")])
    assert refused.value.rule == "reason_required"


def test_a_block_holds_consensus_whatever_the_other_counts():
    block = Response("eve", "block", reason="Members were not consulted")
    aside = Response("dan", "disagree", reason="Too soon, but go ahead")
    responses = [Response(name, "agree") for name in "abcdefgh"] + [aside, block]
    tally = tally_consensus(responses)
    assert tally.counts == {"agree": 8, "abstain": 0, "disagree": 1, "block": 1}
    assert tally.held is True
    assert tally.blocks == (block,)
    assert tally.stand_asides == (aside,)


def test_a_resolved_block_no_longer_holds():
    block = Response("eve", "block", reason="Members were not consulted", resolved=True)
    tally = tally_consensus([Response("ana", "agree"), Response("ben", "abstain"), block])
    assert tally.held is False
    assert tally.resolved_blocks == (block,)
    assert tally.counts == {"agree": 1, "abstain": 1, "disagree": 0, "block": 1}


def test_a_block_needs_a_reason_and_choices_are_known():
    with pytest.raises(ResponseRejected) as refused:
        check_consensus(Response("eve", "block", reason=" "))
    assert refused.value.rule == "reason_required"
    with pytest.raises(ResponseRejected) as refused:
        check_consensus(Response("eve", "maybe"))
    assert refused.value.rule == "unknown_choice"
    with translation.override("en"):
        assert refused.value.message == "Choose agree, abstain, disagree or block."


def test_gradients_of_agreement_count_every_level_in_order():
    tally = tally_gradients(
        [
            Response("a", "endorse"),
            Response("b", "endorse"),
            Response("c", "dislike_but_support"),
            Response("d", "more_discussion"),
            Response("e", "veto", reason="Unsafe"),
        ]
    )
    assert list(tally.counts.items()) == [
        ("endorse", 2),
        ("agree_with_minor_point", 0),
        ("support_with_reservations", 0),
        ("abstain", 0),
        ("more_discussion", 1),
        ("dislike_but_support", 1),
        ("serious_disagreement", 0),
        ("veto", 1),
    ]
    assert tally.more_discussion == 1
    assert [r.voter for r in tally.vetoes] == ["e"]


def test_one_response_per_member():
    with pytest.raises(ValueError, match="more than one response"):
        tally_consent([Response("ana", "consent"), Response("ana", "consent")])


# --- poll, score, dots ----------------------------------------------------------------------------


def test_simple_poll_counts_and_shows_ties():
    options = ["Tuesday", "Wednesday", "Thursday"]
    tally = tally_poll(
        [
            Response("a", "Tuesday"),
            Response("b", "Thursday"),
            Response("c", "Tuesday"),
            Response("d", "Thursday"),
        ],
        options,
    )
    assert tally.counts == {"Tuesday": 2, "Wednesday": 0, "Thursday": 2}
    assert tally.leaders == ("Tuesday", "Thursday")
    with pytest.raises(ResponseRejected):
        tally_poll([Response("a", "Friday")], options)
    assert tally_poll([], options).leaders == ()


def test_score_totals_and_exact_means():
    options = ["garden", "kitchen", "library"]
    tally = tally_score(
        [
            Response("a", points={"garden": 5, "kitchen": 2}),
            Response("b", points={"garden": 4, "kitchen": 4, "library": 1}),
            Response("c", points={"kitchen": 3}),
        ],
        options,
        minimum=0,
        maximum=5,
    )
    assert tally.totals == {"garden": 9, "kitchen": 9, "library": 1}
    assert tally.means == {"garden": Fraction(9, 2), "kitchen": Fraction(3), "library": Fraction(1)}
    assert tally.ranking == ("garden", "kitchen", "library")
    assert tally.leaders == ("garden", "kitchen")


@pytest.mark.parametrize(
    ("points", "rule"),
    [
        ({"garden": 6}, "out_of_range"),
        ({"pool": 1}, "unknown_option"),
        ({"garden": 2.5}, "whole_number"),
    ],
)
def test_score_refuses_what_the_poll_does_not_allow(points, rule):
    with pytest.raises(ResponseRejected) as refused:
        tally_score([Response("a", points=points)], ["garden"], minimum=0, maximum=5)
    assert refused.value.rule == rule


def test_dot_vote_sums_the_dots():
    options = ["garden", "kitchen", "library"]
    tally = tally_dots(
        [
            Response("a", points={"garden": 3}),
            Response("b", points={"kitchen": 1, "library": 2}),
            Response("c", points={"library": 1}),
        ],
        options,
        dots=3,
    )
    assert tally.totals == {"garden": 3, "kitchen": 1, "library": 3}
    assert tally.dots_used == 7
    assert tally.ranking == ("garden", "library", "kitchen")
    assert tally.leaders == ("garden", "library")


@pytest.mark.parametrize(
    ("points", "rule"),
    [
        ({"garden": 2, "kitchen": 2}, "too_many_dots"),
        ({"garden": 3}, "too_many_on_one"),
        ({"garden": -1}, "whole_number"),
        ({"pool": 1}, "unknown_option"),
    ],
)
def test_dot_vote_refuses_a_response_over_the_budget_of_dots(points, rule):
    with pytest.raises(ResponseRejected) as refused:
        check_dots(Response("a", points=points), ["garden", "kitchen"], dots=3, max_per_option=2)
    assert refused.value.rule == rule
    with translation.override("en"), pytest.raises(ResponseRejected) as refused:
        check_dots(Response("a", points={"garden": 2, "kitchen": 2}), ["garden", "kitchen"], dots=3)
    assert refused.value.message == "You have 3 dots; you placed 4."
