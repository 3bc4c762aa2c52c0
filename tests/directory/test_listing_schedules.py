"""Opening hours of a listed service, and of the service at one of its locations: listed, added,
changed and removed by the people who keep the listing, with history, audit and search kept in
step; everyone else gets not found and changes nothing."""

import datetime as dt
import uuid

import pytest

from hearth.core.models import AuditRecord
from hearth.directory import search
from hearth.directory.models import Metadata, Schedule, Service
from tests.conftest import sign_in
from tests.directory.factories import (
    DirectoryOrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)
from tests.directory.pages import page_body

pytestmark = pytest.mark.django_db

MONDAY_10_LOCAL = dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC)  # 10:00 at UTC-8
TUESDAY_10_LOCAL = dt.datetime(2026, 1, 6, 18, 0, tzinfo=dt.UTC)
WEEKDAY_HOURS = {
    "byday": ["MO", "WE"],
    "opens_at": "09:00",
    "closes_at": "17:00",
    "timezone": "-8.0",
    "description": "Drop in, no appointment",
}


def open_at(moment):
    return search.search_services(search.SearchQuery(open_at=moment)).ids


@pytest.fixture
def keeper(client, organization, make_member):
    user = make_member(organization, "practitioner")
    sign_in(client, user)
    return user


def test_the_hours_page_lists_the_service_hours_and_those_at_each_location(
    client, keeper, kept_listing
):
    service = kept_listing.service
    ScheduleFactory(service=service, byday="MO,TU", opens_at=dt.time(9), closes_at=dt.time(17))
    ScheduleFactory(
        service_at_location=kept_listing,
        byday="SA",
        opens_at=dt.time(20),
        closes_at=dt.time(8),
        timezone=-8,
    )

    response = client.get(f"/listings/services/{service.id}/schedules/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Monday, Tuesday" in body
    assert "09:00 to 17:00" in body
    assert "Hours at Pantry hall" in body
    assert "20:00 to 08:00 the next day (UTC\u221208:00)" in body
    assert f"/listings/service-at-locations/{kept_listing.id}/schedules/add/" in body


def test_a_keeper_adds_weekly_hours_and_search_knows_when_it_is_open(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    service = kept_listing.service
    before = Service.objects.get(pk=service.pk).last_modified

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/listings/services/{service.id}/schedules/add/", WEEKDAY_HOURS)

    assert response.status_code == 302
    assert response["Location"] == f"/listings/services/{service.id}/schedules/"
    schedule = Schedule.objects.get(service=service)
    assert (schedule.freq, schedule.byday, schedule.timezone) == ("WEEKLY", "MO,WE", -8.0)
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(9), dt.time(17))
    assert schedule.description == "Drop in, no appointment"
    history = {m.field_name: m for m in Metadata.objects.filter(resource_id=schedule.id)}
    assert sorted(history) == [
        "byday",
        "closes_at",
        "description",
        "freq",
        "opens_at",
        "timezone",
    ]
    assert history["byday"].last_action_type == "create"
    assert history["byday"].replacement_value == "MO,WE"
    assert history["byday"].updated_by == keeper.email
    record = AuditRecord.objects.get(action="hearth.directory.schedule.created")
    assert record.target_id == str(schedule.id)
    assert record.detail == {"service": str(service.id)}
    assert record.organization_id == kept_listing.service.organization.member_id
    assert Service.objects.get(pk=service.pk).last_modified > before
    assert open_at(MONDAY_10_LOCAL) == [service.id]
    assert open_at(TUESDAY_10_LOCAL) == []


def test_hours_at_one_location_belong_to_the_service_there(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/service-at-locations/{kept_listing.id}/schedules/add/", WEEKDAY_HOURS
        )

    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.service_id, schedule.service_at_location_id) == (None, kept_listing.id)
    assert open_at(MONDAY_10_LOCAL) == [kept_listing.service_id]


