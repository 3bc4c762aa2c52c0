"""Counting the responses to a proposal: pure functions over the latest response of each member.

Nothing here reads or writes the database. Each process of REFERENCES §6 has a check for one
response (`ResponseRejected` names the rule broken) and a tally that states what the responses
are, exactly; none of them declares an outcome a person has to write (a consensus is recorded
by a facilitator's statement, not computed).

Ranked choice has two counts that give exactly the results of `pyrankvote` (the reference the
issue names), including its particular rules, which are documented on `instant_runoff()` and
`single_transferable_vote()`.
"""

from __future__ import annotations

import enum
import functools
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import chain
from operator import ne

from django.utils.translation import gettext_lazy as _

# --- responses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """One member's response. `choice` is the position (consent, block, a poll option, a level of
    the gradients scale); `reason` is the text given with it (or the advice itself);
    `resolved` marks an objection or block the circle has resolved with its author;
    `points` holds a score or dot vote: option → points."""

    voter: Hashable
    choice: str = ""
    reason: str = ""
    resolved: bool = False
    points: Mapping[str, int] = field(default_factory=dict)


def latest(responses: Iterable[Response]) -> list[Response]:
    """The latest response of each member, from a history in the order it happened (members may
    change their response until the proposal closes; the history itself is kept elsewhere)."""
    last: dict[Hashable, Response] = {}
    for response in responses:
        last.pop(response.voter, None)
        last[response.voter] = response
    return list(last.values())


class ResponseRejected(ValueError):
    def __init__(self, rule: str, message: str):
        self.rule = rule
        self.message = message
        super().__init__(str(message))


def _unique_voters(responses: Sequence[Response]) -> None:
    voters = Counter(response.voter for response in responses)
    twice = [voter for voter, count in voters.items() if count > 1]
    if twice:
        raise ValueError(f"more than one response from {twice!r}: give only the latest of each")


# --- quorum ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    cast: int
    electorate: int
    required: int
    met: bool


def quorum(*, cast: int, electorate_at_opening: int, share: Fraction) -> Quorum:
    """Ballots actually cast (an abstention is cast) against the members entitled to respond when
    the proposal opened; `share` of them, rounded up, must have responded."""
    if not 0 <= share <= 1:
        raise ValueError("the quorum is a share between 0 and 1")
    required = math.ceil(Fraction(share) * electorate_at_opening)
    return Quorum(
        cast=cast, electorate=electorate_at_opening, required=required, met=cast >= required
    )


# --- advice ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdviceTally:
    count: int
    advice: tuple[Response, ...]


def check_advice(response: Response) -> Response:
    if not response.reason.strip():
        raise ResponseRejected("advice_required", _("Write your advice."))
    return response


def tally_advice(responses: Sequence[Response]) -> AdviceTally:
    """Advice is collected, not counted: the person deciding reads all of it."""
    _unique_voters(responses)
    return AdviceTally(count=len(responses), advice=tuple(responses))


# --- consent --------------------------------------------------------------------------------------


class Consent(enum.StrEnum):
    CONSENT = "consent"
    OBJECTION = "objection"


@dataclass(frozen=True)
class ConsentTally:
    consents: int
    objections: tuple[Response, ...]  # unresolved: each holds the proposal
    resolved_objections: tuple[Response, ...]
    held: bool


def check_consent(response: Response) -> Response:
    if response.choice not in Consent.__members__.values():
        raise ResponseRejected("unknown_choice", _("Choose consent or objection."))
    if response.choice == Consent.OBJECTION and not response.reason.strip():
        raise ResponseRejected(
            "reason_required", _("An objection needs a reason: say what harm you see.")
        )
    return response


def tally_consent(responses: Sequence[Response]) -> ConsentTally:
    """Sociocratic consent: the proposal goes ahead when nobody objects; any objection that is not
    resolved holds it."""
    _unique_voters(responses)
    for response in responses:
        check_consent(response)
    objections = [r for r in responses if r.choice == Consent.OBJECTION]
    unresolved = tuple(r for r in objections if not r.resolved)
    return ConsentTally(
        consents=sum(1 for r in responses if r.choice == Consent.CONSENT),
        objections=unresolved,
        resolved_objections=tuple(r for r in objections if r.resolved),
        held=bool(unresolved),
    )


# --- consensus ------------------------------------------------------------------------------------


class Position(enum.StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


@dataclass(frozen=True)
class ConsensusTally:
    counts: dict[str, int]  # every position, in the order agree, abstain, disagree, block
    blocks: tuple[Response, ...]  # unresolved: each holds the proposal
    resolved_blocks: tuple[Response, ...]
    stand_asides: tuple[Response, ...]
    held: bool


def check_consensus(response: Response) -> Response:
    if response.choice not in Position.__members__.values():
        raise ResponseRejected("unknown_choice", _("Choose agree, abstain, disagree or block."))
    if response.choice == Position.BLOCK and not response.reason.strip():
        raise ResponseRejected(
            "reason_required", _("A block needs a reason: say why this cannot go ahead.")
        )
    return response


def tally_consensus(responses: Sequence[Response]) -> ConsensusTally:
    """Agree / abstain / disagree / block. A block is not a strong "no": while it is unresolved the
    proposal is held, whatever the other counts. A "disagree" is a stand-aside (the member does
    not support it but will not stop it) and is recorded with its reason; "abstain" is "this does
    not concern me"."""
    _unique_voters(responses)
    for response in responses:
        check_consensus(response)
    counts = {position.value: 0 for position in Position}
    for response in responses:
        counts[response.choice] += 1
    blocks = [r for r in responses if r.choice == Position.BLOCK]
    unresolved = tuple(r for r in blocks if not r.resolved)
    return ConsensusTally(
        counts=counts,
        blocks=unresolved,
        resolved_blocks=tuple(r for r in blocks if r.resolved),
        stand_asides=tuple(r for r in responses if r.choice == Position.DISAGREE),
        held=bool(unresolved),
    )


