"""The person's own check-in pages (/me/check-ins/, /me/progress/): their programs and due
check-ins, starting one themselves, the questionnaire with every question skippable, answers
refused in their language, support at once when the answers call for it, and their progress.

Titles are neutral, nothing is cached, and nobody else's check-in opens or changes."""

from __future__ import annotations

import re
import uuid

import pytest

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.outcomes import instruments, services
from hearth.outcomes.models import CheckIn, CheckInSchedule, SafetyAlert
from hearth.people import services as people_services
from tests.factories import MembershipFactory, NetworkMembershipFactory
from tests.outcomes.test_pages import crisis_service
from tests.people.factories import make_person

pytestmark = pytest.mark.django_db

PASSPHRASE = "quiet harbour lamp 42"
DASH = "\u2013"  # between a page's title and "Hearth"
# Words that must never appear in a portal page's <title>: it shows in tabs and history.
REVEALING_WORDS = (
    "abuse",
    "shelter",
    "victim",
    "violence",
    "assault",
    "survivor",
    "trauma",
    "ptsd",
    "depression",
    "who-5",
    "phq",
    "wellbeing",
    "harbor",
)


def text(response) -> str:
    return response.content.decode()


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", text(response), re.S)
    assert match, "the page has no <title>"
    return " ".join(match.group(1).split())


class Person:
    """A person held by Harbor Light, enrolled in its wellbeing circle, with their own pages."""

    def __init__(self, name="robin-river", organization=None):
        self.organization = (
            organization or NetworkMembershipFactory(organization__name="Harbor Light").organization
        )
        self.network = self.organization.networks.get()
        self.staff = MembershipFactory(organization=self.organization, role=Role.ADMIN).user
        self.person = make_person(self.organization, by=self.staff, name="Robin")
        self.program = services.program_create(
            actor=self.staff, organization=self.organization, name="Wellbeing circle"
        )
        self.enrolment = services.enrolment_start(
            actor=self.staff, program=self.program, person_id=self.person.id
        )
        token = people_services.portal_invitation_create(
            actor=self.staff, organization=self.organization, person_id=self.person.id
        )
        self.account = people_services.portal_account_create(
            token=token, sign_in_name=name, passphrase=PASSPHRASE
        )

    def sign_in(self, client):
        response = client.post(
            "/me/sign-in/", {"sign_in_name": self.account.sign_in_name, "passphrase": PASSPHRASE}
        )
        assert response.status_code == 302, text(response)[:2000]
        return client

    def start(self, instrument="who-5"):
        return services.checkin_start_by_person(
            account=self.account, enrolment_id=self.enrolment.pk, instrument=instrument
        )


@pytest.fixture
def p():
    return Person()


def snapshot() -> dict:
    return {
        "check_ins": sorted(
            (str(c.pk), c.status, bytes(c.sealed_answers)) for c in CheckIn.objects.all()
        ),
        "alerts": SafetyAlert.objects.count(),
        "notifications": Notification.objects.count(),
    }


