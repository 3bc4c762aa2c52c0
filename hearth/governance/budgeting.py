"""Participatory budgeting: who gets funded from approval ballots, and why.

Pure functions, no database. Two rules, each giving exactly the result of the reference
implementation named in REFERENCES §7 (`pabutools`, approval ballots, cost utilities):

- `greedy_by_approvals()` — `greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)`.
  With cost utilities a project's "welfare per unit of cost" is (approvals times cost) divided by
  cost, that is its number of approvals, so the rule funds the most-approved project that still
  fits, then the next, and so on. Ties go to the project whose name sorts first. Two details of
  the reference are kept: a project of cost 0 counts as having 0 approvals (its welfare is 0),
  and projects nobody approved are still funded, in name order, if money remains and they fit.

- `equal_shares()` — the Method of Equal Shares with the completion of REFERENCES §7:
  `completion_by_rule_combination` over [`method_of_equal_shares(..., sat_class=Cost_Sat,
  voter_budget_increment=1)`, `greedy_utilitarian_welfare(..., sat_class=Cost_Sat)`].
  Every voter holds budget ÷ number of ballots (empty ballots count). In each round the project
  whose supporters can pay for it with the lowest largest payment is funded (a supporter with
  less than that payment gives all they have left); ties go to the project whose name sorts
  first. Then the shares are raised by 1 (a unit of money per voter) and the whole method run
  again, as long as its result still fits the real budget and leaves room for another approved
  project; the last result that fitted is kept and completed greedily by approvals.

Arithmetic is exact (`fractions.Fraction`), as the reference's is (gmpy2 `mpq` by default):
ties between projects are real ties, never rounding accidents.

Speed: the reference keeps every voter as an object holding an `mpq` and walks each project's
supporters one by one. Here voters holding the same money form one class and each project walks
the classes of its supporters (counted in C), all money is an integer over one common
denominator, and a project whose price already exceeded the best price of the round is not
looked at again that round (prices only rise), as in the reference. Same results, decided the
same way, in a fraction of the time.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import gcd, lcm
from numbers import Rational
from operator import itemgetter, mul

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

Amount = Fraction


def as_amount(value: int | str | Decimal | Fraction | Rational) -> Fraction:
    """An exact amount from an int, a decimal string ("12.50" or "12,50"), a Decimal or a Fraction.

    Floats are refused: 0.1 is not a tenth, and a tie decided by a rounding error is no tie."""
    if isinstance(value, bool | float):
        raise TypeError(
            "amounts must be exact: give an int, a decimal string, a Decimal or a Fraction"
        )
    if isinstance(value, str):
        return Fraction(value.strip().replace(",", "."))
    return Fraction(value)


def format_amount(value: Fraction) -> str:
    """Two decimals, rounded half up, for sentences: 14.2 → "14.20"."""
    quantized = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return f"{quantized:,}"


# --- the election ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Election:
    """A budget, the projects with their costs (in listing order), and the approval ballots.

    Build it with `Election.build()`, which checks and normalizes the input."""

    budget: Fraction
    costs: Mapping[str, Fraction]
    ballots: tuple[frozenset[str], ...]

    @classmethod
    def build(
        cls,
        *,
        budget: int | str | Decimal | Fraction,
        costs: Mapping[str, int | str | Decimal | Fraction],
        ballots: Iterable[Iterable[str]],
    ) -> Election:
        budget = as_amount(budget)
        if budget < 0:
            raise ValueError("the budget cannot be negative")
        normalized = {}
        for name, cost in costs.items():
            amount = as_amount(cost)
            if amount < 0:
                raise ValueError(f"project {name!r} has a negative cost")
            normalized[str(name)] = amount
        frozen = []
        for index, ballot in enumerate(ballots):
            approved = frozenset(ballot)
            unknown = approved.difference(normalized)
            if unknown:
                raise ValueError(f"ballot {index + 1} approves unknown projects: {sorted(unknown)}")
            frozen.append(approved)
        return cls(budget=budget, costs=normalized, ballots=tuple(frozen))

    def approvals(self) -> dict[str, int]:
        counts = dict.fromkeys(self.costs, 0)
        for ballot in self.ballots:
            for name in ballot:
                counts[name] += 1
        return counts


# --- ballot rules --------------------------------------------------------------------------------


class BallotRule(enum.StrEnum):
    UNKNOWN_PROJECT = "unknown_project"
    MIN_PROJECTS = "min_projects"
    MAX_PROJECTS = "max_projects"
    MIN_BUDGET_SHARE = "min_budget_share"
    MAX_TOTAL_COST = "max_total_cost"


@dataclass(frozen=True)
class BallotRules:
    """A round's rules for one ballot. `min_budget_share` is a share of the round's budget
    (Fraction(1, 2): the approved projects must cost at least half the budget together);
    `max_total_cost` caps what the approved projects may cost together (often the budget)."""

    min_projects: int = 0
    max_projects: int | None = None
    min_budget_share: Fraction = Fraction(0)
    max_total_cost: Fraction | None = None


@dataclass(frozen=True)
class Violation:
    rule: BallotRule
    message: str


class BallotRejected(ValueError):
    """A ballot breaks the round's rules; `violations` names every rule it breaks."""

    def __init__(self, violations: Sequence[Violation]):
        self.violations = tuple(violations)
        super().__init__("; ".join(str(v.message) for v in self.violations))

    @property
    def rules(self) -> tuple[BallotRule, ...]:
        return tuple(v.rule for v in self.violations)