# --- gradients of agreement -----------------------------------------------------------------------


class Gradient(enum.StrEnum):
    """Sam Kaner's eight-point scale, from whole-hearted endorsement to veto."""

    ENDORSE = "endorse"
    AGREE_WITH_MINOR_POINT = "agree_with_minor_point"
    SUPPORT_WITH_RESERVATIONS = "support_with_reservations"
    ABSTAIN = "abstain"
    MORE_DISCUSSION = "more_discussion"
    DISLIKE_BUT_SUPPORT = "dislike_but_support"
    SERIOUS_DISAGREEMENT = "serious_disagreement"
    VETO = "veto"


@dataclass(frozen=True)
class GradientsTally:
    counts: dict[str, int]  # every level, in the scale's order
    vetoes: tuple[Response, ...]
    more_discussion: int


def check_gradient(response: Response) -> Response:
    if response.choice not in Gradient.__members__.values():
        raise ResponseRejected("unknown_choice", _("Choose a point on the scale."))
    if response.choice == Gradient.VETO and not response.reason.strip():
        raise ResponseRejected("reason_required", _("A veto needs a reason."))
    return response


def tally_gradients(responses: Sequence[Response]) -> GradientsTally:
    """How many members stand at each point of the scale; the spread is the result (a group reads
    it, for example, as "enthusiastic support" or "support with much reluctance")."""
    _unique_voters(responses)
    for response in responses:
        check_gradient(response)
    counts = {level.value: 0 for level in Gradient}
    for response in responses:
        counts[response.choice] += 1
    return GradientsTally(
        counts=counts,
        vetoes=tuple(r for r in responses if r.choice == Gradient.VETO),
        more_discussion=counts[Gradient.MORE_DISCUSSION],
    )


# --- simple poll ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollTally:
    counts: dict[str, int]  # every option, in the poll's order
    leaders: tuple[str, ...]  # the options with the most votes (several when tied)


def check_poll(response: Response, options: Sequence[str]) -> Response:
    if response.choice not in options:
        raise ResponseRejected("unknown_choice", _("Choose one of the options."))
    return response


