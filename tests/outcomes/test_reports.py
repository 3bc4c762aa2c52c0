"""Program reports (suppressed, with captions), the optional differential-privacy release (not
installed here), the standards self-assessment with its profile and action plan, and the
network's aggregate of self-assessments — with who may see each."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord
from hearth.outcomes import form_services, selectors
from hearth.outcomes.models import EvaluationScore, Program, SelfAssessment
from tests.conftest import sign_in
from tests.factories import NetworkMembershipFactory
from tests.people.factories import staff

pytestmark = pytest.mark.django_db


def add_scores(program, instrument, pairs, *, once=0, start=None, prefix="p"):
    """Evaluation scores as check-ins leave them: a first and a last score per person in
    `pairs`, and `once` people with one score only."""
    start = start or timezone.now() - timedelta(days=60)
    rows = []
    for number, (first, last) in enumerate(pairs):
        name = f"{prefix}-{instrument}-{number}"
        rows.append(EvaluationScore(pseudonym=name, program=program, instrument=instrument,
                                    score=first, at=start))  # fmt: skip
        rows.append(EvaluationScore(pseudonym=name, program=program, instrument=instrument,
                                    score=last, at=start + timedelta(days=30)))  # fmt: skip
    for number in range(once):
        rows.append(
            EvaluationScore(
                pseudonym=f"{prefix}-{instrument}-once-{number}",
                program=program,
                instrument=instrument,
                score=50,
                at=start,
            )
        )
    EvaluationScore.objects.bulk_create(rows)


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_cells(response, caption: str) -> list[tuple[str, str]]:
    """(row heading, cell text) of the table with this caption."""
    html = response.content.decode()
    match = re.search(
        r"<table[^>]*>\s*<caption[^>]*>" + re.escape(caption) + r"</caption>(.*?)</table>",
        html,
        re.S,
    )
    assert match, f"no table captioned {caption!r}"
    rows = re.findall(
        r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', match.group(1), re.S
    )
    return [
        (re.sub(r"<[^>]+>", "", head).strip(), re.sub(r"<[^>]+>", "", cell).strip())
        for head, cell in rows
    ]


@pytest.fixture
def program(organization, admin_user):
    return Program.objects.create(organization=organization, name="Wellbeing circle")


def report_url(organization, program, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    url = f"/organizations/{organization.slug}/programs/{program.pk}/report/"
    return f"{url}?{query}" if query else url


# --- program reports -------------------------------------------------------------------------


def test_the_report_shows_suppressed_cells_in_words(admin_client, organization, program):
    # WHO-5: 15 improved by 20 points, 4 changed by 2 (no meaningful change), 3 measured once.
    add_scores(program, "who-5", [(40, 60)] * 15 + [(50, 52)] * 4, once=3)
    # GAD-7: too few people for anything.
    add_scores(program, "gad-7", [(12, 6)] * 5)

    response = admin_client.get(report_url(organization, program))

    assert response.status_code == 200
    who5 = table_cells(response, "WHO-5 Well-Being Index: change from baseline to follow-up")
    assert who5 == [
        ("Improved meaningfully", "hidden so a small number cannot be worked out"),
        ("No meaningful change", "fewer than 11"),
        ("Deteriorated meaningfully", "0"),
        ("Total", "19"),
    ]
    page = text_of(response)
    assert "People with a baseline and a follow-up 19" in page
    # 22 measured minus 19 with a follow-up would give away the 3 measured once.
    assert "People measured hidden: fewer than the threshold, or it would give away" in page
    assert "Mean change from baseline to follow-up 16.2" in page  # (15 * 20 + 4 * 2) / 19
    assert "Share who improved meaningfully Not shown: based on a hidden count" in page
    gad7 = table_cells(
        response, "Generalized Anxiety Disorder scale (GAD-7): change from baseline to follow-up"
    )
    assert gad7 == [
        ("Improved meaningfully", "fewer than 11"),
        ("No meaningful change", "0"),
        ("Deteriorated meaningfully", "0"),
        ("Total", "fewer than 11"),
    ]
    for small in ("4", "15", "3", "22", "5"):
        assert f">{small}<" not in response.content.decode()
    record = AuditRecord.objects.get(action="hearth.outcomes.report.viewed")
    assert record.organization_id == organization.pk and record.target_id == str(program.pk)


def test_the_report_counts_only_the_chosen_period(admin_client, organization, program):
    add_scores(program, "who-5", [(40, 60)] * 12, start=timezone.now() - timedelta(days=500))
    add_scores(program, "who-5", [(40, 40)] * 12, prefix="recent")
    since = (timezone.localdate() - timedelta(days=100)).isoformat()
    until = timezone.localdate().isoformat()

    response = admin_client.get(report_url(organization, program, since=since, until=until))

    assert table_cells(response, "WHO-5 Well-Being Index: change from baseline to follow-up") == [
        ("Improved meaningfully", "0"),
        ("No meaningful change", "12"),
        ("Deteriorated meaningfully", "0"),
        ("Total", "12"),
    ]
    assert "People measured 12" in text_of(response)


def test_a_program_with_no_scores_says_so(admin_client, organization, program):
    response = admin_client.get(report_url(organization, program))

    assert "No scores were counted for evaluation in this period." in text_of(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "31-12-2025"}, "Enter a date as year-month-day"),
        ({"since": "2025-06-01", "until": "2025-01-01"}, "The end of the period must be on or"),
    ],
)
def test_a_bad_period_is_a_plain_error_and_no_report(
    admin_client, organization, program, params, message
):
    add_scores(program, "who-5", [(40, 60)] * 12)

    response = admin_client.get(report_url(organization, program, **params))

    assert response.status_code == 200
    assert message in text_of(response)
    assert "change from baseline to follow-up" not in text_of(response)
    assert not AuditRecord.objects.filter(action="hearth.outcomes.report.viewed").exists()


@pytest.mark.parametrize("role", ["practitioner", "peer_supporter", "viewer"])
def test_only_admins_see_program_reports(client, organization, program, make_member, role):
    add_scores(program, "who-5", [(40, 60)] * 12)
    sign_in(client, make_member(organization, role))

    assert client.get(report_url(organization, program)).status_code == 404
    assert not AuditRecord.objects.filter(action="hearth.outcomes.report.viewed").exists()


def test_another_organizations_program_is_not_found(client, organization, program, other_org_admin):
    sign_in(client, other_org_admin)
    other = other_org_admin.memberships.get().organization

    assert client.get(report_url(organization, program)).status_code == 404
    assert client.get(report_url(other, program)).status_code == 404
    assert not AuditRecord.objects.filter(action="hearth.outcomes.report.viewed").exists()


# --- the standards self-assessment -----------------------------------------------------------

ANSWERS = {
    "safety_1": "3",
    "safety_2": "4",
    "trust_1": "1",
    "culture_1": "2",
    "culture_2": "2",
    "culture_3": "3",
    "safety_next": "Ask people what would make the waiting room calmer.",
    "culture_next": "Offer the intake form in Vietnamese.",
}


def self_assessment_url(organization, new=False):
    return f"/organizations/{organization.slug}/self-assessment/" + ("new/" if new else "")


def test_a_practitioner_fills_in_the_self_assessment_and_sees_the_profile_and_plan(
    client, organization, make_member
):
    practitioner = make_member(organization, "practitioner")
    sign_in(client, practitioner)

    empty = client.get(self_assessment_url(organization, new=True))
    assert empty.status_code == 200
    assert '<h2 class="govuk-fieldset__heading">1. Safety</h2>' in empty.content.decode()
    assert 'name="safety_1" type="radio" value="4"' in empty.content.decode()

    shown = re.findall(r'name="hearth:shown" value="([^"]+)"', empty.content.decode())
    response = client.post(
        self_assessment_url(organization, new=True), {**ANSWERS, "hearth:shown": shown}
    )

    assert response.status_code == 302
    [assessment] = SelfAssessment.objects.filter(organization=organization)
    assert assessment.submitted_by == practitioner
    assert assessment.profile == {
        "safety": 3.5,
        "trust": 1.0,
        "peer": None,
        "collaboration": None,
        "empowerment": None,
        "culture": 2.33,
    }
    assert assessment.answers["safety_next"] == ANSWERS["safety_next"]
    assert (
        AuditRecord.objects.filter(
            action="hearth.outcomes.selfassessment.submitted", organization_id=organization.pk
        ).count()
        == 1
    )

    page = client.get(self_assessment_url(organization))
    html = page.content.decode()
    assert "Ask people what would make the waiting room calmer." in html
    assert "Offer the intake form in Vietnamese." in html
    # The chart's text alternative names every principle with its score.
    assert re.search(
        r"<desc [^>]*>1\. Safety: 3\.5\. 2\. Trustworthiness and transparency: 1\.", html
    )
    assert 'role="img"' in html
    over_time = re.search(
        r"<caption[^>]*>Score per principle at each self-assessment.*?</table>", html, re.S
    )
    assert over_time
    numeric = r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)<'
    assert re.findall(numeric, over_time.group(0)) == ["3.5", "1", "", "", "", "2.33"]


def test_the_self_assessment_shows_progress_over_time(organization, admin_user, admin_client):
    form = form_services.self_assessment_form()
    for rating in ("1", "3"):
        form_services.self_assessment_submit(
            actor=admin_user,
            organization=organization,
            form=form,
            answers={"safety_1": rating, "safety_2": rating},
        )

    html = admin_client.get(self_assessment_url(organization)).content.decode()

    rows = re.findall(
        r'<tr class="govuk-table__row">\s*<th scope="row"[^>]*>[^<]*</th>\s*<td[^>]*>([^<]*)<', html
    )
    assert rows == ["1", "3"]


def test_a_wrong_answer_is_a_field_error_and_nothing_is_saved(admin_client, organization):
    response = admin_client.post(
        self_assessment_url(organization, new=True),
        {"safety_1": "9", "hearth:shown": ["safety_1"]},
    )

    assert response.status_code == 200
    assert "Choose one of the options" in text_of(response)
    assert 'href="#q-safety_1-1"' in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_the_service_refuses_wrong_answers_in_the_persons_language(organization, admin_user):
    form = form_services.self_assessment_form()

    with pytest.raises(ValidationError) as refused:
        form_services.self_assessment_submit(
            actor=admin_user,
            organization=organization,
            form=form,
            answers={"safety_1": "9"},
            language="es",
        )

    assert refused.value.message_dict == {"safety_1": ["Elija una de las opciones"]}
    assert not SelfAssessment.objects.exists()


def test_the_self_assessment_page_in_spanish(admin_client, organization):
    admin_client.cookies["hearth_language"] = "es"

    html = admin_client.get(self_assessment_url(organization, new=True)).content.decode()

    assert '<h2 class="govuk-fieldset__heading">1. Seguridad</h2>' in html
    assert "4: Plenamente" in html


@pytest.mark.parametrize("role", ["peer_supporter", "viewer"])
def test_peer_supporters_viewers_and_outsiders_get_not_found(
    client, organization, make_member, other_org_admin, role
):
    for user in (make_member(organization, role), other_org_admin):
        client.logout()
        sign_in(client, user)
        assert client.get(self_assessment_url(organization)).status_code == 404
        posted = client.post(self_assessment_url(organization, new=True), {**ANSWERS})
        assert posted.status_code == 404
    assert not SelfAssessment.objects.exists()


# --- the network's aggregate -----------------------------------------------------------------


def assess(organization, ratings: dict[str, str]):
    return form_services.self_assessment_submit(
        actor=staff(organization, Role.ADMIN),
        organization=organization,
        form=form_services.self_assessment_form(),
        answers=ratings,
    )


def network_url(network):
    return f"/networks/{network.slug}/self-assessment/"


def test_the_network_aggregate_waits_for_enough_organizations(
    client, network, organization, coordinator, settings
):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    second = NetworkMembershipFactory(network=network).organization
    assess(organization, {"safety_1": "4"})
    assess(second, {"safety_1": "2"})
    sign_in(client, coordinator)

    response = client.get(network_url(network))

    page = text_of(response)
    assert response.status_code == 200
    assert "Not enough organizations yet" in page
    assert "at least 3 member organizations" in page
    assert "Network average score per principle" not in page
    profile = form_services.network_self_assessment(network)
    assert profile.means is None and profile.organizations is None


def test_the_network_sees_the_mean_of_each_organizations_latest_profile(
    client, network, organization, coordinator, settings
):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    second = NetworkMembershipFactory(network=network).organization
    third = NetworkMembershipFactory(network=network).organization
    assess(organization, {"safety_1": "1", "trust_1": "1"})  # replaced by its later one
    assess(organization, {"safety_1": "4", "trust_1": "2"})
    assess(second, {"safety_1": "2", "trust_1": "3"})
    assess(third, {"safety_1": "3"})
    assess(NetworkMembershipFactory().organization, {"safety_1": "1"})  # another network
    sign_in(client, coordinator)

    response = client.get(network_url(network))

    assert "Based on 3 organizations." in text_of(response)
    cells = table_cells(response, "Network average score per principle")
    assert cells[0] == ("1. Safety", "3")  # (4 + 2 + 3) / 3
    assert cells[1] == (
        "2. Trustworthiness and transparency",
        "not shown: too few organizations rated it",
    )
    assert cells[2] == ("3. Peer support", "not shown: too few organizations rated it")
    assert len(cells) == 6


def test_only_coordinators_see_the_network_aggregate(client, network, organization, make_member):
    admin = make_member(organization, "admin")
    sign_in(client, admin)

    assert client.get(network_url(network)).status_code == 404


def test_coordinators_of_another_network_get_not_found(client, network, coordinator):
    other = NetworkMembershipFactory().network
    sign_in(client, coordinator)

    assert client.get(network_url(other)).status_code == 404


def test_the_first_and_last_scores_follow_time_then_score(program, settings):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 1
    start = timezone.now() - timedelta(days=10)
    rows = [
        # Written out of order: the report goes by time, not by when rows were written.
        ("late", 80, start + timedelta(days=2)),
        ("late", 40, start),
        ("late", 60, start + timedelta(days=3)),
        # Two scores in the same microsecond: the lower counts first, the higher last.
        ("tied", 70, start),
        ("tied", 50, start),
        ("once", 30, start),
    ]
    EvaluationScore.objects.bulk_create(
        EvaluationScore(pseudonym=name, program=program, instrument="who-5", score=score, at=at)
        for name, score, at in rows
    )

    [report] = selectors.program_report(
        program, since=start - timedelta(days=1), until=timezone.now()
    )

    assert (report.people_measured, report.people_with_follow_up) == (3, 2)
    assert report.mean_change == 20.0  # late: 40 -> 60; tied: 50 -> 70
    assert [report.changes.value(r, 0) for r in range(3)] == [2, 0, 0]
