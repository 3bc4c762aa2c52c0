"""The public impact page of a network and its DHIS2 dataValueSets export (JSON and CSV):
plain language, charts with tables, only suppressed aggregates, hidden values left out."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hearth.accounts.models import Organization, Role
from hearth.outcomes import impact
from hearth.outcomes.models import EvaluationScore, Program
from hearth.people import services as people_services
from hearth.referrals import services as referral_services
from tests.factories import NetworkMembershipFactory, OrganizationFactory
from tests.people.factories import make_person, staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def people(organization, count, **changes):
    made = [make_person(organization, name=f"Person {n}") for n in range(count)]
    if changes:
        type(made[0]).objects.filter(pk__in=[p.pk for p in made]).update(**changes)
    return made


def complete_referrals(network, count):
    p = pair()
    NetworkMembershipFactory(network=network, organization=p.receiver)
    for _ in range(count):
        referral = refer(p)
        for status in ("accepted", "in-progress", "completed"):
            referral_services.referral_transition(
                actor=p.receiver_staff,
                organization=p.receiver,
                referral_id=referral.pk,
                to_status=status,
            )
    return p


def wellbeing(program, pairs, *, once=0, prefix="p"):
    start = timezone.now() - timedelta(days=2)
    rows = []
    for number, (first, last) in enumerate(pairs):
        for offset, score in ((0, first), (1, last)):
            rows.append(
                EvaluationScore(
                    pseudonym=f"{prefix}{number}",
                    program=program,
                    instrument="who-5",
                    score=score,
                    at=start + timedelta(hours=offset),
                )
            )
    for number in range(once):
        rows.append(
            EvaluationScore(
                pseudonym=f"{prefix}-once-{number}",
                program=program,
                instrument="who-5",
                score=40,
                at=start,
            )
        )
    EvaluationScore.objects.bulk_create(rows)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()


def table_cells(response, caption):
    html = response.content.decode()
    match = re.search(
        r"<caption[^>]*>" + re.escape(caption) + r"</caption>(.*?)</table>", html, re.S
    )
    assert match, caption
    rows = re.findall(
        r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>', match.group(1), re.S
    )
    return [(re.sub(r"<[^>]+>", "", h).strip(), re.sub(r"<[^>]+>", "", c).strip()) for h, c in rows]


@pytest.fixture
def setting(settings):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    return settings


def test_the_impact_page_is_public_plain_and_has_a_quick_exit(client, network, setting):
    organization = NetworkMembershipFactory(network=network).organization
    people(organization, 4)

    response = client.get(f"/impact/{network.slug}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/exit/"' in html and "Leave this site" in html
    assert f"What the network achieved in {YEAR}" in text_of(response)
    assert "organizations supported 4 people this year." in text_of(response)
    assert html.count('role="img"') == 3  # a chart per figure, each with a table
    assert html.count("<caption") == 3


def test_people_served_counts_active_records_tombstones_included(client, network, setting):
    community = NetworkMembershipFactory(
        network=network, organization=OrganizationFactory(kind=Organization.Kind.COMMUNITY_BASED)
    ).organization
    shelter = NetworkMembershipFactory(
        network=network, organization=OrganizationFactory(kind=Organization.Kind.VICTIM_SERVICE)
    ).organization
    served = people(community, 4)
    admin = staff(community, Role.ADMIN)
    people_services.person_erase(actor=admin, organization=community, person_id=served[0].pk)
    people(shelter, 1)
    people(community, 2, last_activity_at=datetime(YEAR - 1, 12, 31, tzinfo=UTC))  # before
    people(OrganizationFactory(), 5)  # not in the network

    response = client.get(f"/impact/{network.slug}/")

    assert table_cells(response, "People served, by kind of organization") == [
        ("Community-based organization", "hidden so a small number cannot be worked out"),
        ("Victim-service provider", "fewer than 3"),
        ("Total", "5"),
    ]


def test_referrals_completed_by_quarter(client, network, setting):
    complete_referrals(network, 3)
    quarter = (timezone.localdate().month - 1) // 3

    response = client.get(f"/impact/{network.slug}/")

    cells = table_cells(response, "Referrals completed, by quarter")
    assert [value for _label, value in cells] == [
        "3" if number == quarter else "0" for number in range(4)
    ] + ["3"]
    assert "3 referrals were completed this year" in text_of(response)


def test_wellbeing_across_the_networks_programs(client, network, setting):
    first = NetworkMembershipFactory(network=network).organization
    second = NetworkMembershipFactory(network=network).organization
    one = Program.objects.create(organization=first, name="Circle")
    two = Program.objects.create(organization=second, name="Walks")
    elsewhere = Program.objects.create(organization=OrganizationFactory(), name="Elsewhere")
    wellbeing(one, [(40, 60)] * 3 + [(50, 50)] * 2, once=4)
    wellbeing(two, [(40, 56)] * 1 + [(60, 40)] * 3, prefix="q")
    wellbeing(elsewhere, [(0, 100)] * 9, prefix="x")

    response = client.get(f"/impact/{network.slug}/")

    assert table_cells(response, "People who checked in on their wellbeing, by how it changed") == [
        ("Felt meaningfully better", "4"),
        ("No meaningful change", "fewer than 3"),
        ("Felt meaningfully worse", "hidden so a small number cannot be worked out"),
        ("Measured once so far", "4"),
        ("Total", "13"),
    ]
    # Mean of 3 x 20, 2 x 0, 1 x 16, 3 x -20: 16 / 9 = 1.8; the share needs every cell.
    page = text_of(response)
    assert "On average, wellbeing changed by 1.8 points" in page
    assert "felt meaningfully better." not in page


def test_the_dhis2_json_export_has_the_data_value_set_shape(client, network, setting):
    community = NetworkMembershipFactory(network=network).organization
    NetworkMembershipFactory(
        network=network, organization=OrganizationFactory(kind=Organization.Kind.VICTIM_SERVICE)
    )
    people(community, 5)
    program = Program.objects.create(organization=community, name="Circle")
    wellbeing(program, [(40, 60)] * 4)

    response = client.get(f"/impact/{network.slug}/dataValueSets.json?year={YEAR}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.content)
    assert set(document) == {
        "dataElementIdScheme",
        "orgUnitIdScheme",
        "categoryOptionComboIdScheme",
        "dataValues",
    }
    values = document["dataValues"]
    assert all(
        set(value) == {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value"}
        and value["orgUnit"] == network.slug
        and isinstance(value["value"], str)
        for value in values
    )
    by_key = {(v["dataElement"], v["period"], v["categoryOptionCombo"]): v["value"] for v in values}
    year = str(YEAR)
    assert by_key[("HEARTH_PEOPLE_SERVED_TOTAL", year, "default")] == "5"
    assert by_key[("HEARTH_PEOPLE_SERVED", year, "HEARTH_KIND_COMMUNITY_BASED")] == "5"
    assert by_key[("HEARTH_PEOPLE_SERVED", year, "HEARTH_KIND_VICTIM_SERVICE")] == "0"
    assert by_key[("HEARTH_REFERRALS_COMPLETED_TOTAL", year, "default")] == "0"
    for quarter in range(1, 5):
        assert by_key[("HEARTH_REFERRALS_COMPLETED", f"{year}Q{quarter}", "default")] == "0"
    assert by_key[("HEARTH_WHO5_PEOPLE_MEASURED", year, "default")] == "4"
    assert by_key[("HEARTH_WHO5_CHANGE", year, "HEARTH_IMPROVED")] == "4"
    assert by_key[("HEARTH_WHO5_CHANGE", year, "HEARTH_MEASURED_ONCE")] == "0"
    assert by_key[("HEARTH_WHO5_MEAN_CHANGE", year, "default")] == "20.0"
    assert len(values) == 14


def test_suppressed_values_are_left_out_of_both_exports(client, network, setting):
    community = NetworkMembershipFactory(network=network).organization
    shelter = NetworkMembershipFactory(
        network=network, organization=OrganizationFactory(kind=Organization.Kind.VICTIM_SERVICE)
    ).organization
    people(community, 6)
    people(shelter, 2)  # hidden, and the 6 beside it as its complement

    document = client.get(f"/impact/{network.slug}/dataValueSets.json").json()
    csv_response = client.get(f"/impact/{network.slug}/dataValueSets.csv")

    served = [v for v in document["dataValues"] if v["dataElement"] == "HEARTH_PEOPLE_SERVED"]
    assert served == []
    total = [v for v in document["dataValues"] if v["dataElement"] == "HEARTH_PEOPLE_SERVED_TOTAL"]
    assert [v["value"] for v in total] == ["8"]
    assert "HEARTH_KIND_" not in csv_response.content.decode()
    assert all(v["value"] not in {"2", "6"} for v in document["dataValues"])


def test_the_dhis2_csv_export(client, network, setting):
    community = NetworkMembershipFactory(network=network).organization
    people(community, 3)

    response = client.get(f"/impact/{network.slug}/dataValueSets.csv?year={YEAR}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{network.slug}-{YEAR}-dataValueSets.csv"'
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
        "storedby,lastupdated,comment,followup"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    json_values = client.get(f"/impact/{network.slug}/dataValueSets.json").json()["dataValues"]
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows] == [
        (v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"], v["value"])
        for v in json_values
    ]
    assert all(r[4] == "" and r[6] == "hearth" and r[9] == "false" for r in rows)
    assert next(r for r in rows if r[0] == "HEARTH_PEOPLE_SERVED_TOTAL")[5] == "3"


def test_an_earlier_year_has_its_own_figures(client, network, setting):
    organization = NetworkMembershipFactory(network=network).organization
    network.created_at = datetime(YEAR - 2, 5, 1, tzinfo=UTC)
    network.save()
    people(
        organization,
        3,
        created_at=datetime(YEAR - 1, 3, 1, tzinfo=UTC),
        last_activity_at=datetime(YEAR - 1, 6, 1, tzinfo=UTC),
    )

    this_year = client.get(f"/impact/{network.slug}/")
    last_year = client.get(f"/impact/{network.slug}/?year={YEAR - 1}")

    assert table_cells(this_year, "People served, by kind of organization")[-1] == ("Total", "0")
    assert table_cells(last_year, "People served, by kind of organization")[-1] == ("Total", "3")
    assert f'<option value="{YEAR - 2}">' in last_year.content.decode()


@pytest.mark.parametrize("year", ["1999", "abc", str(YEAR + 1)])
def test_a_year_out_of_range_is_a_plain_error(client, network, year):
    page = client.get(f"/impact/{network.slug}/?year={year}")
    exported = client.get(f"/impact/{network.slug}/dataValueSets.json?year={year}")
    csv_export = client.get(f"/impact/{network.slug}/dataValueSets.csv?year={year}")

    assert page.status_code == exported.status_code == csv_export.status_code == 400
    assert f"Choose a year from {network.created_at.year} to {YEAR}." in text_of(page)
    assert exported.json() == {"error": f"Choose a year from {network.created_at.year} to {YEAR}."}


def test_an_unknown_network_is_not_found(client):
    for path in ("", "dataValueSets.json", "dataValueSets.csv"):
        assert client.get(f"/impact/no-such-network/{path}").status_code == 404


def test_the_impact_figures_for_an_empty_network_are_zeros(network):
    figures = impact.network_impact(network, year=YEAR)

    assert figures.people_served_total == 0
    assert figures.referrals_completed_total == 0
    assert figures.wellbeing_measured == 0
    assert figures.wellbeing_mean_change is None
    assert [v["value"] for v in impact.data_values(figures)] == ["0"] * 11


def test_the_demo_network_shows_real_wellbeing_figures_and_a_real_program_report():
    from hearth.accounts.demo import load_demo
    from hearth.core.audit import verify_chain
    from hearth.outcomes import demo, selectors

    load_demo()
    load_demo()  # once only

    network = impact.network_for_public("riverbend-valley")
    figures = impact.network_impact(network, year=timezone.localdate().year)
    # 16 improved, 12 no meaningful change, 11 deteriorated, 11 measured once: all shown.
    assert [figures.wellbeing.value(row, 0) for row in range(4)] == [16, 12, 11, 11]
    assert figures.wellbeing_measured == 50
    assert figures.wellbeing_improved_share == round(100 * 16 / 39)
    assert figures.wellbeing_mean_change is not None
    assert figures.people_served_total is not None
    values = {(v["dataElement"], v["categoryOptionCombo"]) for v in impact.data_values(figures)}
    assert ("HEARTH_WHO5_CHANGE", "HEARTH_IMPROVED") in values
    [program] = Program.objects.filter(name=demo.HUB_PROGRAM["name"])
    now = timezone.now()
    [report] = selectors.program_report(program, since=now - timedelta(days=366), until=now)
    assert (report.people_measured, report.people_with_follow_up) == (50, 39)
    assert [report.changes.value(row, 0) for row in range(3)] == [16, 12, 11]
    assert verify_chain().intact
