"""The staff check-in pages, through the real pages and services: programs and their
enrolments, the measures an organization uses, offering a check-in from a person's record, the
questionnaire (skipping, wrong answers), the safety pathway and safety follow-ups, a person's
progress, and the reminders command.

Everyone who may not see a page gets the same "not found" as for something that does not exist,
and nothing changes or leaks."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.directory import taxonomy
from hearth.directory.models import Attribute, Phone
from hearth.outcomes import instruments, services
from hearth.outcomes.models import (
    CheckIn,
    CheckInSchedule,
    Enrolment,
    InstrumentSwitch,
    Program,
    SafetyAlert,
)
from hearth.people import access
from hearth.people.models import Purpose
from tests.conftest import sign_in
from tests.directory.factories import DirectoryOrganizationFactory, ServiceFactory
from tests.factories import (
    CoordinatorFactory,
    MembershipFactory,
    NetworkMembershipFactory,
    TOTPDeviceFactory,
)
from tests.people.factories import make_person

pytestmark = pytest.mark.django_db

NAME = "Marigold Quince"
WHO5_ALL = {f"who5_{n}": "3" for n in range(1, 6)}  # raw 15, 60 %


def member(organization, role=Role.PRACTITIONER, **user):
    membership = MembershipFactory(organization=organization, role=role, **user)
    TOTPDeviceFactory(user=membership.user)
    return membership.user


def text(response) -> str:
    return response.content.decode()


def page_body(response) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))
    return re.sub(r'name="next" value="[^"]+"', "", body)


def snapshot() -> dict:
    return {
        "programs": sorted(Program.objects.values_list("id", "name")),
        "enrolments": sorted(Enrolment.objects.values_list("id", "ended_at")),
        "check_ins": sorted(
            (str(c.pk), c.status, bytes(c.sealed_answers)) for c in CheckIn.objects.all()
        ),
        "schedules": sorted(CheckInSchedule.objects.values_list("id", "every_days")),
        "switches": sorted(InstrumentSwitch.objects.values_list("instrument", "enabled")),
        "alerts": sorted(SafetyAlert.objects.values_list("id", "acknowledged_at")),
        "notifications": Notification.objects.count(),
    }


class Setting:
    """An organization in a network with an admin, a practitioner, a peer supporter, a viewer,
    a person it holds enrolled in a program, and a second organization in the same network."""

    def __init__(self):
        self.organization = NetworkMembershipFactory().organization
        self.network = self.organization.networks.get()
        self.admin = member(self.organization, Role.ADMIN)
        self.practitioner = member(self.organization, Role.PRACTITIONER)
        self.peer = member(self.organization, Role.PEER_SUPPORTER)
        self.viewer = member(self.organization, Role.VIEWER)
        self.other = NetworkMembershipFactory(network=self.network).organization
        self.other_admin = member(self.other, Role.ADMIN)
        self.person = make_person(self.organization, by=self.admin, name=NAME)
        self.program = services.program_create(
            actor=self.admin, organization=self.organization, name="Wellbeing circle"
        )
        self.enrolment = services.enrolment_start(
            actor=self.admin, program=self.program, person_id=self.person.id
        )

    @property
    def slug(self):
        return self.organization.slug

    def person_url(self, rest=""):
        return f"/organizations/{self.slug}/people/{self.person.id}/{rest}"


@pytest.fixture
def s():
    return Setting()


def start(s, instrument="who-5", by=None):
    return services.checkin_start_by_staff(
        actor=by or s.practitioner, enrolment=s.enrolment, instrument=instrument
    )


def crisis_service(network=None, *, name="Riverbend crisis line", number="555-0199", code="1305"):
    taxonomy.ensure_default_taxonomy()
    organization = DirectoryOrganizationFactory(name="Valley helplines", network=network)
    service = ServiceFactory(organization=organization, name=name)
    Phone.objects.create(service=service, number=number, description="Day and night")
    Attribute.objects.create(
        link_id=service.id, link_entity="service", taxonomy_term_id=taxonomy.term_id(code)
    )
    return service


# --- programs ------------------------------------------------------------------------------------


class TestPrograms:
    def test_an_admin_lists_programs_and_creates_one(self, client, s):
        sign_in(client, s.admin)

        listed = client.get(f"/organizations/{s.slug}/programs/")
        created = client.post(
            f"/organizations/{s.slug}/programs/",
            {"name": "Morning walks", "description": "Walk and talk"},
        )

        assert listed.status_code == 200 and listed["Cache-Control"] == "no-store"
        assert "Wellbeing circle" in text(listed)
        program = Program.objects.get(name="Morning walks")
        assert program.organization == s.organization and program.description == "Walk and talk"
        assert program.privacy_budget == 10.0  # left out: the default
        assert created["Location"] == f"/organizations/{s.slug}/programs/{program.pk}/"
        assert AuditRecord.objects.filter(action="hearth.outcomes.program.created").count() == 2

    def test_a_program_needs_a_name_and_nothing_is_saved_without_one(self, client, s):
        before = snapshot()

        response = sign_in(client, s.admin).post(
            f"/organizations/{s.slug}/programs/", {"name": "  "}
        )

        assert response.status_code == 200
        assert "Give the program a name." in text(response)
        assert snapshot() == before

    @pytest.mark.parametrize("who", ["practitioner", "peer", "viewer", "other_admin"])
    def test_only_the_organizations_admins_reach_programs(self, client, s, who):
        sign_in(client, getattr(s, who))
        before = snapshot()
        missing = uuid.uuid4()

        responses = [
            client.get(f"/organizations/{s.slug}/programs/"),
            client.post(f"/organizations/{s.slug}/programs/", {"name": "Sneaky"}),
            client.get(f"/organizations/{s.slug}/programs/{s.program.pk}/"),
            client.get(f"/organizations/{s.slug}/programs/measures/"),
            client.post(
                f"/organizations/{s.slug}/programs/measures/",
                {"instrument": "phq-9", "enabled": "on"},
            ),
        ]
        nothing = client.get(f"/organizations/{s.slug}/programs/{missing}/")

        assert [r.status_code for r in responses] == [404] * 5
        assert all(page_body(r) == page_body(nothing) for r in responses)
        assert snapshot() == before
        assert all("Wellbeing circle" not in text(r) for r in responses)

    def test_the_enrolment_list_names_nobody_and_links_to_the_record(self, client, s):
        response = sign_in(client, s.admin).get(f"/organizations/{s.slug}/programs/{s.program.pk}/")

        body = text(response)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        assert "1 enrolment" in body
        assert NAME not in body
        assert f'href="/organizations/{s.slug}/people/{s.person.id}/check-ins/"' in body
        assert f"{timezone.localtime(s.enrolment.started_at):%-d %b %Y}" in body
        # Listing enrolments reads nobody's record.
        assert not AuditRecord.objects.filter(
            action__in=["hearth.people.person.read", "hearth.people.person.listed"],
            actor_id=s.admin.pk,
        ).exists()

    def test_the_enrolment_list_does_not_query_per_enrolment(
        self, client, s, django_assert_max_num_queries
    ):
        def enrol_someone():
            person = make_person(s.organization, by=s.admin, name="Someone")
            enrolment = services.enrolment_start(
                actor=s.admin, program=s.program, person_id=person.id
            )
            services.schedule_set(
                actor=s.admin, enrolment=enrolment, every_days=28, instrument="who-5"
            )
            done = services.checkin_start_by_staff(
                actor=s.admin, enrolment=enrolment, instrument="who-5"
            )
            services.checkin_complete(check_in_id=done.pk, answers={"who5_1": 3}, actor=s.admin)

        for _ in range(2):
            enrol_someone()
        sign_in(client, s.admin)
        url = f"/organizations/{s.slug}/programs/{s.program.pk}/"
        with django_assert_max_num_queries(40) as few:
            assert client.get(url).status_code == 200
        for _ in range(10):
            enrol_someone()

        with django_assert_max_num_queries(len(few)):
            response = client.get(url)

        assert "13 enrolments" in text(response)
        assert text(response).count("every 4 weeks") == 12


# --- measures ------------------------------------------------------------------------------------


def test_measures_for_trained_staff_start_off_and_an_admin_turns_one_on(client, s):
    sign_in(client, s.admin)

    before = client.get(f"/organizations/{s.slug}/programs/measures/")
    turned = client.post(
        f"/organizations/{s.slug}/programs/measures/", {"instrument": "phq-9", "enabled": "on"}
    )
    after = client.get(f"/organizations/{s.slug}/programs/measures/")

    def status(body, code):
        row = body.split(f'data-instrument="{code}"')[1].split("</tr>")[0]
        return "On" if ">On<" in row else "Off"

    assert [status(text(before), code) for code in ("who-5", "phq-9", "pcl-5", "pc-ptsd-5")] == [
        "On",
        "Off",
        "Off",
        "Off",
    ]
    assert "meant for trained staff" in text(before)
    assert turned.status_code == 302
    assert status(text(after), "phq-9") == "On"
    assert services.instrument_enabled(s.organization, "phq-9")


def test_an_unknown_measure_is_not_found_and_nothing_changes(client, s):
    sign_in(client, s.admin)
    before = snapshot()

    response = client.post(
        f"/organizations/{s.slug}/programs/measures/", {"instrument": "nope", "enabled": "on"}
    )

    assert response.status_code == 404
    assert snapshot() == before


# --- one person's check-ins ----------------------------------------------------------------------


class TestPersonPage:
    def test_a_practitioner_sees_enrolments_schedules_and_what_they_can_offer(self, client, s):
        services.schedule_set(
            actor=s.admin, enrolment=s.enrolment, every_days=28, instrument="who-5"
        )

        response = sign_in(client, s.practitioner).get(s.person_url("check-ins/"))

        body = text(response)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        assert NAME in body and "Wellbeing circle" in body
        assert "WHO-5 every 4 weeks" in body
        assert 'name="start-instrument" type="radio" value="who-5"' in body
        # Trained-staff measures are not offered until turned on.
        assert 'value="phq-9"' not in body
        assert AuditRecord.objects.filter(
            action="hearth.people.person.read",
            actor_id=s.practitioner.pk,
            detail__categories=["identity", "outcomes"],
        ).exists()

    def test_the_record_page_links_to_check_ins_for_those_who_read_outcomes(self, client, s):
        practitioner = text(sign_in(client, s.practitioner).get(s.person_url()))
        client.logout()
        peer = text(sign_in(client, s.peer).get(s.person_url()))

        assert s.person_url("check-ins/") in practitioner
        assert "Check-ins and progress" in practitioner
        assert s.person_url("check-ins/") not in peer

    @pytest.mark.parametrize("who", ["peer", "viewer", "other_admin"])
    def test_nobody_else_reaches_a_persons_check_ins(self, client, s, who):
        done = start(s)
        services.checkin_complete(check_in_id=done.pk, answers={"who5_1": 4}, actor=s.practitioner)
        open_one = start(s)
        user = getattr(s, who)
        sign_in(client, user)
        before = snapshot()
        missing = f"/organizations/{s.slug}/people/{uuid.uuid4()}/check-ins/"
        slugs = [s.slug] if who != "other_admin" else [s.slug, s.other.slug]
        responses = []
        for slug in slugs:
            base = f"/organizations/{slug}/people/{s.person.id}/"
            responses += [
                client.get(base + "check-ins/"),
                client.get(base + "progress/"),
                client.get(base + f"check-ins/{open_one.pk}/"),
                client.post(base + f"check-ins/{open_one.pk}/", WHO5_ALL),
                client.post(base + "check-ins/enrol/", {"enrol-program": str(s.program.pk)}),
                client.post(
                    base + "check-ins/start/",
                    {"start-enrolment": str(s.enrolment.pk), "start-instrument": "who-5"},
                ),
                client.post(
                    base + "check-ins/schedule/",
                    {
                        "schedule-enrolment": str(s.enrolment.pk),
                        "schedule-instrument": "who-5",
                        "schedule-every_weeks": "4",
                    },
                ),
            ]
        nothing = client.get(missing)

        assert {r.status_code for r in responses} == {404}
        assert all(page_body(r) == page_body(nothing) for r in responses)
        assert snapshot() == before
        assert all(NAME not in text(r) and "Wellbeing circle" not in text(r) for r in responses)

    def test_a_practitioner_enrols_sets_a_schedule_and_offers_a_check_in(self, client, s):
        walks = services.program_create(
            actor=s.admin, organization=s.organization, name="Morning walks"
        )
        sign_in(client, s.practitioner)

        enrolled = client.post(s.person_url("check-ins/enrol/"), {"enrol-program": str(walks.pk)})
        scheduled = client.post(
            s.person_url("check-ins/schedule/"),
            {
                "schedule-enrolment": str(s.enrolment.pk),
                "schedule-instrument": "who-5",
                "schedule-every_weeks": "4",
            },
        )
        started = client.post(
            s.person_url("check-ins/start/"),
            {"start-enrolment": str(s.enrolment.pk), "start-instrument": "who-5"},
        )

        assert enrolled["Location"] == scheduled["Location"] == s.person_url("check-ins/")
        assert Enrolment.objects.filter(program=walks, person=s.person).count() == 1
        schedule = CheckInSchedule.objects.get(enrolment=s.enrolment)
        assert (schedule.every_days, schedule.instrument) == (28, "who-5")
        check_in = CheckIn.objects.get(person=s.person)
        assert (check_in.status, check_in.started_by) == ("open", "practitioner")
        assert started["Location"] == s.person_url(f"check-ins/{check_in.pk}/")

    def test_a_schedule_needs_one_to_52_weeks_and_nothing_is_saved_otherwise(self, client, s):
        sign_in(client, s.practitioner)
        before = snapshot()

        response = client.post(
            s.person_url("check-ins/schedule/"),
            {
                "schedule-enrolment": str(s.enrolment.pk),
                "schedule-instrument": "who-5",
                "schedule-every_weeks": "60",
            },
        )

        assert response.status_code == 400
        assert "Say every how many weeks, from 1 to 52." in text(response)
        assert snapshot() == before

    def test_a_measure_that_is_off_cannot_be_offered(self, client, s):
        sign_in(client, s.practitioner)
        before = snapshot()

        response = client.post(
            s.person_url("check-ins/start/"),
            {"start-enrolment": str(s.enrolment.pk), "start-instrument": "phq-9"},
        )

        assert response.status_code == 400
        assert "Select a valid choice." in text(response)
        assert snapshot() == before


# --- the questionnaire ---------------------------------------------------------------------------


class TestQuestionnaire:
    def test_every_question_with_its_options_and_the_skip_note(self, client, s):
        check_in = start(s)

        response = sign_in(client, s.practitioner).get(s.person_url(f"check-ins/{check_in.pk}/"))

        body = text(response)
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        assert "You can skip any question." in body
        assert "1. I have felt cheerful and in good spirits" in body
        assert "5. My daily life has been filled with things that interest me" in body
        assert body.count('type="radio"') == 5 * 7  # six options and "skip" per question
        assert body.count(">Skip this question</label>") == 5
        assert "More than half of the time" in body
        assert "<script" not in body.split('id="main-content"')[1].split("</main>")[0]

    def test_the_options_come_in_spanish_from_the_instrument(self, client, s):
        check_in = start(s)
        sign_in(client, s.practitioner)
        client.cookies["hearth_language"] = "es"

        body = text(client.get(s.person_url(f"check-ins/{check_in.pk}/")))

        assert "Me he sentido alegre y de buen humor" in body
        assert "Más de la mitad del tiempo" in body

    def test_a_complete_questionnaire_is_saved_scored_and_shown_in_progress(self, client, s):
        check_in = start(s)
        sign_in(client, s.practitioner)

        response = client.post(s.person_url(f"check-ins/{check_in.pk}/"), WHO5_ALL)

        assert response["Location"] == s.person_url("progress/")
        record = access.access_person(
            user=s.practitioner,
            organization=s.organization,
            person_id=s.person.id,
            purpose=Purpose.CARE,
        )
        [row] = services.check_ins_of(record)
        assert row["answers"] == {key: 3 for key in WHO5_ALL}
        assert row["score"]["value"] == 60.0
        progress = text(client.get(s.person_url("progress/")))
        assert "The check-in is saved." in progress
        assert "Wellbeing holding up" in progress

    def test_skipped_questions_are_fine_and_leave_the_check_in_unscored(self, client, s):
        check_in = start(s)
        sign_in(client, s.practitioner)

        response = client.post(
            s.person_url(f"check-ins/{check_in.pk}/"),
            {"who5_1": "4", "who5_2": "", "who5_3": "2"},
        )

        assert response.status_code == 302
        record = access.access_person(
            user=s.practitioner,
            organization=s.organization,
            person_id=s.person.id,
            purpose=Purpose.CARE,
        )
        [row] = services.check_ins_of(record)
        assert row["answers"] == {"who5_1": 4, "who5_3": 2}
        assert row["score"] == {
            "not_scored": True,
            "missing": ["who5_2", "who5_4", "who5_5"],
        }
        body = text(client.get(s.person_url("progress/")))
        assert "Not scored" in body
        assert "A question was skipped, so this check-in has no score. That is fine." in body

    @pytest.mark.parametrize(
        ("language", "posted", "code"),
        [("en", "9", "out-of-range"), ("en", "lots", "wrong-type"), ("es", "9", "out-of-range")],
    )
    def test_a_tampered_answer_gets_a_field_error_in_the_readers_language_and_nothing_is_saved(
        self, client, s, language, posted, code
    ):
        # The library's own message, in the reader's language (see tests/outcomes/
        # test_instruments.py for the wording).
        params = {"lowest": 0, "highest": 5} if code == "out-of-range" else {}
        message = instruments.AnswerError(code, params).message_in(language)
        if language == "en":
            assert message in (
                "This answer is outside the choices offered (from 0 to 5).",
                "This answer is not one of the choices offered.",
            )
        check_in = start(s)
        sign_in(client, s.practitioner)
        client.cookies["hearth_language"] = language
        before = snapshot()

        response = client.post(
            s.person_url(f"check-ins/{check_in.pk}/"), {**WHO5_ALL, "who5_2": posted}
        )

        body = text(response)
        assert response.status_code == 400
        assert '<p id="id_who5_2-error" class="govuk-error-message">' in body
        error = body.split('id="id_who5_2-error"')[1].split("</p>")[0]
        assert message in error
        assert 'href="#id_who5_2_0"' in body  # the error summary links to the question
        assert snapshot() == before
        assert CheckIn.objects.get(pk=check_in.pk).status == "open"

    def test_another_organizations_check_in_is_not_found(self, client, s):
        elsewhere = Setting()
        theirs = services.checkin_start_by_staff(
            actor=elsewhere.practitioner, enrolment=elsewhere.enrolment, instrument="who-5"
        )
        sign_in(client, s.practitioner)
        before = snapshot()

        response = client.post(s.person_url(f"check-ins/{theirs.pk}/"), WHO5_ALL)

        assert response.status_code == 404
        assert snapshot() == before

    def test_a_finished_check_in_leads_back_to_the_check_ins(self, client, s):
        check_in = start(s)
        services.checkin_complete(check_in_id=check_in.pk, answers={}, actor=s.practitioner)

        response = sign_in(client, s.practitioner).get(s.person_url(f"check-ins/{check_in.pk}/"))

        assert response["Location"] == s.person_url("check-ins/")


# --- the safety pathway --------------------------------------------------------------------------


PHQ9_ITEM_9 = {f"phq9_{n}": "0" for n in range(1, 9)} | {"phq9_9": "1"}


class TestSafety:
    def turn_on_phq9(self, s):
        services.instrument_switch(
            actor=s.admin, organization=s.organization, code="phq-9", enabled=True
        )

    def test_item_9_shows_crisis_contacts_from_the_directory_at_once_and_raises_an_alert(
        self, client, s
    ):
        self.turn_on_phq9(s)
        crisis_service(s.network)
        crisis_service(None, name="Statewide warmline", number="555-0111")
        crisis_service(s.network, name="Food bank", code="1130")  # not crisis help
        check_in = start(s, "phq-9")
        sign_in(client, s.practitioner)

        response = client.post(s.person_url(f"check-ins/{check_in.pk}/"), PHQ9_ITEM_9, follow=True)

        body = text(response)
        assert response.redirect_chain == [(s.person_url(f"check-ins/{check_in.pk}/safety/"), 302)]
        assert "A safety follow-up is needed" in body
        assert "An alert has been raised" in body
        assert "Riverbend crisis line" in body and 'href="tel:555-0199"' in body
        assert "Statewide warmline" in body
        assert "Food bank" not in body
        [alert] = SafetyAlert.objects.all()
        assert alert.check_in_id == check_in.pk and alert.organization == s.organization
        notified = set(
            Notification.objects.filter(kind="outcomes.safety").values_list("user_id", flat=True)
        )
        assert notified == {s.admin.pk, s.practitioner.pk, s.peer.pk}

    def test_without_crisis_services_the_coordinators_organization_is_shown(self, client, s):
        self.turn_on_phq9(s)
        hub = NetworkMembershipFactory(
            network=s.network,
            organization__name="Valley Hub",
            organization__phone="555-0123",
        ).organization
        coordinator = CoordinatorFactory(network=s.network).user
        MembershipFactory(organization=hub, user=coordinator, role=Role.ADMIN)
        check_in = start(s, "phq-9")
        sign_in(client, s.practitioner)

        body = text(
            client.post(s.person_url(f"check-ins/{check_in.pk}/"), PHQ9_ITEM_9, follow=True)
        )

        assert "Valley Hub" in body and 'href="tel:555-0123"' in body

    def test_the_alert_is_raised_even_when_another_answer_needs_correcting(self, client, s):
        self.turn_on_phq9(s)
        crisis_service(s.network)
        check_in = start(s, "phq-9")
        sign_in(client, s.practitioner)

        response = client.post(
            s.person_url(f"check-ins/{check_in.pk}/"), {**PHQ9_ITEM_9, "phq9_1": "7"}
        )

        body = text(response)
        assert response.status_code == 400
        assert "This answer is outside the choices offered (from 0 to 3)." in body
        assert "Riverbend crisis line" in body and "data-safety" in body
        assert SafetyAlert.objects.filter(check_in=check_in).count() == 1
        assert CheckIn.objects.get(pk=check_in.pk).status == "open"

    def test_staff_see_waiting_follow_ups_and_mark_them_seen(self, client, s):
        self.turn_on_phq9(s)
        check_in = start(s, "phq-9")
        services.checkin_complete(
            check_in_id=check_in.pk, answers={"phq9_9": 2}, actor=s.practitioner
        )
        alert = SafetyAlert.objects.get()
        sign_in(client, s.peer)

        listed = client.get(f"/organizations/{s.slug}/safety-alerts/")
        seen = client.post(f"/organizations/{s.slug}/safety-alerts/{alert.pk}/acknowledge/")
        after = client.get(f"/organizations/{s.slug}/safety-alerts/")

        assert listed.status_code == 200 and listed["Cache-Control"] == "no-store"
        assert "1 waiting" in text(listed)
        assert s.person_url("check-ins/") in text(listed)
        assert NAME not in text(listed)
        assert seen["Location"] == f"/organizations/{s.slug}/safety-alerts/"
        alert.refresh_from_db()
        assert alert.acknowledged_by == s.peer and alert.acknowledged_at is not None
        assert "0 waiting" in text(after) and "Recently marked as seen" in text(after)

    @pytest.mark.parametrize("who", ["viewer", "other_admin"])
    def test_nobody_else_sees_or_acknowledges_follow_ups(self, client, s, who):
        self.turn_on_phq9(s)
        check_in = start(s, "phq-9")
        services.checkin_complete(
            check_in_id=check_in.pk, answers={"phq9_9": 2}, actor=s.practitioner
        )
        alert = SafetyAlert.objects.get()
        sign_in(client, getattr(s, who))
        before = snapshot()

        listed = client.get(f"/organizations/{s.slug}/safety-alerts/")
        seen = client.post(f"/organizations/{s.slug}/safety-alerts/{alert.pk}/acknowledge/")
        safety = client.get(s.person_url(f"check-ins/{check_in.pk}/safety/"))

        assert (listed.status_code, seen.status_code, safety.status_code) == (404, 404, 404)
        assert snapshot() == before

    def test_another_organizations_alert_cannot_be_acknowledged_through_ours(self, client, s):
        self.turn_on_phq9(s)
        check_in = start(s, "phq-9")
        services.checkin_complete(
            check_in_id=check_in.pk, answers={"phq9_9": 2}, actor=s.practitioner
        )
        alert = SafetyAlert.objects.get()
        sign_in(client, s.other_admin)
        before = snapshot()

        response = client.post(
            f"/organizations/{s.other.slug}/safety-alerts/{alert.pk}/acknowledge/"
        )

        assert response.status_code == 404
        assert snapshot() == before

    def test_there_is_no_safety_page_without_an_alert(self, client, s):
        check_in = start(s)
        services.checkin_complete(
            check_in_id=check_in.pk, answers={"who5_1": 0}, actor=s.practitioner
        )

        response = sign_in(client, s.practitioner).get(
            s.person_url(f"check-ins/{check_in.pk}/safety/")
        )

        assert response.status_code == 404


# --- reminders -----------------------------------------------------------------------------------


class TestReminders:
    def schedule(self, s, *, contact):
        from hearth.people import services as people_services

        people_services.person_update(
            actor=s.admin,
            organization=s.organization,
            person_id=s.person.id,
            category="contact",
            data=contact,
        )
        schedule = services.schedule_set(
            actor=s.practitioner, enrolment=s.enrolment, every_days=28, instrument="who-5"
        )
        CheckInSchedule.objects.filter(pk=schedule.pk).update(
            next_due_at=timezone.now() - timedelta(hours=1)
        )
        return schedule

    def test_a_person_whose_email_is_safe_gets_a_vague_email_once(self, s):
        schedule = self.schedule(
            s, contact={"emails": ["robin@mail.example"], "safe_channels": ["email"]}
        )

        call_command("checkins-remind")
        call_command("checkins-remind")

        [message] = mail.outbox
        assert message.to == ["robin@mail.example"]
        assert message.subject == "A reminder"
        for revealing in (s.organization.name, "Wellbeing", "WHO", "check-in", "Hearth"):
            assert revealing not in message.subject + message.body
        sent = AuditRecord.objects.get(action="hearth.people.contact.sent")
        assert sent.actor_id == s.practitioner.pk and sent.channel == "command"
        assert sent.detail["detail"] == "vague"
        schedule.refresh_from_db()
        assert schedule.last_reminded_at is not None
        assert not Notification.objects.filter(kind="outcomes.checkin_due").exists()

    def test_without_a_safe_way_the_staff_are_told_instead_and_the_refusal_is_recorded(self, s):
        self.schedule(s, contact={"phones": ["555 010 2030"], "safe_channels": ["text"]})

        call_command("checkins-remind")
        call_command("checkins-remind")

        assert mail.outbox == []
        refused = AuditRecord.objects.get(action="hearth.people.contact.refused")
        assert refused.detail["reasons"] == ["channel-not-safe", "no-address"]
        told = Notification.objects.filter(kind="outcomes.checkin_due")
        assert {n.user_id for n in told} == {s.admin.pk, s.practitioner.pk}
        assert {n.link for n in told} == {s.person_url("check-ins/")}
        reminded = AuditRecord.objects.get(action="hearth.outcomes.schedule.reminded")
        assert reminded.detail["how"] == "staff"

    def test_outside_the_safe_hours_it_waits_for_the_next_run(self, s):
        now = timezone.localtime()
        start_hour = (now.hour + 3) % 24
        self.schedule(
            s,
            contact={
                "emails": ["robin@mail.example"],
                "safe_channels": ["email"],
                "safe_from": f"{start_hour:02d}:00",
                "safe_until": f"{(start_hour + 1) % 24:02d}:00",
                "time_zone": str(timezone.get_current_timezone()),
            },
        )

        call_command("checkins-remind")

        assert mail.outbox == []
        assert not Notification.objects.filter(kind="outcomes.checkin_due").exists()
        assert CheckInSchedule.objects.get().last_reminded_at is None
        assert AuditRecord.objects.filter(action="hearth.people.contact.refused").count() == 1

    def test_a_schedule_not_yet_due_is_left_alone(self, s):
        services.schedule_set(
            actor=s.practitioner, enrolment=s.enrolment, every_days=28, instrument="who-5"
        )

        call_command("checkins-remind")

        assert mail.outbox == []
        assert not AuditRecord.objects.filter(action__startswith="hearth.people.contact").exists()
