"""What Hearth publishes about outcomes: the program report for an organization's admins, the
public impact page of a network, and the same figures as DHIS2 `dataValueSets` (JSON and CSV).

Everything here is an aggregate that has passed `hearth.core.suppression`: counts below the
threshold are hidden with their complements, and anything derived from a hidden count (a share,
a mean) is hidden with it. The export carries exactly the page's published cells; a hidden cell
is left out of the export, never sent as empty or zero.

The impact page uses fixed periods — a calendar year and its quarters — so that nobody can
narrow a period day by day and read a small difference between two published figures.

The figures, per network and year:

- people served: people held by the network's organizations whose records were active in the
  year (created before its end, last activity on or after its start) — erased people's
  tombstones included, so an erasure does not change what was served — by kind of
  organization;
- referrals completed: referrals received by the network's organizations that reached
  `completed` in the year, by quarter;
- wellbeing (WHO-5): the program report's logic over every program of the network's
  organizations — first and last score of each participant in each program in the year —
  as people who improved, did not change meaningfully, or deteriorated by at least the
  instrument's meaningful change (10 points), and people measured once so far; a person
  measured in two programs counts in each (scores are filed per program, under a pseudonym).

DHIS2 data elements (codes; import with `idScheme=CODE`, or map them to your own UIDs):

| data element | category option combos | period |
| --- | --- | --- |
| `HEARTH_PEOPLE_SERVED_TOTAL` | `default` | year (`2026`) |
| `HEARTH_PEOPLE_SERVED` | `HEARTH_KIND_<KIND>` per kind of organization | year |
| `HEARTH_REFERRALS_COMPLETED_TOTAL` | `default` | year |
| `HEARTH_REFERRALS_COMPLETED` | `default` | quarter (`2026Q1`) |
| `HEARTH_WHO5_PEOPLE_MEASURED` | `default` | year |
| `HEARTH_WHO5_CHANGE` | `HEARTH_IMPROVED`, `HEARTH_NO_MEANINGFUL_CHANGE`, | year |
| | `HEARTH_DETERIORATED`, `HEARTH_MEASURED_ONCE` | |
| `HEARTH_WHO5_MEAN_CHANGE` | `default` (points on the 0-100 scale; one decimal) | year |

The organisation unit is the network's slug (its code in DHIS2)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractQuarter
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import Membership, Network, Organization, Role
from hearth.core import audit
from hearth.core.suppression import Table, is_publishable, suppress, threshold
from hearth.people.models import Person
from hearth.referrals.models import Referral, Status

from . import instruments, selectors
from .models import PrivateRelease, Program

WELLBEING_INSTRUMENT = "who-5"
QUARTERS = (
    (1, _("January to March")),
    (2, _("April to June")),
    (3, _("July to September")),
    (4, _("October to December")),
)
WELLBEING_ROWS = ("improved", "unchanged", "deteriorated", "once")
WELLBEING_LABELS = {
    "improved": _("Felt meaningfully better"),
    "unchanged": _("No meaningful change"),
    "deteriorated": _("Felt meaningfully worse"),
    "once": _("Measured once so far"),
}
WELLBEING_OPTION_COMBOS = {
    "improved": "HEARTH_IMPROVED",
    "unchanged": "HEARTH_NO_MEANINGFUL_CHANGE",
    "deteriorated": "HEARTH_DETERIORATED",
    "once": "HEARTH_MEASURED_ONCE",
}
DEFAULT_OPTION_COMBO = "default"
CSV_HEADER = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)


# --- periods ---------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of the year and of the next, in Hearth's time zone."""
    zone = timezone.get_current_timezone()
    return (
        datetime(year, 1, 1, tzinfo=zone),
        datetime(year + 1, 1, 1, tzinfo=zone),
    )


def years_for(network: Network) -> list[int]:
    """The years a network's impact can be asked for, newest first."""
    current = timezone.localdate().year
    first = min(timezone.localtime(network.created_at).year, current)
    first = max(first, current - 20)
    return list(range(current, first - 1, -1))


# --- the public impact page ------------------------------------------------------------------


def network_for_public(slug: str) -> Network:
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise Http404
    return network


@dataclass(frozen=True)
class Impact:
    network: Network
    year: int
    since: datetime
    until: datetime
    threshold: int
    kinds: list[str]  # organization kinds, the rows of people_served
    people_served: Table
    referrals_completed: Table  # quarters
    wellbeing: Table  # WELLBEING_ROWS
    wellbeing_mean_change: float | None
    wellbeing_improved_share: int | None
    meaningful_change: float

    @property
    def people_served_total(self) -> int | None:
        return self.people_served.grand_total()

    @property
    def referrals_completed_total(self) -> int | None:
        return self.referrals_completed.grand_total()

    @property
    def wellbeing_measured(self) -> int | None:
        return self.wellbeing.grand_total()