def tally_poll(responses: Sequence[Response], options: Sequence[str]) -> PollTally:
    """One option per member; a tie for the most votes is shown as a tie."""
    _unique_voters(responses)
    counts = dict.fromkeys(options, 0)
    for response in responses:
        check_poll(response, options)
        counts[response.choice] += 1
    top = max(counts.values(), default=0)
    leaders = tuple(option for option, count in counts.items() if count == top and top > 0)
    return PollTally(counts=counts, leaders=leaders)


# --- score ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTally:
    totals: dict[str, int]
    scored_by: dict[str, int]  # how many members scored each option
    means: dict[str, Fraction | None]  # exact; None when nobody scored it
    ranking: tuple[str, ...]  # by total, then by poll order
    leaders: tuple[str, ...]


def check_score(
    response: Response, options: Sequence[str], *, minimum: int, maximum: int
) -> Response:
    unknown = set(response.points) - set(options)
    if unknown:
        raise ResponseRejected("unknown_option", _("Score only the options of this poll."))
    for value in response.points.values():
        if isinstance(value, bool) or not isinstance(value, int):
            raise ResponseRejected("whole_number", _("Scores are whole numbers."))
        if not minimum <= value <= maximum:
            raise ResponseRejected(
                "out_of_range",
                _("Scores go from %(minimum)d to %(maximum)d.")
                % {"minimum": minimum, "maximum": maximum},
            )
    return response


def tally_score(
    responses: Sequence[Response], options: Sequence[str], *, minimum: int = 0, maximum: int = 5
) -> ScoreTally:
    """Each member scores any of the options; totals and exact means per option."""
    _unique_voters(responses)
    totals = dict.fromkeys(options, 0)
    scored_by = dict.fromkeys(options, 0)
    for response in responses:
        check_score(response, options, minimum=minimum, maximum=maximum)
        for option, value in response.points.items():
            totals[option] += value
            scored_by[option] += 1
    means = {
        option: (Fraction(totals[option], scored_by[option]) if scored_by[option] else None)
        for option in options
    }
    position = {option: index for index, option in enumerate(options)}
    ranking = tuple(sorted(options, key=lambda option: (-totals[option], position[option])))
    top = max(totals.values(), default=0)
    leaders = tuple(o for o in options if totals[o] == top) if responses else ()
    return ScoreTally(
        totals=totals, scored_by=scored_by, means=means, ranking=ranking, leaders=leaders
    )


# --- dot vote -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DotTally:
    totals: dict[str, int]
    dots_used: int
    ranking: tuple[str, ...]
    leaders: tuple[str, ...]


def check_dots(
    response: Response,
    options: Sequence[str],
    *,
    dots: int,
    max_per_option: int | None = None,
) -> Response:
    unknown = set(response.points) - set(options)
    if unknown:
        raise ResponseRejected("unknown_option", _("Place dots only on the options of this poll."))
    for value in response.points.values():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ResponseRejected("whole_number", _("Dots are whole numbers, none below zero."))
        if max_per_option is not None and value > max_per_option:
            raise ResponseRejected(
                "too_many_on_one",
                _("Place at most %(maximum)d dots on one option.") % {"maximum": max_per_option},
            )
    used = sum(response.points.values())
    if used > dots:
        raise ResponseRejected(
            "too_many_dots",
            _("You have %(dots)d dots; you placed %(used)d.") % {"dots": dots, "used": used},
        )
    return response


def tally_dots(
    responses: Sequence[Response],
    options: Sequence[str],
    *,
    dots: int,
    max_per_option: int | None = None,
) -> DotTally:
    """Each member places up to `dots` dots across the options (several on one if allowed)."""
    _unique_voters(responses)
    totals = dict.fromkeys(options, 0)
    for response in responses:
        check_dots(response, options, dots=dots, max_per_option=max_per_option)
        for option, value in response.points.items():
            totals[option] += value
    position = {option: index for index, option in enumerate(options)}
    ranking = tuple(sorted(options, key=lambda option: (-totals[option], position[option])))
    top = max(totals.values(), default=0)
    leaders = tuple(o for o in options if totals[o] == top and top > 0)
    return DotTally(totals=totals, dots_used=sum(totals.values()), ranking=ranking, leaders=leaders)


# --- ranked choice --------------------------------------------------------------------------------

