"""Acceptance: no published table, chart, page or export contains a non-zero count below the
threshold, and no suppressed cell can be recovered from the others.

A network is built with counts just below, at and above the threshold in every figure — people
served by kind of organization, referrals completed by quarter, wellbeing change across
programs, program reports, the network's self-assessment — and every published page and export
is read back the way a reader would: every count in a table, a chart or a summary, and every
exported value, must be 0 or at least the threshold; in every table (and exported group of
values) with a total, the hidden values among the cells and the total are never exactly one,
so nothing hidden can be worked out by subtraction; and a page's two published counts of the
same people never differ by a small number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from hearth.accounts.models import Organization, Role
from hearth.outcomes import form_services
from hearth.outcomes.models import EvaluationScore, Program
from hearth.referrals import services as referral_services
from hearth.referrals.models import Referral
from tests.conftest import sign_in
from tests.factories import (
    CoordinatorFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkMembershipFactory,
    OrganizationFactory,
    TOTPDeviceFactory,
)
from tests.people.factories import make_person, staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
COUNT_ELEMENTS_EXCEPT = {"HEARTH_WHO5_MEAN_CHANGE"}  # a mean, not a count


# --- reading a page as a reader would ---------------------------------------------------------


@dataclass
class Cell:
    header: bool
    text: str = ""
    hidden: bool = False


class Page(HTMLParser):
    """Tables (cells, and whether each is hidden), chart values and text alternatives, and
    summary lists (term, value, hidden) of a page."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[Cell]]] = []
        self.chart_values: list[str] = []
        self.chart_descriptions: list[str] = []
        self.summary: list[tuple[str, str, bool]] = []
        self._buffer = ""
        self._summary_hidden = False
        self._table = None
        self._cell = None
        self._row = None
        self._text = None
        self._term = None
        self._in = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._table = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell(header=tag == "th")
        elif tag == "span" and "data-hearth-suppressed" in attributes:
            if self._cell is not None:
                self._cell.hidden = True
            if self._in == "dd":
                self._summary_hidden = True
        elif tag == "text" and attributes.get("font-weight") == "bold":
            self._text = ""
        elif tag == "desc":
            self._in = "desc"
            self._buffer = ""
        elif tag == "dt":
            self._in = "dt"
            self._buffer = ""
        elif tag == "dd":
            self._in = "dd"
            self._buffer = ""
            self._summary_hidden = False

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._cell.text = re.sub(r"\s+", " ", self._cell.text).strip()
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "text" and self._text is not None:
            self.chart_values.append(self._text.strip())
            self._text = None
        elif tag == "desc":
            self.chart_descriptions.append(self._buffer)
            self._in = None
        elif tag == "dt":
            self._term = re.sub(r"\s+", " ", self._buffer).strip()
            self._in = None
        elif tag == "dd":
            value = re.sub(r"\s+", " ", self._buffer).strip()
            self.summary.append((self._term, value, self._summary_hidden))
            self._in = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.text += data
        if self._text is not None:
            self._text += data
        if self._in:
            self._buffer += data


def read(response) -> Page:
    assert response.status_code == 200, response.status_code
    page = Page()
    page.feed(response.content.decode())
    return page


def whole_number(text: str) -> int | None:
    text = text.replace(",", "").strip()
    return int(text) if text.isdigit() else None


def safe(value: int, limit: int) -> bool:
    return value == 0 or value >= limit


def check_count_tables(page: Page, limit: int) -> int:
    """Every table with a total row holds counts: each shown count is 0 or at least the
    threshold, and the hidden ones among its cells and total are never exactly one."""
    checked = 0
    for table in page.tables:
        body = [row for row in table if len(row) == 2 and row[0].header and not row[1].header]
        totals = [row for row in body if row[0].text == "Total"]
        if not totals:
            continue
        checked += 1
        [total] = totals
        cells = [row[1] for row in body if row is not total]
        for cell in [*cells, total[1]]:
            if cell.hidden:
                continue
            number = whole_number(cell.text)
            assert number is not None, f"a count that is neither shown nor hidden: {cell.text!r}"
            assert safe(number, limit), f"a small count is published: {number}"
        hidden = sum(cell.hidden for cell in [*cells, total[1]])
        assert hidden != 1, f"one hidden value could be worked out: {[c.text for c in cells]}"
        if not total[1].hidden:
            shown = [whole_number(c.text) for c in cells if not c.hidden]
            # Whatever is hidden adds up to the rest of the total: never a small number alone.
            if hidden:
                rest = whole_number(total[1].text) - sum(shown)
                assert hidden >= 2 or safe(rest, limit)
    return checked