def test_changing_hours_keeps_the_old_value_in_the_history(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory(service=kept_listing.service, byday="MO,WE", timezone=-8)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/listings/schedules/{schedule.id}/edit/", {**WEEKDAY_HOURS, "closes_at": "12:30"}
        )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.closes_at == dt.time(12, 30)
    change = Metadata.objects.get(resource_id=schedule.id, field_name="closes_at")
    assert (change.previous_value, change.replacement_value) == ("17:00:00", "12:30:00")
    record = AuditRecord.objects.get(action="hearth.directory.schedule.updated")
    assert record.detail == {
        "fields": ["closes_at", "description"],
        "service": str(kept_listing.service_id),
    }
    assert open_at(dt.datetime(2026, 1, 5, 21, 0, tzinfo=dt.UTC)) == []  # 13:00 local


def test_the_edit_page_shows_the_current_hours(client, keeper, kept_listing):
    schedule = ScheduleFactory(
        service=kept_listing.service, byday="TU,TH", opens_at=dt.time(8, 30), timezone=1
    )

    body = client.get(f"/listings/schedules/{schedule.id}/edit/").content.decode()

    assert (
        '<input class="govuk-checkboxes__input" id="id_byday_1" name="byday" type="checkbox" '
        'value="TU" checked>'
    ) in body
    assert 'name="byday" type="checkbox" value="MO" checked' not in body
    assert 'value="08:30"' in body
    assert '<option value="1.0" selected>UTC+01:00</option>' in body


def test_closing_before_opening_needs_open_past_midnight(
    client, keeper, kept_listing, directory_snapshot, django_capture_on_commit_callbacks
):
    url = f"/listings/services/{kept_listing.service_id}/schedules/add/"
    night = {**WEEKDAY_HOURS, "byday": ["SA"], "opens_at": "20:00", "closes_at": "08:00"}
    before = directory_snapshot()

    refused = client.post(url, night)

    body = refused.content.decode()
    assert refused.status_code == 200
    assert "There is a problem" in body
    assert (
        '<a href="#id_closes_at">The closing time must be after the opening time. If it stays '
        "open past midnight, tick “Open past midnight”.</a>"
    ) in body
    assert directory_snapshot() == before

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**night, "overnight": "on"})

    schedule = Schedule.objects.get()
    assert (schedule.opens_at, schedule.closes_at) == (dt.time(20), dt.time(8))
    sunday_2_local = dt.datetime(2026, 1, 11, 10, 0, tzinfo=dt.UTC)
    assert open_at(sunday_2_local) == [kept_listing.service_id]