ELECTED = "elected"
HOPEFUL = "hopeful"
REJECTED = "rejected"

# pyrankvote's tolerances: votes closer than this are "equal"; a candidate needs the quota (or
# majority) plus this much; a transfer smaller than this (rounded to 4 places) is not made.
_EQUAL_MARGIN = 0.001
_ROUNDING = 1e-6


class RankedBallotError(ValueError):
    pass


@dataclass(frozen=True)
class RankedRound:
    """One round, as pyrankvote reports it: elected candidates (in the order elected), those
    still in the race (best first), then the rejected (last rejected first)."""

    results: tuple[tuple[str, float, str], ...]  # (candidate, votes, status)
    elected: tuple[str, ...]  # this round
    rejected: tuple[str, ...]  # this round
    exhausted_votes: float  # blank ballots and votes with no later choice left


@dataclass(frozen=True)
class TieBreak:
    """Two candidates with equal votes (and equal counts at every later preference), ordered by
    their place on the ballot paper: pyrankvote picks at random here."""

    ahead: str
    behind: str


@dataclass(frozen=True)
class RankedResult:
    winners: tuple[str, ...]
    rounds: tuple[RankedRound, ...]
    quota: float | None
    tie_breaks: tuple[TieBreak, ...]


def _group_ballots(
    candidates: Sequence[str], ballots: Iterable[Sequence[str]]
) -> tuple[list[tuple[tuple[str, ...], int]], int]:
    known = set(candidates)
    if len(known) != len(candidates):
        raise RankedBallotError("a candidate is listed twice")
    grouped = Counter(map(tuple, ballots))
    # The checks run as C loops over the distinct ballots; the offending ballot is looked for
    # only when one fails.
    if not known.issuperset(chain.from_iterable(grouped)):
        unknown = set(chain.from_iterable(grouped)) - known
        raise RankedBallotError(f"a ballot ranks unknown candidates: {sorted(unknown)}")
    if any(map(ne, map(len, map(set, grouped)), map(len, grouped))):
        twice = next(ballot for ballot in grouped if len(set(ballot)) != len(ballot))
        raise RankedBallotError(f"a ballot ranks a candidate twice: {list(twice)}")
    total = sum(grouped.values())
    return list(grouped.items()), total