def check_charts(page: Page, limit: int) -> None:
    for text in page.chart_values:
        number = whole_number(text)
        assert number is not None and safe(number, limit), text
    for description in page.chart_descriptions:
        for number in re.findall(r": (\d+)\.", description):
            assert safe(int(number), limit), description


# --- building a network around the threshold -------------------------------------------------


def people(organization, count):
    return [make_person(organization, name=f"P{n}") for n in range(count)]


def completed_referrals(p, count, closed_at):
    made = []
    for _ in range(count):
        referral = refer(p)
        for status in ("accepted", "in-progress", "completed"):
            referral_services.referral_transition(
                actor=p.receiver_staff,
                organization=p.receiver,
                referral_id=referral.pk,
                to_status=status,
            )
        made.append(referral.pk)
    Referral.objects.filter(pk__in=made).update(closed_at=closed_at)


def scores(program, *, improved=0, unchanged=0, deteriorated=0, once=0, prefix=""):
    start = timezone.now() - timedelta(days=3)
    rows = []

    def person(name, first, last=None):
        rows.append(EvaluationScore(pseudonym=name, program=program, instrument="who-5",
                                    score=first, at=start))  # fmt: skip
        if last is not None:
            rows.append(EvaluationScore(pseudonym=name, program=program, instrument="who-5",
                                        score=last, at=start + timedelta(days=1)))  # fmt: skip

    for n in range(improved):
        person(f"{prefix}i{n}", 40, 60)
    for n in range(unchanged):
        person(f"{prefix}u{n}", 50, 52)
    for n in range(deteriorated):
        person(f"{prefix}d{n}", 60, 40)
    for n in range(once):
        person(f"{prefix}o{n}", 50)
    EvaluationScore.objects.bulk_create(rows)


@dataclass
class Built:
    network: object
    programs: list
    admins: dict
    kinds: list[str]


def build(limit: int, *, with_people=True) -> Built:
    """Counts at threshold - 1, threshold and threshold + 1 in every figure."""
    below, at, above = limit - 1, limit, limit + 1
    network = NetworkFactory()
    kinds = [
        Organization.Kind.COMMUNITY_BASED,
        Organization.Kind.PEER_SUPPORT,
        Organization.Kind.WORKER_COOPERATIVE,
    ]
    organizations = [
        NetworkMembershipFactory(network=network, organization=OrganizationFactory(kind=kind))
        .organization
        for kind in kinds
    ]  # fmt: skip
    if with_people:
        for organization, count in zip(organizations, (below, at, above), strict=True):
            people(organization, count)
        p = pair()
        NetworkMembershipFactory(network=network, organization=p.receiver)
        kinds.append(p.receiver.kind)
        for month, count in ((2, below), (5, at), (8, above)):
            completed_referrals(p, count, datetime(YEAR, month, 15, tzinfo=UTC))
    programs = [
        Program.objects.create(organization=organizations[0], name="Below, at and above"),
        Program.objects.create(organization=organizations[1], name="Measured once"),
        Program.objects.create(organization=organizations[2], name="Exactly at"),
    ]
    scores(programs[0], improved=below, unchanged=at, deteriorated=above, once=1, prefix="a")
    scores(programs[1], once=below, prefix="b")
    scores(programs[2], improved=at, prefix="c")
    admins = {}
    for organization in organizations:
        admin = MembershipFactory(organization=organization, role=Role.ADMIN).user
        TOTPDeviceFactory(user=admin)
        admins[organization.pk] = admin
    return Built(network=network, programs=programs, admins=admins, kinds=sorted(set(kinds)))