def test_the_check_ins_page_shows_programs_due_check_ins_and_what_they_can_start(client, p):
    services.schedule_set(actor=p.staff, enrolment=p.enrolment, every_days=28, instrument="who-5")
    due = services.schedule_set(
        actor=p.staff, enrolment=p.enrolment, every_days=7, instrument="gad-7"
    )
    CheckInSchedule.objects.filter(pk=due.pk).update(next_due_at=due.next_due_at.replace(year=2000))

    response = p.sign_in(client).get("/me/check-ins/")

    body = text(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert title_of(response) == f"Check-ins {DASH} Hearth"
    assert "Wellbeing circle" in body and "With Harbor Light" in body
    assert "WHO-5 check-in every 4 weeks:" in body
    assert "GAD-7 check-in every week:" in body and "Due now" in body
    assert f'action="/me/check-ins/start/{p.enrolment.pk}/"' in body
    assert 'value="who-5"' in body
    # Measures for trained staff wait for staff to offer or schedule them.
    assert 'value="phq-9"' not in body


def test_a_trained_staff_measure_on_their_schedule_can_be_started(client, p):
    services.instrument_switch(
        actor=p.staff, organization=p.organization, code="phq-9", enabled=True
    )
    services.schedule_set(actor=p.staff, enrolment=p.enrolment, every_days=14, instrument="phq-9")

    body = text(p.sign_in(client).get("/me/check-ins/"))

    assert 'value="phq-9"' in body
    assert 'value="pcl-5"' not in body


def test_the_overview_links_to_check_ins_and_progress(client, p):
    body = text(p.sign_in(client).get("/me/"))

    assert 'href="/me/check-ins/"' in body and "My check-ins and progress" in body


def test_a_person_starts_answers_and_sees_their_progress(client, p):
    p.sign_in(client)

    started = client.post(f"/me/check-ins/start/{p.enrolment.pk}/", {"instrument": "who-5"})
    check_in = CheckIn.objects.get()
    page = client.get(started["Location"])
    done = client.post(
        f"/me/check-ins/{check_in.pk}/", {f"who5_{n}": "4" for n in range(1, 6)}, follow=True
    )

    assert started["Location"] == f"/me/check-ins/{check_in.pk}/"
    assert check_in.started_by == "person"
    assert title_of(page) == f"Check-in {DASH} Hearth"
    assert page["Cache-Control"] == "no-store"
    assert "You can skip any question." in text(page)
    assert done.redirect_chain == [("/me/progress/", 302)]
    body = text(done)
    assert title_of(done) == f"Your progress {DASH} Hearth"
    assert "Thank you. Your answers are saved." in body
    assert "You have one scored WHO-5 check-in" in body
    assert "Your latest score is 80: Wellbeing holding up." in body
    assert 'role="img"' in body
    assert AuditRecord.objects.filter(action="hearth.people.person.read_by_self").exists()


def test_skipping_questions_is_fine_and_said_kindly(client, p):
    check_in = p.start()
    p.sign_in(client)

    done = client.post(
        f"/me/check-ins/{check_in.pk}/", {"who5_1": "2", "who5_2": "", "who5_4": "1"}, follow=True
    )

    body = text(done)
    assert "Because some questions were skipped, this check-in has no score, and that is fine." in (
        body
    )
    assert "Not scored" in body
    assert CheckIn.objects.get().status == "completed"


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_tampered_answer_gets_an_error_in_their_language_and_nothing_is_saved(
    client, p, language
):
    check_in = p.start()
    p.sign_in(client)
    client.cookies["hearth_language"] = language
    before = snapshot()

    response = client.post(f"/me/check-ins/{check_in.pk}/", {"who5_1": "3", "who5_3": "-1"})

    body = text(response)
    expected = instruments.AnswerError("out-of-range", {"lowest": 0, "highest": 5}).message_in(
        language
    )
    assert response.status_code == 400
    if language == "en":
        assert title_of(response) == f"Error: Check-in {DASH} Hearth"
    assert expected in body.split('id="id_who5_3-error"')[1].split("</p>")[0]
    assert snapshot() == before


def test_answers_that_call_for_it_show_support_at_once(client, p):
    services.instrument_switch(
        actor=p.staff, organization=p.organization, code="phq-9", enabled=True
    )
    crisis_service(p.network, name="Valley crisis line", number="555-0100")
    practitioner = MembershipFactory(organization=p.organization, role=Role.PRACTITIONER).user
    check_in = p.start("phq-9")
    p.sign_in(client)

    response = client.post(
        f"/me/check-ins/{check_in.pk}/", {"phq9_9": "2", "phq9_1": "1"}, follow=True
    )

    body = text(response)
    assert response.redirect_chain == [(f"/me/check-ins/{check_in.pk}/support/", 302)]
    assert title_of(response) == f"Support {DASH} Hearth"
    assert response["Cache-Control"] == "no-store"
    assert "You do not have to face this alone" in body
    assert "call your local emergency number" in body
    assert "Valley crisis line" in body and 'href="tel:555-0100"' in body
    assert "Harbor Light has been told that you may want support" in body
    assert SafetyAlert.objects.filter(check_in=check_in).count() == 1
    assert Notification.objects.filter(user=practitioner, kind="outcomes.safety").count() == 1


def test_someone_elses_check_in_neither_opens_nor_changes(client, p):
    other = Person(name="sky-harbour", organization=p.organization)
    theirs = other.start()
    p.sign_in(client)
    before = snapshot()
    missing = uuid.uuid4()

    responses = [
        client.get(f"/me/check-ins/{theirs.pk}/"),
        client.post(f"/me/check-ins/{theirs.pk}/", {"who5_1": "1"}),
        client.get(f"/me/check-ins/{theirs.pk}/support/"),
        client.post(f"/me/check-ins/start/{other.enrolment.pk}/", {"instrument": "who-5"}),
    ]
    nothing = client.get(f"/me/check-ins/{missing}/")

    assert [r.status_code for r in responses] == [404] * 4
    assert nothing.status_code == 404
    assert snapshot() == before


def test_there_is_no_support_page_without_an_alert(client, p):
    check_in = p.start()
    services.checkin_complete(check_in_id=check_in.pk, answers={}, account=p.account)

    response = p.sign_in(client).get(f"/me/check-ins/{check_in.pk}/support/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/me/check-ins/", "/me/progress/", "/me/check-ins/6f1c1a4e-3b1d-4c8e-9a55-2f7d0c9e1b20/"],
)
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/me/sign-in/?next=")
    assert response["Cache-Control"] == "no-store"