def check_ballot(
    approved: Iterable[str],
    *,
    costs: Mapping[str, Fraction],
    budget: Fraction,
    rules: BallotRules,
) -> frozenset[str]:
    """The ballot as a set of project names, or `BallotRejected` naming every rule it breaks."""
    ballot = frozenset(approved)
    violations = []
    unknown = sorted(ballot.difference(costs))
    if unknown:
        violations.append(
            Violation(
                BallotRule.UNKNOWN_PROJECT,
                _("The ballot names projects that are not in this round: %(names)s.")
                % {"names": ", ".join(unknown)},
            )
        )
    count = len(ballot)
    if count < rules.min_projects:
        violations.append(
            Violation(
                BallotRule.MIN_PROJECTS,
                ngettext_lazy(
                    "Choose at least %(minimum)d project.",
                    "Choose at least %(minimum)d projects.",
                    "minimum",
                )
                % {"minimum": rules.min_projects},
            )
        )
    if rules.max_projects is not None and count > rules.max_projects:
        violations.append(
            Violation(
                BallotRule.MAX_PROJECTS,
                ngettext_lazy(
                    "Choose at most %(maximum)d project.",
                    "Choose at most %(maximum)d projects.",
                    "maximum",
                )
                % {"maximum": rules.max_projects},
            )
        )
    total = sum((costs[name] for name in ballot if name in costs), Fraction(0))
    minimum_total = rules.min_budget_share * budget
    if total < minimum_total:
        violations.append(
            Violation(
                BallotRule.MIN_BUDGET_SHARE,
                _(
                    "The projects you choose must cost at least %(minimum)s together "
                    "(a share of the budget); yours cost %(total)s."
                )
                % {"minimum": format_amount(minimum_total), "total": format_amount(total)},
            )
        )
    if rules.max_total_cost is not None and total > rules.max_total_cost:
        violations.append(
            Violation(
                BallotRule.MAX_TOTAL_COST,
                _(
                    "The projects you choose may cost at most %(maximum)s together; "
                    "yours cost %(total)s."
                )
                % {"maximum": format_amount(rules.max_total_cost), "total": format_amount(total)},
            )
        )
    if violations:
        raise BallotRejected(violations)
    return ballot


# --- results and explanations ------------------------------------------------------------------


class Stage(enum.StrEnum):
    EQUAL_SHARES = "equal_shares"
    COMPLETION = "completion"
    GREEDY = "greedy"


class Reason(enum.StrEnum):
    FUNDED_EQUAL_SHARES = "funded_equal_shares"
    FUNDED_BY_APPROVALS = "funded_by_approvals"
    NO_APPROVALS = "no_approvals"
    SHARES_TOO_SMALL = "shares_too_small"
    DID_NOT_FIT = "did_not_fit"