class _Count:
    """The state of one count, mirroring pyrankvote's ElectionManager with one vote per ballot:
    identical ballots travel together, which changes nothing but the speed."""

    def __init__(self, candidates: Sequence[str], ballots: Iterable[Sequence[str]]):
        self.candidates = list(candidates)
        self.place = {candidate: index for index, candidate in enumerate(self.candidates)}
        self.groups, self.ballot_count = _group_ballots(self.candidates, ballots)
        self.status = dict.fromkeys(self.candidates, HOPEFUL)
        self.votes = dict.fromkeys(self.candidates, 0.0)
        # Each pile holds [ballot, position of its current choice, how many such ballots].
        self.piles: dict[str, list[tuple[tuple[str, ...], int, int]]] = {
            candidate: [] for candidate in self.candidates
        }
        self.elected: list[str] = []
        self.rejected: list[str] = []
        self.exhausted_ballots = 0
        self.exhausted_votes = 0.0
        self.tie_breaks: list[TieBreak] = []
        for ballot, count in self.groups:
            if not ballot:
                self.exhausted_ballots += count
                self.exhausted_votes += count
                continue
            first = ballot[0]
            self.votes[first] += count
            self.piles[first].append((ballot, 0, count))
        self.race = list(self.candidates)
        self._sort()

    # pyrankvote's order: more votes first; "equal" votes (closer than 0.001) are ordered by how
    # many ballots have each candidate as their second choice among those still in the race, then
    # third, and so on; if all are equal pyrankvote picks at random, we take the ballot order.
    def _sort(self) -> None:
        later_counts: dict[int, Counter[str]] = {}
        hopeful_ballots: list[tuple[list[str], int]] | None = None

        def count_at(position: int) -> Counter[str]:
            nonlocal hopeful_ballots
            if position not in later_counts:
                if hopeful_ballots is None:
                    status = self.status
                    hopeful_ballots = [
                        ([c for c in ballot if status[c] == HOPEFUL], count)
                        for ballot, count in self.groups
                    ]
                counts: Counter[str] = Counter()
                for hopefuls, count in hopeful_ballots:
                    if len(hopefuls) > position:
                        counts[hopefuls[position]] += count
                later_counts[position] = counts
            return later_counts[position]

        def compare(first: str, second: str) -> int:
            first_votes, second_votes = self.votes[first], self.votes[second]
            if abs(first_votes - second_votes) >= _EQUAL_MARGIN:
                return -1 if first_votes > second_votes else 1
            for position in range(1, len(self.candidates)):
                counts = count_at(position)
                if counts[first] != counts[second]:
                    return -1 if counts[first] > counts[second] else 1
            ahead, behind = sorted((first, second), key=self.place.__getitem__)
            tie = TieBreak(ahead=ahead, behind=behind)
            if tie not in self.tie_breaks:
                self.tie_breaks.append(tie)
            return -1 if first == ahead else 1

        self.race = sorted(self.race, key=functools.cmp_to_key(compare))

    def elect(self, candidate: str) -> None:
        self.status[candidate] = ELECTED
        self.elected.append(candidate)
        self.race.remove(candidate)

    def reject(self, candidate: str) -> None:
        self.status[candidate] = REJECTED
        self.rejected.append(candidate)
        self.race.remove(candidate)

    def transfer(self, candidate: str, amount: float) -> None:
        """Move `amount` of the candidate's votes to the next choice still in the race on each of
        its ballots, every ballot carrying an equal part whatever it carried before."""
        if round(amount, 4) == 0.0:
            return
        pile = self.piles[candidate]
        per_ballot = amount / float(sum(count for _, _, count in pile))
        status = self.status
        votes = self.votes
        piles = self.piles
        for ballot, position, count in pile:
            position += 1
            while position < len(ballot) and status[ballot[position]] != HOPEFUL:
                position += 1
            if position < len(ballot):
                following = ballot[position]
                votes[following] += per_ballot * count
                piles[following].append((ballot, position, count))
            else:
                self.exhausted_ballots += count
                self.exhausted_votes += per_ballot * count
        votes[candidate] -= amount
        self.piles[candidate] = []
        self._sort()

    def snapshot(self, elected: list[str], rejected: list[str]) -> RankedRound:
        order = self.elected + self.race + self.rejected[::-1]
        return RankedRound(
            results=tuple((c, self.votes[c], self.status[c]) for c in order),
            elected=tuple(elected),
            rejected=tuple(rejected),
            exhausted_votes=self.exhausted_votes,
        )


def instant_runoff(candidates: Sequence[str], ballots: Iterable[Sequence[str]]) -> RankedResult:
    """Instant runoff for one seat, as pyrankvote's `instant_runoff_voting` counts it.

    Each round: a candidate is elected with at least ⌈(ballots not yet exhausted) ÷ 2⌉ votes plus
    a hair (1e-6), so an exact half is not enough; otherwise the weakest candidates are rejected
    together, from the first one (after the leader) whose votes together with all below it are no
    more than the votes of the one just above it; their ballots go to each ballot's next choice
    still in the race. When one candidate is left, it is elected. Ties: see `TieBreak`. A single
    candidate is elected at once (pyrankvote raises an error)."""
    count = _Count(candidates, ballots)
    seats = 1
    if len(count.race) <= seats:
        return _everyone_elected(count, seats)
    rounds = []
    while True:
        majority = math.ceil((count.ballot_count - count.exhausted_ballots) / 2.0)
        seats_left = seats - len(count.elected)
        race = list(count.race)
        race_votes = [count.votes[c] for c in race]
        remaining = sum(race_votes)
        last_votes = 0.0
        to_elect: list[str] = []
        to_reject: list[str] = []
        for index, candidate in enumerate(race):
            votes = race_votes[index]
            if votes - _ROUNDING >= majority:
                to_elect.append(candidate)
            elif index >= seats_left and remaining - _ROUNDING <= last_votes:
                to_reject.append(candidate)
            elif index == len(race) - 1:
                raise RuntimeError("the count reached a state pyrankvote also refuses")
            last_votes = votes
            remaining -= votes
        for candidate in to_elect:
            count.elect(candidate)
        for candidate in to_reject[::-1]:
            count.reject(candidate)
        _fill_or_close(count, seats, to_elect, to_reject)
        rounds.append(count.snapshot(to_elect, to_reject))
        if not count.race:
            break
        for candidate in to_reject:
            count.transfer(candidate, count.votes[candidate])
    return RankedResult(
        winners=tuple(count.elected),
        rounds=tuple(rounds),
        quota=None,
        tie_breaks=tuple(count.tie_breaks),
    )