def test_every_portal_title_is_neutral(client, p):
    services.instrument_switch(
        actor=p.staff, organization=p.organization, code="pcl-5", enabled=True
    )
    services.schedule_set(actor=p.staff, enrolment=p.enrolment, every_days=28, instrument="pcl-5")
    check_in = p.start("pcl-5")
    done = p.start()
    services.checkin_complete(
        check_in_id=done.pk, answers={f"who5_{n}": 2 for n in range(1, 6)}, account=p.account
    )
    p.sign_in(client)

    for path in ("/me/check-ins/", f"/me/check-ins/{check_in.pk}/", "/me/progress/"):
        response = client.get(path)
        assert response.status_code == 200
        title = title_of(response).lower()
        assert not [word for word in REVEALING_WORDS if word in title], (path, title)


def test_the_demo_gives_sam_river_a_due_check_in_and_two_earlier_ones_once(client):
    from hearth.accounts.demo import load_demo
    from hearth.core.audit import verify_chain
    from hearth.people import demo as people_demo

    load_demo()
    load_demo()

    check_ins = CheckIn.objects.filter(
        person__portal_link__account__sign_in_name="sam-river"
    ).select_related("form")
    assert [
        (c.instrument, c.form.form_id if c.form else "", c.status, c.person.holder.slug)
        for c in check_ins
    ] == [
        ("", "weekly_check_in", "open", "harbor-house"),
        ("who-5", "", "completed", "harbor-house"),
        ("who-5", "", "completed", "harbor-house"),
    ]
    [schedule] = CheckInSchedule.objects.filter(enrolment__person=check_ins[0].person)
    assert (schedule.every_days, schedule.instrument) == (28, "who-5")
    assert verify_chain().intact
    response = client.post(
        "/me/sign-in/",
        {"sign_in_name": people_demo.PORTAL_SIGN_IN, "passphrase": people_demo.PORTAL_PASSPHRASE},
    )
    assert response.status_code == 302
    page = text(client.get("/me/check-ins/"))
    progress = text(client.get("/me/progress/"))
    assert "Wellbeing circle" in page and "Due now" in page
    assert "Continue the Weekly check-in check-in started on" in page
    assert "Meaningful improvement (+12)" in progress