@dataclass(frozen=True)
class ProjectExplanation:
    """Why one project was or was not funded, with the figures behind it.

    `stage`: where it was funded (or, for a project not funded, the last stage that looked at it).
    `round`: the equal-shares round, or its place in the greedy order, in which it was funded.
    `payment`: what each supporter who could afford it paid (equal shares).
    `full_payers` / `partial_payers` / `empty_supporters`: supporters who paid `payment`, who paid
    all they had left because it was less, and who had nothing left.
    `supporters_money_left`: for a project equal shares did not fund, what its supporters had left
    between them when the method stopped.
    `remaining_budget`: for a greedy step, the budget left when the project's turn came."""

    project: str
    cost: Fraction
    approvals: int
    funded: bool
    reason: Reason
    stage: Stage
    round: int | None = None
    payment: Fraction | None = None
    full_payers: int = 0
    partial_payers: int = 0
    empty_supporters: int = 0
    supporters_money_left: Fraction | None = None
    remaining_budget: Fraction | None = None
    considered_by_completion: bool = False

    @property
    def message(self) -> str:
        return explain(self)


@dataclass(frozen=True)
class BudgetingResult:
    """`funded` in the order the rule funded them; `explanations` for every project, in listing
    order. For equal shares, `voter_share` is the share each voter held in the run that was kept
    and `share_raises` how many times it was raised by the increment."""

    rule: str
    budget: Fraction
    funded: tuple[str, ...]
    spent: Fraction
    explanations: dict[str, ProjectExplanation]
    voter_share: Fraction | None = None
    share_raises: int = 0
    runs: int = 0

    @property
    def funded_set(self) -> frozenset[str]:
        return frozenset(self.funded)

    @property
    def left_over(self) -> Fraction:
        return self.budget - self.spent


def explain(item: ProjectExplanation) -> str:
    """The sentence a results page shows for one project."""
    figures = {
        "round": item.round,
        "supporters": item.full_payers + item.partial_payers + item.empty_supporters,
        "payment": format_amount(item.payment) if item.payment is not None else "",
        "full": item.full_payers,
        "partial": item.partial_payers + item.empty_supporters,
        "approvals": item.approvals,
        "cost": format_amount(item.cost),
        "left": format_amount(item.supporters_money_left or Fraction(0)),
        "remaining": format_amount(item.remaining_budget or Fraction(0)),
    }
    if item.reason == Reason.FUNDED_EQUAL_SHARES:
        if figures["partial"]:
            return (
                _(
                    "Funded in round %(round)s of equal shares: %(full)s of its %(supporters)s "
                    "supporters paid %(payment)s each and %(partial)s paid all they had left."
                )
                % figures
            )
        return (
            _(
                "Funded in round %(round)s of equal shares: its %(supporters)s supporters paid "
                "%(payment)s each."
            )
            % figures
        )
    if item.reason == Reason.FUNDED_BY_APPROVALS:
        if item.stage == Stage.COMPLETION:
            return (
                _(
                    "Funded in the completion: %(remaining)s of the budget remained after equal "
                    "shares, and with %(approvals)s approvals it came next among the projects that "
                    "still fitted."
                )
                % figures
            )
        return (
            _(
                "Funded: with %(approvals)s approvals it came next among the projects that still "
                "fitted (%(remaining)s of the budget remained)."
            )
            % figures
        )
    if item.reason == Reason.DID_NOT_FIT:
        return (
            _(
                "Not funded: when its turn came only %(remaining)s of the budget remained, less "
                "than its cost of %(cost)s."
            )
            % figures
        )
    completion = ""
    if item.considered_by_completion:
        completion = " " + str(
            _("The completion found no room: only %(remaining)s of the budget remained.") % figures
        )
    if item.reason == Reason.NO_APPROVALS:
        return str(_("Not funded: nobody approved it.")) + completion
    return (
        str(
            _(
                "Not funded: its supporters had %(left)s left between them, less than its cost of "
                "%(cost)s."
            )
            % figures
        )
        + completion
    )


# --- greedy by approvals ------------------------------------------------------------------------


def _greedy_order(election: Election, approvals: Mapping[str, int]) -> list[str]:
    # The reference's key: approvals (0 for a project of cost 0), most first; then the name.
    return sorted(
        election.costs,
        key=lambda name: (-(approvals[name] if election.costs[name] > 0 else 0), name),
    )