def test_open_past_midnight_with_a_same_day_closing_time_is_questioned(
    client, keeper, kept_listing, directory_snapshot
):
    before = directory_snapshot()

    response = client.post(
        f"/listings/services/{kept_listing.service_id}/schedules/add/",
        {**WEEKDAY_HOURS, "overnight": "on"},
    )

    assert "so it is not open past midnight" in response.content.decode()
    assert directory_snapshot() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"byday": ["MO", "XX"]}, "byday", "“XX” is not a day of the week"),
        ({"byday": []}, "byday", "Select at least one day"),
        ({"opens_at": "9 o'clock"}, "opens_at", "Enter the opening time as hours and minutes"),
        ({"closes_at": ""}, "closes_at", "Enter the time it closes, like 17:30"),
        ({"timezone": "3.3"}, "timezone", "Select a valid choice."),
        (
            {"valid_from": "2026-03-01", "valid_to": "2026-02-01"},
            "valid_to",
            "The last day must be the same as or after the first day",
        ),
        ({"valid_from": "next week"}, "valid_from", "Enter the first day as a date"),
    ],
)
def test_invalid_hours_name_the_problem_and_save_nothing(
    client, keeper, kept_listing, directory_snapshot, change, field, message
):
    before = directory_snapshot()

    response = client.post(
        f"/listings/services/{kept_listing.service_id}/schedules/add/",
        {**WEEKDAY_HOURS, **change},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert f'<p id="id_{field}-error" class="govuk-error-message">' in body
    assert directory_snapshot() == before


def test_the_service_refuses_unknown_day_codes_too(keeper, kept_listing, directory_snapshot):
    from django.core.exceptions import ValidationError

    from hearth.directory import services

    before = directory_snapshot()

    with pytest.raises(ValidationError) as refused:
        services.schedule_create(
            actor=keeper,
            service=kept_listing.service,
            byday="MO,FUNDAY",
            opens_at=dt.time(9),
            closes_at=dt.time(17),
            timezone=0.0,
        )

    assert refused.value.message_dict == {
        "byday": ["“FUNDAY” is not a day. Use MO, TU, WE, TH, FR, SA or SU."]
    }
    assert directory_snapshot() == before


def test_removing_hours_asks_first_then_keeps_them_in_the_history(
    client, keeper, kept_listing, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory(service=kept_listing.service, byday="MO", timezone=0)
    url = f"/listings/schedules/{schedule.id}/remove/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove these opening hours?" in confirm.content.decode()
    assert "Monday: 09:00 to 17:00" in confirm.content.decode()
    assert Schedule.objects.filter(pk=schedule.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    assert not Schedule.objects.filter(pk=schedule.pk).exists()
    removed = Metadata.objects.get(resource_id=schedule.id, field_name="byday")
    assert (removed.last_action_type, removed.previous_value) == ("delete", "MO")
    assert AuditRecord.objects.filter(action="hearth.directory.schedule.deleted").count() == 1
    assert open_at(dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)) == []


def schedule_urls(kept_listing, schedule):
    service_id = kept_listing.service_id
    return [
        ("get", f"/listings/services/{service_id}/schedules/", None),
        ("get", f"/listings/services/{service_id}/schedules/add/", None),
        ("post", f"/listings/services/{service_id}/schedules/add/", WEEKDAY_HOURS),
        ("get", f"/listings/service-at-locations/{kept_listing.id}/schedules/add/", None),
        (
            "post",
            f"/listings/service-at-locations/{kept_listing.id}/schedules/add/",
            WEEKDAY_HOURS,
        ),
        ("get", f"/listings/schedules/{schedule.id}/edit/", None),
        ("post", f"/listings/schedules/{schedule.id}/edit/", WEEKDAY_HOURS),
        ("get", f"/listings/schedules/{schedule.id}/remove/", None),
        ("post", f"/listings/schedules/{schedule.id}/remove/", {}),
    ]


@pytest.mark.parametrize("who", ["viewer", "peer_supporter", "other_org_admin", "anonymous"])
def test_people_who_do_not_keep_the_listing_get_not_found_and_change_nothing(
    client, organization, other_organization, make_member, kept_listing, directory_snapshot, who
):
    schedule = ScheduleFactory(service=kept_listing.service)
    if who == "other_org_admin":
        sign_in(client, make_member(other_organization, "admin"))
    elif who != "anonymous":
        sign_in(client, make_member(organization, who))
    missing = client.get(f"/listings/schedules/{uuid.uuid4()}/edit/")
    before = directory_snapshot()

    responses = [
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        for method, url, data in schedule_urls(kept_listing, schedule)
    ]

    if who == "anonymous":
        assert [r.status_code for r in responses] == [302] * len(responses)
        assert all(r["Location"].startswith("/sign-in/") for r in responses)
    else:
        assert missing.status_code == 404
        assert [r.status_code for r in responses] == [404] * len(responses)
        assert {page_body(r) for r in responses} == {page_body(missing)}
    assert directory_snapshot() == before


def test_a_coordinator_keeps_the_hours_of_any_listing_in_their_network_only(
    client, coordinator, network, directory_snapshot
):
    unclaimed = ServiceFactory(organization=DirectoryOrganizationFactory(network=network))
    elsewhere = ServiceFactory()
    sign_in(client, coordinator)

    added = client.post(f"/listings/services/{unclaimed.id}/schedules/add/", WEEKDAY_HOURS)
    before = directory_snapshot()
    refused = client.post(f"/listings/services/{elsewhere.id}/schedules/add/", WEEKDAY_HOURS)

    assert added.status_code == 302
    assert Schedule.objects.get().service_id == unclaimed.id
    assert refused.status_code == 404
    assert directory_snapshot() == before


def test_the_hours_page_reads_a_constant_number_of_times(
    client, keeper, kept_listing, django_assert_max_num_queries
):
    service = kept_listing.service

    def add_places(n):
        for _ in range(n):
            link = ServiceAtLocationFactory(
                service=service, location__organization=service.organization
            )
            ScheduleFactory(service_at_location=link)
            ScheduleFactory(service=service)

    add_places(2)
    with django_assert_max_num_queries(50) as few:
        assert client.get(f"/listings/services/{service.id}/schedules/").status_code == 200
    add_places(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(f"/listings/services/{service.id}/schedules/").status_code == 200
