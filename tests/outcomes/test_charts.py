"""Progress: the accessible SVG chart, the data table and the plain-language summary, for a
hand-made series of check-ins made through the real services (their dates set by hand), on the
staff page and in the person's own pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from fractions import Fraction

import pytest

from hearth.accounts.models import Role
from hearth.outcomes import charts, services, views
from hearth.outcomes.models import CheckIn
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Purpose
from tests.conftest import sign_in
from tests.factories import MembershipFactory, NetworkMembershipFactory, TOTPDeviceFactory
from tests.people.factories import make_person

pytestmark = pytest.mark.django_db

PASSPHRASE = "quiet harbour lamp 42"


def who5(total: int) -> dict:
    """WHO-5 answers adding up to `total` (0-25)."""
    answers, left = {}, total
    for n in range(1, 6):
        answers[f"who5_{n}"] = min(5, left)
        left -= answers[f"who5_{n}"]
    return answers


# (date, answers): 40 %, 52 %, one with a question skipped, 48 %, 36 %.
WHO5_SERIES = [
    (datetime(2025, 1, 6, 10, tzinfo=UTC), who5(10)),
    (datetime(2025, 2, 3, 10, tzinfo=UTC), who5(13)),
    (datetime(2025, 2, 17, 10, tzinfo=UTC), {"who5_1": 3, "who5_2": 2}),
    (datetime(2025, 3, 3, 10, tzinfo=UTC), who5(12)),
    (datetime(2025, 3, 31, 10, tzinfo=UTC), who5(9)),
]
# GAD-7 (lower is better): 10, then 5 — down 5, at least the 4 that counts as meaningful.
GAD7_SERIES = [
    (
        datetime(2025, 1, 13, 10, tzinfo=UTC),
        {f"gad7_{n}": v for n, v in enumerate([2, 2, 2, 1, 1, 1, 1], 1)},
    ),
    (
        datetime(2025, 3, 10, 10, tzinfo=UTC),
        {f"gad7_{n}": v for n, v in enumerate([1, 1, 1, 1, 1, 0, 0], 1)},
    ),
]
# Brief Resilience Scale: no published threshold, so change is not judged. Means 3 and 19/6.
BRS_SERIES = [
    (datetime(2025, 1, 20, 10, tzinfo=UTC), {f"brs_{n}": 3 for n in range(1, 7)}),
    (
        datetime(2025, 2, 24, 10, tzinfo=UTC),
        {f"brs_{n}": v for n, v in enumerate([4, 3, 3, 3, 3, 3], 1)},
    ),
]


class Series:
    def __init__(self):
        self.organization = NetworkMembershipFactory().organization
        membership = MembershipFactory(organization=self.organization, role=Role.PRACTITIONER)
        self.staff = membership.user
        TOTPDeviceFactory(user=self.staff)
        self.person = make_person(self.organization, by=self.staff, name="Robin")
        program = services.program_create(
            actor=MembershipFactory(organization=self.organization, role=Role.ADMIN).user,
            organization=self.organization,
            name="Wellbeing circle",
        )
        self.enrolment = services.enrolment_start(
            actor=self.staff, program=program, person_id=self.person.id
        )
        for code, series in (("who-5", WHO5_SERIES), ("gad-7", GAD7_SERIES), ("brs", BRS_SERIES)):
            for when, answers in series:
                check_in = services.checkin_start_by_staff(
                    actor=self.staff, enrolment=self.enrolment, instrument=code
                )
                services.checkin_complete(
                    check_in_id=check_in.pk, answers=answers, actor=self.staff
                )
                CheckIn.objects.filter(pk=check_in.pk).update(completed_at=when)

    def record(self):
        return access.access_person(
            user=self.staff,
            organization=self.organization,
            person_id=self.person.id,
            purpose=Purpose.CARE,
        )


@pytest.fixture
def series():
    return Series()


def rows_of(measure):
    return [
        (row.date_label, row.score_label, row.band_label, row.change, row.difference_label)
        for row in measure.rows
    ]


def test_the_table_rows_and_marks_of_a_hand_made_series(series):
    measures = views.progress(services.check_ins_of(series.record()), own=False)

    assert [m.instrument.code for m in measures] == ["who-5", "gad-7", "brs"]
    who, gad, brs = measures
    assert rows_of(who) == [
        ("6 Jan 2025", "40", "Lower wellbeing lately", "", ""),
        ("3 Feb 2025", "52", "Wellbeing holding up", "improvement", "+12"),
        ("17 Feb 2025", "", "", "", ""),
        ("3 Mar 2025", "48", "Lower wellbeing lately", "no-meaningful-change", "\u22124"),
        ("31 Mar 2025", "36", "Lower wellbeing lately", "deterioration", "\u221212"),
    ]
    assert [row.scored for row in who.rows] == [True, True, False, True, True]
    assert [row.change_label for row in who.rows] == [
        "",
        "Meaningful improvement",
        "",
        "No meaningful change",
        "Meaningful deterioration",
    ]
    assert rows_of(gad) == [
        ("13 Jan 2025", "10", "Noticeable worry or tension", "", ""),
        ("10 Mar 2025", "5", "Some worry or tension lately", "improvement", "\u22125"),
    ]
    assert rows_of(brs) == [
        ("20 Jan 2025", "3", "Bouncing back steadily", "", ""),
        ("24 Feb 2025", "3.2", "Bouncing back steadily", "not-judged", "+0.2"),
    ]
    assert brs.rows[1].change_label == (
        "Not judged: this measure has no published threshold for meaningful change"
    )


def test_the_plain_language_summary_for_staff_and_for_the_person(series):
    rows = services.check_ins_of(series.record())

    staff = views.progress(rows, own=False)[0].summary
    own = views.progress(rows, own=True)[0].summary

    assert staff == [
        "They have 4 scored WHO-5 check-ins, from 6 Jan 2025 to 31 Mar 2025.",
        "Their latest score is 36: Lower wellbeing lately.",
        "Since the first, it has gone down by 4: no meaningful change.",
        "On this measure, a change of 10 or more counts as meaningful.",
        "Check-ins with a skipped question are kept but have no score (1 so far). "
        "Skipping is always fine.",
    ]
    assert own[:2] == [
        "You have 4 scored WHO-5 check-ins, from 6 Jan 2025 to 31 Mar 2025.",
        "Your latest score is 36: Lower wellbeing lately.",
    ]


def test_the_chart_is_an_image_with_a_title_a_full_description_and_shapes_not_colours(series):
    who = views.progress(services.check_ins_of(series.record()), own=False)[0]
    svg = str(who.chart)

    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert 'aria-labelledby="chart-who-5-title chart-who-5-desc"' in svg
    assert '<title id="chart-who-5-title">WHO-5 Well-Being Index scores over time</title>' in svg
    assert (
        '<desc id="chart-who-5-desc">One point per scored check-in, in date order. Scores from '
        "0 to 100; higher is better. 6 Jan 2025: 40; 3 Feb 2025: 52 (Meaningful improvement); "
        "3 Mar 2025: 48 (No meaningful change); 31 Mar 2025: 36 (Meaningful deterioration)."
        "</desc>"
    ) in svg
    # One mark per scored check-in, each kind a different shape, then the legend's.
    assert re.findall(r'data-mark="([a-z-]+)"', svg) == [
        "first",
        "improvement",
        "no-meaningful-change",
        "deterioration",
        "improvement",
        "deterioration",
        "no-meaningful-change",
    ]
    assert svg.count("<path") == 2  # the improvement diamond, and its legend
    assert svg.count("<rect") == 2  # the deterioration square, and its legend
    for value in ("40", "52", "48", "36"):
        assert f'font-weight="bold">{value}</text>' in svg
    for legend in ("Meaningful improvement", "Meaningful deterioration", "No meaningful change"):
        assert f">{legend}</text>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_y_ticks_are_round_and_keep_both_ends():
    assert charts.y_ticks(Fraction(0), Fraction(100)) == [0, 20, 40, 60, 80, 100]
    assert charts.y_ticks(Fraction(0), Fraction(27)) == [0, 10, 20, 27]
    assert charts.y_ticks(Fraction(1), Fraction(5)) == [1, 2, 3, 4, 5]
    assert charts.y_ticks(Fraction(3), Fraction(9)) == [3, 4, 6, 8, 9]


def test_the_chart_of_one_point_has_no_line_and_escapes_text():
    svg = str(
        charts.line_chart(
            chart_id="x",
            title="<b>Title</b>",
            description="A & B",
            points=[charts.Point(date_label="1 Jan", value=Fraction(7))],
            low=Fraction(0),
            high=Fraction(10),
            axis_label="Scores",
        )
    )

    assert "<polyline" not in svg
    assert "&lt;b&gt;Title&lt;/b&gt;" in svg and "A &amp; B" in svg


def test_the_staff_page_and_the_persons_page_show_the_same_series(client, series):
    token = people_services.portal_invitation_create(
        actor=series.staff, organization=series.organization, person_id=series.person.id
    )
    people_services.portal_account_create(
        token=token, sign_in_name="robin-river", passphrase=PASSPHRASE
    )

    staff = sign_in(client, series.staff).get(
        f"/organizations/{series.organization.slug}/people/{series.person.id}/progress/"
    )
    client.logout()
    client.post("/me/sign-in/", {"sign_in_name": "robin-river", "passphrase": PASSPHRASE})
    own = client.get("/me/progress/")

    for response in (staff, own):
        body = response.content.decode()
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        table = body.split('data-measure="who-5"')[1].split("</table>")[0]
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', table, re.S)
        ]
        assert cells[0:4] == [
            "6 Jan 2025",
            "40",
            "Lower wellbeing lately Lower wellbeing over the last two weeks; worth talking "
            "about, along with what gives you energy and interest.",
            "The first scored check-in: nothing to compare with yet",
        ]
        assert cells[4:8:3] == ["3 Feb 2025", "Meaningful improvement (+12)"]
        assert cells[8:12] == [
            "17 Feb 2025",
            "Not scored",
            "A question was skipped, so this check-in has no score. That is fine.",
            "\u2013",
        ]
        assert cells[15] == "No meaningful change (\u22124)"
        assert cells[19] == "Meaningful deterioration (\u221212)"
        assert 'role="img"' in body
    assert "They have 4 scored WHO-5 check-ins" in staff.content.decode()
    assert "You have 4 scored WHO-5 check-ins" in own.content.decode()