def _members(network: Network):
    return Organization.objects.filter(network_memberships__network=network)


def _people_served(network: Network, since: datetime, until: datetime) -> tuple[list[str], Table]:
    kinds_present = set(_members(network).values_list("kind", flat=True))
    kinds = [kind for kind in Organization.Kind.values if kind in kinds_present]
    counts = dict(
        Person.objects.filter(
            holder__in=_members(network), created_at__lt=until, last_activity_at__gte=since
        )
        .values_list("holder__kind")
        .annotate(people=Count("id"))
        .order_by()
    )
    return kinds, suppress(kinds, ["people"], [[counts.get(kind, 0)] for kind in kinds])


def _referrals_completed(network: Network, since: datetime, until: datetime) -> Table:
    counts = dict(
        Referral.objects.filter(
            receiving_organization__in=_members(network),
            status=Status.COMPLETED,
            closed_at__gte=since,
            closed_at__lt=until,
        )
        .annotate(quarter=ExtractQuarter("closed_at"))
        .values_list("quarter")
        .annotate(referrals=Count("id"))
        .order_by()
    )
    return suppress(
        [str(number) for number, _label in QUARTERS],
        ["referrals"],
        [[counts.get(number, 0)] for number, _label in QUARTERS],
    )


@dataclass(frozen=True)
class WellbeingFigures:
    measured: int
    follow_up: int
    improved: int
    deteriorated: int
    change_sum: float  # sum of every follow-up's change, for a mean across programs

    @property
    def unchanged(self) -> int:
        return self.follow_up - self.improved - self.deteriorated


def wellbeing_figures(
    programs, *, since: datetime, until: datetime, code: str = WELLBEING_INSTRUMENT
) -> WellbeingFigures:
    """The program report's raw figures for one instrument, added up over several programs —
    before suppression, for the caller to suppress once over the total."""
    measured = follow_up = improved = deteriorated = 0
    change_sum = 0.0
    for program in programs:
        (
            _instrument,
            _threshold,
            program_follow_up,
            mean_change,
            program_improved,
            program_worse,
            program_measured,
        ) = selectors._figures(program, code, since, until)
        measured += program_measured
        follow_up += program_follow_up
        improved += program_improved
        deteriorated += program_worse
        if program_follow_up and mean_change is not None:
            change_sum += mean_change * program_follow_up
    return WellbeingFigures(measured, follow_up, improved, deteriorated, change_sum)


def wellbeing_table(figures: WellbeingFigures) -> Table:
    return suppress(
        list(WELLBEING_ROWS),
        ["people"],
        [
            [figures.improved],
            [figures.unchanged],
            [figures.deteriorated],
            [figures.measured - figures.follow_up],
        ],
    )


def network_impact(network: Network, *, year: int) -> Impact:
    """Every figure of a network's public impact page for a calendar year, suppressed."""
    since, until = year_bounds(year)
    kinds, people = _people_served(network, since, until)
    programs = Program.objects.filter(organization__in=_members(network)).order_by("pk")
    figures = wellbeing_figures(programs, since=since, until=until)
    wellbeing = wellbeing_table(figures)
    changes_published = all(wellbeing.value(row, 0) is not None for row in range(3))
    instrument = instruments.get(WELLBEING_INSTRUMENT)
    return Impact(
        network=network,
        year=year,
        since=since,
        until=until,
        threshold=threshold(),
        kinds=kinds,
        people_served=people,
        referrals_completed=_referrals_completed(network, since, until),
        wellbeing=wellbeing,
        wellbeing_mean_change=(
            round(figures.change_sum / figures.follow_up, 1)
            if figures.follow_up and is_publishable(figures.follow_up)
            else None
        ),
        wellbeing_improved_share=(
            round(100 * figures.improved / figures.follow_up)
            if figures.follow_up and is_publishable(figures.follow_up) and changes_published
            else None
        ),
        meaningful_change=float(instrument.meaningful_change or 0),
    )


# --- DHIS2 dataValueSets ---------------------------------------------------------------------