def single_transferable_vote(
    candidates: Sequence[str], ballots: Iterable[Sequence[str]], seats: int
) -> RankedResult:
    """Single transferable vote for several seats, as pyrankvote's `single_transferable_vote`
    counts it.

    The quota is ballots (not blank) ÷ (seats + 1), unrounded (a Droop quota without the +1); a
    candidate is elected with the quota plus a hair (1e-6). An elected candidate's surplus (votes
    above the quota) is passed on with every ballot in its pile carrying an equal part, whatever
    the ballot carried before (not the Gregory method's proportional weights). When nobody reaches
    the quota, the weakest are rejected together as in `instant_runoff()`, but never in a round
    that elected someone. When the candidates left are no more than the seats left, they are all
    elected. Votes are floats, as pyrankvote's are.

    With no more candidates than seats, every candidate is elected (pyrankvote raises an error)."""
    if seats < 1:
        raise ValueError("at least one seat")
    count = _Count(candidates, ballots)
    quota = (count.ballot_count - count.exhausted_ballots) / float(seats + 1)
    if len(count.race) <= seats:
        return _everyone_elected(count, seats, quota)
    rounds = []
    while True:
        seats_left = seats - len(count.elected)
        race = list(count.race)
        race_votes = [count.votes[c] for c in race]
        remaining = sum(race_votes)
        last_votes = 0.0
        to_elect: list[str] = []
        to_reject: list[str] = []
        for index, candidate in enumerate(race):
            votes = race_votes[index]
            if votes - _ROUNDING >= quota:
                to_elect.append(candidate)
            elif index >= seats_left and remaining - _ROUNDING <= last_votes:
                if to_elect:
                    break  # surpluses first: nobody is rejected in a round that elected someone
                to_reject.append(candidate)
            elif index == len(race) - 1:
                raise RuntimeError("the count reached a state pyrankvote also refuses")
            last_votes = votes
            remaining -= votes
        for candidate in to_elect:
            count.elect(candidate)
        for candidate in to_reject[::-1]:
            count.reject(candidate)
        _fill_or_close(count, seats, to_elect, to_reject)
        rounds.append(count.snapshot(to_elect, to_reject))
        if not count.race:
            break
        for candidate in to_elect:
            count.transfer(candidate, count.votes[candidate] - quota)
        for candidate in to_reject:
            count.transfer(candidate, count.votes[candidate])
    return RankedResult(
        winners=tuple(count.elected),
        rounds=tuple(rounds),
        quota=quota,
        tie_breaks=tuple(count.tie_breaks),
    )


def _everyone_elected(count: _Count, seats: int, quota: float | None = None) -> RankedResult:
    # No more candidates than seats: pyrankvote stops with an error here; every candidate is
    # elected, best first.
    elected = list(count.race)
    for candidate in elected:
        count.elect(candidate)
    return RankedResult(
        winners=tuple(elected),
        rounds=(count.snapshot(elected, []),),
        quota=quota,
        tie_breaks=tuple(count.tie_breaks),
    )


def _fill_or_close(count: _Count, seats: int, to_elect: list[str], to_reject: list[str]) -> None:
    # As many candidates left as seats: all elected. No seats left: the rest rejected.
    if len(count.race) <= seats - len(count.elected):
        for candidate in list(count.race):
            to_elect.append(candidate)
            count.elect(candidate)
    if seats - len(count.elected) == 0:
        for candidate in count.race[::-1]:
            to_reject.append(candidate)
            count.reject(candidate)
