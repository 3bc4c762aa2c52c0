"""The optional differentially private release of a program report (OpenDP, the `dp` extra):
the stated privacy budget is what OpenDP says the release spends, a release is kept so looking
again spends nothing, the budget spent is added up per program, noisy counts below the
suppression threshold are never shown as small numbers (REFERENCES §9), there is no release where
the exact report hides its total, and without OpenDP the page simply offers none."""

from __future__ import annotations

import re
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.core.models import AuditRecord
from hearth.core.suppression import threshold
from hearth.outcomes import impact, selectors
from hearth.outcomes.models import PrivateRelease
from tests.conftest import sign_in
from tests.outcomes.test_reports import add_scores, program, report_url, table_cells, text_of

pytestmark = pytest.mark.django_db
__all__ = ["program"]  # the fixture, used by name

CAPTION = "WHO-5 Well-Being Index: differentially private counts (epsilon {epsilon})"
EXACT = "WHO-5 Well-Being Index: change from baseline to follow-up"
IMPROVED, UNCHANGED, WORSE = (40, 60), (50, 52), (60, 40)  # WHO-5 %: meaningful change is 10


def who5_report(program):
    now = timezone.now()
    [report] = selectors.program_report(program, since=now - timedelta(days=365), until=now)
    return report


def release(report, program, epsilon, **kwargs):
    today = timezone.localdate()
    return impact.noisy_changes(
        report,
        program=program,
        since=today - timedelta(days=365),
        until=today,
        epsilon=epsilon,
        **kwargs,
    )


@pytest.mark.parametrize("epsilon", impact.EPSILON_CHOICES)
def test_the_measurement_spends_exactly_the_budget_offered(epsilon):
    measurement = impact.release_measurement(float(epsilon))

    # One person joining or leaving moves one count by one: that costs exactly epsilon.
    assert measurement.map(impact.CHANGE_COUNTS_SENSITIVITY) == float(epsilon)
    assert measurement.map(2) == 2 * float(epsilon)


def test_a_release_states_its_budget_spends_it_once_and_adds_up(admin_client, program, admin_user):
    add_scores(program, "who-5", [IMPROVED] * 40 + [UNCHANGED] * 30 + [WORSE] * 25)

    first = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="1")
    )
    again = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="1")
    )

    [kept] = PrivateRelease.objects.all()
    assert (kept.epsilon, kept.instrument, kept.released_by) == (1.0, "who-5", admin_user)
    [logged] = AuditRecord.objects.filter(action="hearth.outcomes.report.released")
    assert logged.detail["epsilon"] == 1.0 and logged.detail["instrument"] == "who-5"
    assert "This release spent a privacy budget of epsilon 1." in text_of(first)
    assert "showing it again spends nothing" in text_of(again)
    shown = table_cells(first, CAPTION.format(epsilon=1))
    assert shown == table_cells(again, CAPTION.format(epsilon=1))  # the same numbers
    assert [label for label, _value in shown] == [
        "Improved meaningfully",
        "No meaningful change",
        "Deteriorated meaningfully",
    ]
    assert [int(value) for _label, value in shown] == kept.counts  # all well above 11
    assert "spent epsilon 1 of its privacy budget of 10 so far" in text_of(again)

    other = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="0.5")
    )

    assert PrivateRelease.objects.count() == 2
    assert impact.privacy_budget_spent(program) == 1.5
    assert "spent epsilon 1.5 of its privacy budget of 10 so far" in text_of(other)
    assert "This release spent a privacy budget of epsilon 0.5." in text_of(other)
    # The exact figures are there too, unchanged.
    assert ("Total", "95") in table_cells(other, EXACT)


def test_a_small_noisy_count_is_never_shown_as_a_number(admin_client, program):
    # Two people deteriorated: exact suppression hides that cell and one more.
    add_scores(program, "who-5", [IMPROVED] * 30 + [UNCHANGED] * 20 + [WORSE] * 2)
    limit = threshold()

    response = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="2")
    )

    [kept] = PrivateRelease.objects.all()
    shown = dict(table_cells(response, CAPTION.format(epsilon=2)))
    # With epsilon 2 (noise of scale 0.5) the released count of 2 stays far below 11: it is
    # kept as released, and shown only as "fewer than 11".
    assert kept.counts[2] < limit
    assert shown["Deteriorated meaningfully"] == f"fewer than {limit}"
    for value in shown.values():
        assert value == f"fewer than {limit}" or int(value) >= limit
    noisy = release(who5_report(program), program, 2.0)
    assert noisy.counts[2] is None and not noisy.new
    assert all(value is None or value >= limit for value in noisy.counts)


@pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
def test_no_released_value_is_a_small_number_whatever_the_noise(program, epsilon):
    # Counts around the threshold, released again for many periods: every value shown is
    # either hidden or at least the threshold, never 1 to 10, never 0, never negative.
    add_scores(program, "who-5", [IMPROVED] * 11 + [UNCHANGED] * 3 + [WORSE] * 1)
    program.privacy_budget = 100  # forty releases
    program.save()
    report = who5_report(program)
    today = timezone.localdate()
    shown = []
    for days in range(40):
        noisy = impact.noisy_changes(
            report,
            program=program,
            since=today - timedelta(days=365 + days),
            until=today,
            epsilon=epsilon,
        )
        shown += noisy.counts

    limit = threshold()
    assert all(value is None or value >= limit for value in shown)
    assert None in shown
    assert impact.privacy_budget_spent(program) == pytest.approx(40 * epsilon)