def data_values(impact: Impact) -> list[dict[str, str]]:
    """The impact figures as DHIS2 data values; a suppressed value is left out."""
    org_unit = impact.network.slug
    year = str(impact.year)
    values: list[dict[str, str]] = []

    def add(element: str, period: str, combo: str, value: Any) -> None:
        if value is None:
            return
        values.append(
            {
                "dataElement": element,
                "period": period,
                "orgUnit": org_unit,
                "categoryOptionCombo": combo,
                "value": str(value),
            }
        )

    add("HEARTH_PEOPLE_SERVED_TOTAL", year, DEFAULT_OPTION_COMBO, impact.people_served_total)
    for row, kind in enumerate(impact.kinds):
        add(
            "HEARTH_PEOPLE_SERVED",
            year,
            f"HEARTH_KIND_{kind.upper()}",
            impact.people_served.value(row, 0),
        )
    add(
        "HEARTH_REFERRALS_COMPLETED_TOTAL",
        year,
        DEFAULT_OPTION_COMBO,
        impact.referrals_completed_total,
    )
    for row, (number, _label) in enumerate(QUARTERS):
        add(
            "HEARTH_REFERRALS_COMPLETED",
            f"{year}Q{number}",
            DEFAULT_OPTION_COMBO,
            impact.referrals_completed.value(row, 0),
        )
    add("HEARTH_WHO5_PEOPLE_MEASURED", year, DEFAULT_OPTION_COMBO, impact.wellbeing_measured)
    for row, key in enumerate(WELLBEING_ROWS):
        add(
            "HEARTH_WHO5_CHANGE",
            year,
            WELLBEING_OPTION_COMBOS[key],
            impact.wellbeing.value(row, 0),
        )
    add("HEARTH_WHO5_MEAN_CHANGE", year, DEFAULT_OPTION_COMBO, impact.wellbeing_mean_change)
    return values


def data_value_set(impact: Impact) -> dict[str, Any]:
    """The DHIS2 `dataValueSets` JSON document."""
    return {
        "dataElementIdScheme": "CODE",
        "orgUnitIdScheme": "CODE",
        "categoryOptionComboIdScheme": "CODE",
        "dataValues": data_values(impact),
    }


def data_value_set_csv(impact: Impact, *, now: datetime | None = None) -> str:
    """The DHIS2 `dataValueSets` CSV: one header line, then one line per published value."""
    stamp = (now or timezone.now()).strftime("%Y-%m-%dT%H:%M:%S")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for value in data_values(impact):
        writer.writerow(
            [
                value["dataElement"],
                value["period"],
                value["orgUnit"],
                value["categoryOptionCombo"],
                "",
                value["value"],
                "hearth",
                stamp,
                "",
                "false",
            ]
        )
    return buffer.getvalue()


# --- bar charts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | None  # None: hidden
    label_y: int
    bar_y: int
    width: int
    value_x: int


CHART_WIDTH = 560
CHART_BAR_SPACE = 440
CHART_LABEL_HEIGHT = 18
CHART_BAR_HEIGHT = 22
CHART_ROW = CHART_LABEL_HEIGHT + 4 + CHART_BAR_HEIGHT + 14


def bars(
    rows: list[tuple[str, int | float | None]], *, largest: float | None = None
) -> dict[str, Any]:
    """Geometry of a horizontal bar chart drawn on the server (no JavaScript, no inline
    style): each row's label above its bar and the value beside it, a hidden value drawn as no
    bar with the word "hidden"; always shown beside the table with the same numbers. Bars are
    scaled to `largest` (the end of a rating scale), else to the largest value."""
    if largest is None:
        largest = max((value for _label, value in rows if value), default=0)
    drawn = []
    for index, (label, value) in enumerate(rows):
        top = index * CHART_ROW
        width = round(CHART_BAR_SPACE * value / largest) if value and largest else 0
        drawn.append(
            Bar(
                label=str(label),
                value=value,
                label_y=top + CHART_LABEL_HEIGHT - 4,
                bar_y=top + CHART_LABEL_HEIGHT + 4,
                width=width,
                value_x=width + 8,
            )
        )
    return {
        "bars": drawn,
        "height": max(len(rows), 1) * CHART_ROW,
        "width": CHART_WIDTH,
        "bar_height": CHART_BAR_HEIGHT,
        "value_offset": CHART_BAR_HEIGHT - 6,
    }


# --- program reports -------------------------------------------------------------------------


def program_for_admin(user, slug: str, program_id) -> tuple[Organization, Program]:
    """A program of the organization in the address, for one of the organization's admins;
    otherwise not found, the same answer as for a program that does not exist."""
    organization = Organization.objects.filter(slug=slug, is_active=True).first()
    if (
        organization is None
        or not user.is_authenticated
        or not Membership.objects.filter(
            user=user, organization=organization, role=Role.ADMIN
        ).exists()
    ):
        raise Http404
    program = Program.objects.filter(pk=program_id, organization=organization).first()
    if program is None:
        raise Http404
    return organization, program


def program_report_for(
    *, actor, organization: Organization, program: Program, since: datetime, until: datetime
) -> list[selectors.InstrumentReport]:
    """The suppressed program report, with a record of who looked at it and for which period."""
    reports = selectors.program_report(program, since=since, until=until)
    audit.record(
        actor=actor,
        action="hearth.outcomes.report.viewed",
        target=program,
        organization=organization,
        detail={"since": since.date().isoformat(), "until": until.date().isoformat()},
    )
    return reports