def _greedy_fill(
    election: Election,
    approvals: Mapping[str, int],
    already: Sequence[str],
    stage: Stage,
    explanations: dict[str, ProjectExplanation],
) -> list[str]:
    taken = set(already)
    remaining = election.budget - sum((election.costs[name] for name in already), Fraction(0))
    funded = []
    for name in _greedy_order(election, approvals):
        if name in taken:
            continue
        cost = election.costs[name]
        previous = explanations.get(name)
        if cost <= remaining:
            funded.append(name)
            explanations[name] = ProjectExplanation(
                project=name,
                cost=cost,
                approvals=approvals[name],
                funded=True,
                reason=Reason.FUNDED_BY_APPROVALS,
                stage=stage,
                round=len(already) + len(funded),
                remaining_budget=remaining,
            )
            remaining -= cost
        elif previous is not None:
            explanations[name] = replace(
                previous, considered_by_completion=True, remaining_budget=remaining
            )
        else:
            explanations[name] = ProjectExplanation(
                project=name,
                cost=cost,
                approvals=approvals[name],
                funded=False,
                reason=Reason.DID_NOT_FIT,
                stage=stage,
                remaining_budget=remaining,
            )
    return funded


def greedy_by_approvals(election: Election) -> BudgetingResult:
    """Fund the most-approved project that still fits, then the next, until nothing fits."""
    approvals = election.approvals()
    explanations: dict[str, ProjectExplanation] = {}
    funded = _greedy_fill(election, approvals, (), Stage.GREEDY, explanations)
    return BudgetingResult(
        rule="greedy",
        budget=election.budget,
        funded=tuple(funded),
        spent=sum((election.costs[name] for name in funded), Fraction(0)),
        explanations={name: explanations[name] for name in election.costs},
    )


# --- the Method of Equal Shares -------------------------------------------------------------------


@dataclass
class _Project:
    name: str
    cost: Fraction
    supporters: list[int]  # voter numbers
    classes_of: Callable[[list[int]], tuple[int, ...]]  # picks the supporters' classes out


@dataclass
class _Run:
    share: Fraction
    funded: list[str] = field(default_factory=list)
    spent: Fraction = Fraction(0)
    rounds: dict[str, tuple[int, Fraction, int, int, int]] = field(default_factory=dict)
    unfunded: list[_Project] = field(default_factory=list)
    final_state: tuple[list[int], dict[int, int], int] | None = None

    def money_left(self) -> dict[str, Fraction]:
        """What the supporters of each project the method did not fund had left between them."""
        if self.final_state is None:
            return {}
        class_of, values, scale = self.final_state
        left = {}
        for project in self.unfunded:
            counts = Counter(project.classes_of(class_of))
            left[project.name] = Fraction(
                sum(values[number] * how_many for number, how_many in counts.items()), scale
            )
        return left


def _picker(numbers: list[int]) -> Callable[[list[int]], tuple[int, ...]]:
    if len(numbers) == 1:
        only = numbers[0]
        return lambda values: (values[only],)
    return itemgetter(*numbers)