# --- the test --------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [5, 11])
def test_nothing_published_reveals_a_small_count(client, settings, limit):
    settings.HEARTH_SUPPRESSION_THRESHOLD = limit
    built = build(limit)

    # The public impact page: three tables, three charts.
    impact_page = read(client.get(f"/impact/{built.network.slug}/"))
    assert check_count_tables(impact_page, limit) == 3
    assert any(cell.hidden for table in impact_page.tables for row in table for cell in row)
    check_charts(impact_page, limit)
    assert len(impact_page.chart_descriptions) == 3

    # The DHIS2 exports: every value a count at or above the threshold (or zero), groups with
    # a total never missing exactly one value, and the CSV carrying exactly the same values.
    values = client.get(f"/impact/{built.network.slug}/dataValueSets.json").json()["dataValues"]
    for value in values:
        if value["dataElement"] not in COUNT_ELEMENTS_EXCEPT:
            assert safe(int(value["value"]), limit), value
    present = {(v["dataElement"], v["period"], v["categoryOptionCombo"]) for v in values}
    year = str(YEAR)
    groups = [
        (
            ("HEARTH_PEOPLE_SERVED_TOTAL", year, "default"),
            [("HEARTH_PEOPLE_SERVED", year, f"HEARTH_KIND_{k.upper()}") for k in built.kinds],
        ),
        (
            ("HEARTH_REFERRALS_COMPLETED_TOTAL", year, "default"),
            [("HEARTH_REFERRALS_COMPLETED", f"{year}Q{q}", "default") for q in range(1, 5)],
        ),
        (
            ("HEARTH_WHO5_PEOPLE_MEASURED", year, "default"),
            [
                ("HEARTH_WHO5_CHANGE", year, combo)
                for combo in (
                    "HEARTH_IMPROVED",
                    "HEARTH_NO_MEANINGFUL_CHANGE",
                    "HEARTH_DETERIORATED",
                    "HEARTH_MEASURED_ONCE",
                )
            ],
        ),
    ]
    for total, members in groups:
        missing = sum(key not in present for key in [total, *members])
        assert missing != 1, (total, missing)
    exported = client.get(f"/impact/{built.network.slug}/dataValueSets.csv").content.decode()
    rows = exported.splitlines()[1:]
    assert sorted(r.split(",")[5] for r in rows) == sorted(v["value"] for v in values)

    # The page and the export publish the same cells: the people served by kind.
    [served_table] = [t for t in impact_page.tables if t[0][0].text == "Kind of organization"]
    shown_on_page = sorted(r[1].text for r in served_table[1:-1] if not r[1].hidden)
    shown_in_export = sorted(
        v["value"] for v in values if v["dataElement"] == "HEARTH_PEOPLE_SERVED"
    )
    assert shown_on_page == shown_in_export

    # Each program report, as its organization's admin sees it.
    for program in built.programs:
        client.logout()
        sign_in(client, built.admins[program.organization_id])
        report = read(
            client.get(f"/organizations/{program.organization.slug}/programs/{program.pk}/report/")
        )
        assert check_count_tables(report, limit) == 1
        counts = {
            term: value
            for term, value, hidden in report.summary
            if term in ("People measured", "People with a baseline and a follow-up") and not hidden
        }
        for value in counts.values():
            assert safe(whole_number(value), limit), value
        if len(counts) == 2:
            measured_once = whole_number(counts["People measured"]) - whole_number(
                counts["People with a baseline and a follow-up"]
            )
            assert safe(measured_once, limit), measured_once


@pytest.mark.parametrize("limit", [3, 5])
def test_the_network_self_assessment_appears_only_at_the_threshold(client, settings, limit):
    settings.HEARTH_SUPPRESSION_THRESHOLD = limit
    network = NetworkFactory()
    coordinator = CoordinatorFactory(network=network).user
    TOTPDeviceFactory(user=coordinator)
    form = form_services.self_assessment_form()
    sign_in(client, coordinator)

    for number in range(limit + 1):
        organization = NetworkMembershipFactory(network=network).organization
        form_services.self_assessment_submit(
            actor=staff(organization, Role.ADMIN),
            organization=organization,
            form=form,
            # Only the first organizations rate "trust": it stays hidden until enough have.
            answers={"safety_1": "4", **({"trust_1": "2"} if number < limit - 1 else {})},
        )
        page = client.get(f"/networks/{network.slug}/self-assessment/").content.decode()
        contributed = number + 1
        if contributed < limit:
            assert "Not enough organizations yet" in page
            assert "Network average score per principle" not in page
        else:
            assert f"Based on {contributed} organizations." in page
            assert "Not enough organizations yet" not in page
            # "trust" was rated by limit - 1 organizations only: not shown.
            assert "not shown: too few organizations rated it" in page