# --- differential privacy (optional) ---------------------------------------------------------

EPSILON_CHOICES = ("0.5", "1", "2")
# Adding or removing one person changes exactly one of the three change counts by one (each
# person with a follow-up is in exactly one), so the counts' L1 sensitivity is 1.
CHANGE_COUNTS_SENSITIVITY = 1


def differential_privacy_available() -> bool:
    """OpenDP (PyPI `opendp`, the `dp` extra) is optional; without it no noisy release is
    offered."""
    try:
        import opendp.prelude  # noqa: F401
    except ImportError:
        return False
    return True


def release_measurement(epsilon: float):
    """The OpenDP measurement of a release: discrete Laplace noise of scale 1/ε on the vector of
    three change counts, under the L1 distance. `measurement.map(1)` is the privacy loss of one
    person joining or leaving, which is what a release spends."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int)
    return dp.m.make_laplace(*space, scale=CHANGE_COUNTS_SENSITIVITY / epsilon)


class PrivacyBudgetSpent(Exception):
    """A new noisy release would take the program over its privacy budget: none is made."""

    def __init__(self, *, spent: float, budget: float, asked: float):
        super().__init__(f"spent {spent:g} of {budget:g}; a release would spend {asked:g}")
        self.spent, self.budget, self.asked = spent, budget, asked


@dataclass(frozen=True)
class NoisyRelease:
    epsilon: float  # what the release spent, as OpenDP computes it
    counts: list[int | None]  # improved, unchanged, deteriorated; None below the threshold
    released_at: datetime
    new: bool  # made by this request (the budget was spent now), or kept from before


def noisy_changes(
    report: selectors.InstrumentReport,
    *,
    program: Program,
    since: date,
    until: date,
    epsilon: float,
    actor=None,
) -> NoisyRelease | None:
    """The three change counts of one measure with discrete Laplace noise (OpenDP), spending ε
    of privacy budget once for the three together. The release is kept (`PrivateRelease`), so
    looking again returns the same numbers and spends nothing more; each new release is in the
    audit trail with its ε.

    What is shown follows REFERENCES §9 like the exact figures: a noisy count below the
    suppression threshold (zero and negatives included) is shown as "fewer than N", never as a
    small number — post-processing, which costs no privacy. There is no noisy release where the
    exact report hides the number of people with a follow-up: those are too few for noise to
    say anything true. None when OpenDP is not installed.

    A new release must fit in what is left of the program's privacy budget
    (`Program.privacy_budget`); otherwise PrivacyBudgetSpent, and nothing is released, stored or
    spent. Kept releases show whatever the budget. The program's row is locked while the budget
    is checked and spent, so two releases at once cannot both take the last of it."""
    if not differential_privacy_available() or epsilon <= 0:
        return None
    if report.people_with_follow_up is None:
        return None
    key = {
        "program": program,
        "instrument": report.instrument,
        "since": since,
        "until": until,
        "epsilon": epsilon,
    }
    kept = PrivateRelease.objects.filter(**key).first()
    new = kept is None
    if new:
        measurement = release_measurement(epsilon)
        spent = float(measurement.map(CHANGE_COUNTS_SENSITIVITY))
        with transaction.atomic():
            locked = Program.objects.select_for_update().get(pk=program.pk)
            kept = PrivateRelease.objects.filter(**key).first()
            new = kept is None
            if new:
                so_far = privacy_budget_spent(locked)
                # A hair of tolerance: sums of 0.5s and 1s are exact, but not every float is.
                if so_far + spent > locked.privacy_budget + 1e-9:
                    raise PrivacyBudgetSpent(
                        spent=so_far, budget=locked.privacy_budget, asked=spent
                    )
                counts = [int(row[0]) for row in report.changes.cells]
                kept = PrivateRelease.objects.create(
                    **key, counts=[int(value) for value in measurement(counts)], released_by=actor
                )
                audit.record(
                    actor=actor,
                    action="hearth.outcomes.report.released",
                    target=program,
                    organization=program.organization_id,
                    detail={
                        "instrument": report.instrument,
                        "since": since.isoformat(),
                        "until": until.isoformat(),
                        "epsilon": spent,
                    },
                )
    limit = threshold()
    return NoisyRelease(
        epsilon=kept.epsilon,
        counts=[value if value >= limit else None for value in kept.counts],
        released_at=kept.released_at,
        new=new,
    )


def privacy_budget_spent(program: Program) -> float:
    """The privacy budget every noisy release of the program has spent so far, added up
    (releases for different measures, periods or budgets each spend their own)."""
    return float(
        PrivateRelease.objects.filter(program=program).aggregate(spent=Sum("epsilon"))["spent"] or 0
    )