def test_no_noisy_release_where_the_exact_total_is_hidden(admin_client, program):
    add_scores(program, "who-5", [IMPROVED] * 4 + [WORSE] * 2)

    response = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="1")
    )

    assert "No noisy release for this measure: fewer than 11 people" in text_of(response)
    assert "differentially private counts" not in text_of(response)
    assert release(who5_report(program), program, 1.0) is None
    assert not PrivateRelease.objects.exists()
    assert not AuditRecord.objects.filter(action="hearth.outcomes.report.released").exists()


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter", "viewer"])
def test_only_admins_can_make_a_release(client, program, make_member, role):
    add_scores(program, "who-5", [IMPROVED] * 40 + [UNCHANGED] * 30)
    sign_in(client, make_member(program.organization, role))

    response = client.get(report_url(program.organization, program, release="noisy", epsilon="1"))

    assert response.status_code == 404
    assert "differentially private" not in response.content.decode()
    assert not PrivateRelease.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="hearth.outcomes.report").exists()


@pytest.fixture
def without_opendp(monkeypatch):
    """This installation without the optional library: importing it fails."""
    for name in [name for name in sys.modules if name == "opendp" or name.startswith("opendp.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "opendp", None)
    monkeypatch.setitem(sys.modules, "opendp.prelude", None)


def test_without_opendp_the_page_simply_offers_no_noisy_release(
    admin_client, program, without_opendp
):
    add_scores(program, "who-5", [IMPROVED] * 40 + [UNCHANGED] * 30)
    assert impact.differential_privacy_available() is False

    plain = admin_client.get(report_url(program.organization, program))
    asked = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="1")
    )

    for response in (plain, asked):
        html = response.content.decode()
        assert response.status_code == 200
        assert "Differential privacy" not in html
        assert not re.search(r'name="(release|epsilon)"', html)
        assert "differentially private counts" not in html
        assert "privacy budget" not in html
        assert ("Total", "70") in table_cells(response, EXACT)
    assert release(who5_report(program), program, 1.0) is None
    assert not PrivateRelease.objects.exists()


# --- the program's privacy budget ----------------------------------------------------------------


def test_a_release_that_would_go_over_the_budget_is_refused_and_changes_nothing(
    admin_client, program
):
    add_scores(program, "who-5", [IMPROVED] * 40 + [UNCHANGED] * 30 + [WORSE] * 25)
    program.privacy_budget = 2.5
    program.save()
    report = who5_report(program)
    today = timezone.localdate()
    for days in (0, 1):  # two releases of epsilon 1: 2 of 2.5 spent
        impact.noisy_changes(
            report, program=program, since=today - timedelta(days=365 + days), until=today,
            epsilon=1.0,
        )  # fmt: skip
    releases = list(PrivateRelease.objects.values_list("pk", "counts"))
    audited = AuditRecord.objects.filter(action="hearth.outcomes.report.released").count()

    with pytest.raises(impact.PrivacyBudgetSpent) as refused:
        impact.noisy_changes(  # a third, for another period, would make 3 > 2.5
            report, program=program, since=today - timedelta(days=367), until=today, epsilon=1.0
        )

    assert (refused.value.spent, refused.value.budget, refused.value.asked) == (2.0, 2.5, 1.0)
    assert list(PrivateRelease.objects.values_list("pk", "counts")) == releases
    assert AuditRecord.objects.filter(action="hearth.outcomes.report.released").count() == audited
    assert impact.privacy_budget_spent(program) == 2.0
    # What still fits is released: 0.5 makes exactly 2.5.
    assert release(report, program, 0.5).new
    assert impact.privacy_budget_spent(program) == 2.5
    # A kept release still shows, spending nothing, with the budget all spent.
    again = impact.noisy_changes(
        report, program=program, since=today - timedelta(days=365), until=today, epsilon=1.0
    )
    assert not again.new and impact.privacy_budget_spent(program) == 2.5


def test_the_page_says_the_budget_is_spent_and_still_shows_the_exact_figures(admin_client, program):
    add_scores(program, "who-5", [IMPROVED] * 40 + [UNCHANGED] * 30 + [WORSE] * 25)
    program.privacy_budget = 1.5
    program.save()
    admin_client.get(report_url(program.organization, program, release="noisy", epsilon="1"))

    response = admin_client.get(
        report_url(program.organization, program, release="noisy", epsilon="2")
    )

    text = text_of(response)
    assert response.status_code == 200
    assert (
        "No new noisy release for this measure: it would spend epsilon 2, and the program has "
        "already spent 1 of its privacy budget of 1.5. Nothing was spent." in text
    )
    assert "spent epsilon 1 of its privacy budget of 1.5 so far" in text
    assert CAPTION.format(epsilon=2) not in text
    assert ("Total", "95") in table_cells(response, EXACT)
    assert PrivateRelease.objects.count() == 1


def test_a_program_is_made_with_a_budget_in_range(admin_client, program):
    from hearth.outcomes import services
    from hearth.outcomes.models import Program

    organization = program.organization
    url = f"/organizations/{organization.slug}/programs/"
    for bad, message in (
        ("0", "Give a privacy budget of at least 0.1."),
        ("101", "Give a privacy budget of at most 100."),
        ("lots", "Give the privacy budget as a number, for example 10."),
    ):
        response = admin_client.post(url, {"name": "Walk and talk", "privacy_budget": bad})
        assert response.status_code == 200 and message in text_of(response)
    assert not Program.objects.filter(name="Walk and talk").exists()

    response = admin_client.post(url, {"name": "Walk and talk", "privacy_budget": "4"})

    made = Program.objects.get(name="Walk and talk")
    assert response.status_code == 302 and made.privacy_budget == 4.0
    with pytest.raises(services.ValidationError) as refused:
        services.program_create(
            actor=made.organization.memberships.get(role="admin").user,
            organization=organization,
            name="Too open",
            privacy_budget=500,
        )
    assert "privacy_budget" in refused.value.message_dict
    assert not Program.objects.filter(name="Too open").exists()