class _EqualShares:
    """The projects and voters of one election, prepared once for every run completion needs.

    Voters who hold the same money form a class. Each voter points at a class; each class's
    money is an integer over one common denominator `scale` shared by every amount in the run,
    multiplied up when a payment needs a finer one. Exact, and the work per project is a count
    of its supporters' classes (done in C) and a walk over those classes, not over voters."""

    def __init__(self, election: Election):
        self.election = election
        self.voter_count = len(election.ballots)
        approvals = election.approvals()
        # Only approved projects with a positive cost take part (cost utilities: a project of cost
        # 0 is worth 0 to everyone). Voters who approve none of them play no part either.
        eligible = {
            name for name, cost in election.costs.items() if cost > 0 and approvals[name] > 0
        }
        members: dict[str, list[int]] = {name: [] for name in election.costs if name in eligible}
        voter = 0
        everything = len(eligible) == len(election.costs)
        for ballot in election.ballots:
            relevant = ballot if everything else ballot & eligible
            if not relevant:
                continue
            for name in relevant:
                members[name].append(voter)
            voter += 1
        self.voters_with_support = voter
        self.projects = [
            _Project(
                name=name,
                cost=election.costs[name],
                supporters=numbers,
                classes_of=_picker(numbers),
            )
            for name, numbers in members.items()
        ]

    def run(self, share: Fraction) -> _Run:
        result = _Run(share=share)
        projects = self.projects
        scale = share.denominator
        for project in projects:
            scale = lcm(scale, project.cost.denominator)
        costs = [p.cost.numerator * (scale // p.cost.denominator) for p in projects]
        # Classes that still have voters: their money, and how many voters they have. Class 0
        # is everyone at the start; class 1, created when needed, is the voters left with
        # nothing (who never pay again, so they need no more than one class).
        values = {0: share.numerator * (scale // share.denominator)}
        sizes = {0: self.voters_with_support}
        next_class = 2
        class_of = [0] * self.voters_with_support

        # The price per unit of utility each project last needed (payment ÷ cost): it can only
        # rise, so a project whose last price is above the best price found this round is
        # skipped, exactly as the reference skips it.
        bound: list[Fraction] = [Fraction(1, len(p.supporters)) for p in projects]
        bound_float: list[float] = [float(b) for b in bound]
        alive = list(range(len(projects)))
        dead: list[int] = []

        round_number = 0
        while alive:
            best: Fraction | None = None
            tied: list[int] = []
            looked_at: dict[int, tuple[int, int, Counter[int]]] = {}
            for index in sorted(alive, key=bound_float.__getitem__):
                if best is not None and bound[index] > best:
                    continue
                project = projects[index]
                counts = Counter(project.classes_of(class_of))
                payment = _payment(counts, values, costs[index], len(project.supporters))
                if payment is None:  # its supporters cannot pay for it any more: never again
                    alive.remove(index)
                    dead.append(index)
                    continue
                numerator, denominator = payment
                price = Fraction(numerator, denominator * costs[index])
                bound[index] = price
                bound_float[index] = float(price)
                looked_at[index] = (numerator, denominator, counts)
                if best is None or price < best:
                    best = price
                    tied = [index]
                elif price == best:
                    tied.append(index)
            if not tied:
                break
            chosen = min(tied, key=lambda index: projects[index].name)
            project = projects[chosen]
            numerator, denominator, counts = looked_at[chosen]
            divisor = gcd(numerator, denominator)
            numerator //= divisor
            denominator //= divisor
            round_number += 1
            alive.remove(chosen)
            payment_as_fraction = Fraction(numerator, denominator * scale)
            if denominator != 1:
                values = {number: value * denominator for number, value in values.items()}
                costs = [cost * denominator for cost in costs]
                scale *= denominator

            # Each supporter gives the payment, or all they have left if that is less. Every
            # move is decided on the classes as they were before paying.
            full = partial = empty = 0
            moves = {}
            created: dict[int, int] = {}
            for number, how_many in counts.items():
                value = values[number]
                if value == 0:
                    empty += how_many
                    moves[number] = number
                    continue
                if value >= numerator:
                    full += how_many
                    left = value - numerator
                else:
                    partial += how_many
                    left = 0
                if left == 0:
                    target = 1
                    values.setdefault(1, 0)
                else:
                    target = created.get(left)
                    if target is None:
                        target = created[left] = next_class
                        next_class += 1
                        values[target] = left
                moves[number] = target
                sizes[target] = sizes.get(target, 0) + how_many
                sizes[number] -= how_many
                if not sizes[number]:
                    del sizes[number], values[number]
            supporters = project.supporters
            list(
                map(
                    class_of.__setitem__,
                    supporters,
                    map(moves.__getitem__, project.classes_of(class_of)),
                )
            )
            result.funded.append(project.name)
            result.spent += project.cost
            result.rounds[project.name] = (round_number, payment_as_fraction, full, partial, empty)

        result.unfunded = [projects[index] for index in alive + dead]
        result.final_state = (class_of, values, scale)
        return result

    def is_exhaustive(self, run: _Run) -> bool:
        """No approved project outside the result would still fit the real budget."""
        room = self.election.budget - run.spent
        funded = set(run.funded)
        return not any(p.cost <= room for p in self.projects if p.name not in funded)


def _payment(
    counts: Counter[int], values: dict[int, int], cost: int, payers: int
) -> tuple[int, int] | None:
    """The payment (numerator, denominator) with which supporters in these classes raise `cost`:
    the poorest give all they have, the others the same amount each; None if they cannot.

    Walking the classes from the poorest, the first whose members can each give an equal share
    of what the poorer ones could not cover is where the payers start (the reference makes the
    same test voter by voter; voters with the same money always pass or fail it together)."""
    if len(counts) == 1:
        (number,) = counts
        if values[number] * payers >= cost:
            return cost, payers
        return None
    amounts = list(map(values.__getitem__, counts))
    sizes = list(counts.values())
    if sum(map(mul, amounts, sizes)) < cost:
        return None
    # Everyone pays cost ÷ payers; those who hold less give all they have and the rest share
    # what they could not cover; repeat until nobody else falls short (the payment only rises,
    # and the fixed point is the payment the reference finds by walking the sorted supporters).
    numerator, denominator = cost, payers
    rich = list(zip(amounts, sizes, strict=True))
    while True:
        poor = [pair for pair in rich if pair[0] * denominator < numerator]
        if not poor:
            return numerator, denominator
        rich = [pair for pair in rich if pair[0] * denominator >= numerator]
        numerator -= sum(amount * size for amount, size in poor)
        denominator -= sum(size for _, size in poor)


def equal_shares(
    election: Election,
    *,
    increment: int | Fraction | None = 1,
    complete: bool = True,
) -> BudgetingResult:
    """The Method of Equal Shares; by default with the completion of REFERENCES §7.

    `increment=None` runs the method once with the plain shares (budget ÷ ballots);
    `complete=False` leaves out the greedy fill at the end."""
    approvals = election.approvals()
    method = _EqualShares(election)
    runs = 0
    raises = 0
    if method.voter_count == 0:
        kept = _Run(share=Fraction(0))
    else:
        share = election.budget / method.voter_count
        step = None if increment is None else as_amount(increment)
        if step is not None and step <= 0:
            raise ValueError("the increment must be positive")
        kept = method.run(share)
        runs = 1
        if step is not None:
            while not method.is_exhaustive(kept):
                attempt = method.run(kept.share + step)
                runs += 1
                if attempt.spent > election.budget:
                    break
                kept = attempt
                raises += 1

    explanations: dict[str, ProjectExplanation] = {}
    money_left = kept.money_left()
    for name, cost in election.costs.items():
        if name in kept.rounds:
            round_number, payment, full, partial, empty = kept.rounds[name]
            explanations[name] = ProjectExplanation(
                project=name,
                cost=cost,
                approvals=approvals[name],
                funded=True,
                reason=Reason.FUNDED_EQUAL_SHARES,
                stage=Stage.EQUAL_SHARES,
                round=round_number,
                payment=payment,
                full_payers=full,
                partial_payers=partial,
                empty_supporters=empty,
            )
        elif name in money_left:
            explanations[name] = ProjectExplanation(
                project=name,
                cost=cost,
                approvals=approvals[name],
                funded=False,
                reason=Reason.SHARES_TOO_SMALL,
                stage=Stage.EQUAL_SHARES,
                supporters_money_left=money_left[name],
            )
        else:
            # Nobody approved it (or it costs nothing, which is worth nothing to anyone).
            explanations[name] = ProjectExplanation(
                project=name,
                cost=cost,
                approvals=approvals[name],
                funded=False,
                reason=Reason.NO_APPROVALS if approvals[name] == 0 else Reason.SHARES_TOO_SMALL,
                stage=Stage.EQUAL_SHARES,
                supporters_money_left=Fraction(0),
            )
    funded = list(kept.funded)
    if complete:
        funded += _greedy_fill(election, approvals, funded, Stage.COMPLETION, explanations)
    return BudgetingResult(
        rule="equal_shares",
        budget=election.budget,
        funded=tuple(funded),
        spent=sum((election.costs[name] for name in funded), Fraction(0)),
        explanations={name: explanations[name] for name in election.costs},
        voter_share=kept.share,
        share_raises=raises,
        runs=runs,
    )
