"""Check-ins with an uploaded custom form (XLSForm), through the real pages and services, on the
staff side and in the person's own pages: offered or started within an enrolment, shown by the
form engine with relevance and constraints applied on the server (no JavaScript), every
question skippable — `required` included — answers sealed under the person's key and read
only through the gate, and the answers in the person's history.

The form is the demo's weekly check-in (hearth/outcomes/data/weekly_check_in.xlsx): a choice,
a number from 0 to 7, several choices of which "Something else" brings up a follow-up, and a
free-text question the form marks required."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.html import escape

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord
from hearth.outcomes import form_services, services
from hearth.outcomes.models import CheckIn, CheckInSchedule, CustomForm, EvaluationScore
from hearth.people import access
from hearth.people.models import Category, Purpose
from tests.conftest import sign_in
from tests.outcomes.test_pages import Setting, member, page_body
from tests.outcomes.test_pages import snapshot as staff_snapshot
from tests.outcomes.test_portal_pages import DASH, Person, title_of
from tests.outcomes.test_portal_pages import snapshot as portal_snapshot

pytestmark = pytest.mark.django_db

WEEKLY = Path(form_services.__file__).with_name("data") / "weekly_check_in.xlsx"
SHOWN = ["week", "nights", "helped", "wish"]
SECRET = "my sister Araminta helped"


def text(response) -> str:
    return response.content.decode()


def upload_weekly(organization, admin, use=CustomForm.Use.CHECK_IN) -> CustomForm:
    return form_services.custom_form_upload(
        actor=admin,
        organization=organization,
        file=SimpleUploadedFile("weekly_check_in.xlsx", WEEKLY.read_bytes()),
        use=use,
    )


@pytest.fixture
def s():
    setting = Setting()
    setting.form = upload_weekly(setting.organization, setting.admin)
    return setting


@pytest.fixture
def p():
    person = Person()
    person.form = upload_weekly(person.organization, person.staff)
    return person


def read_back(organization, user, person_id) -> list[dict]:
    record = access.access_person(
        user=user,
        organization=organization,
        person_id=person_id,
        purpose=Purpose.CARE,
        categories=[Category.IDENTITY, Category.OUTCOMES],
    )
    return services.check_ins_of(record)


# --- staff -----------------------------------------------------------------------------------


def test_staff_offer_the_form_and_it_is_answered_with_a_required_question_skipped(client, s):
    sign_in(client, s.practitioner)
    record_page = client.get(s.person_url("check-ins/"))
    assert f'value="form:{s.form.pk}"' in text(record_page)
    assert "Weekly check-in" in text(record_page)

    started = client.post(
        s.person_url("check-ins/start/"),
        {
            "start-enrolment": str(s.enrolment.pk),
            "start-instrument": f"form:{s.form.pk}",
        },
    )
    check_in = CheckIn.objects.get()
    url = s.person_url(f"check-ins/{check_in.pk}/")
    page = client.get(url)

    assert started.status_code == 302 and started["Location"] == url
    assert (check_in.form, check_in.instrument, check_in.started_by) == (
        s.form,
        "",
        "practitioner",
    )
    body = text(page)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "A few questions about your week. Skip anything you like." in body
    assert 'name="nights" type="text" inputmode="numeric"' in body
    assert 'name="helped_other"' not in body  # not relevant yet
    assert "You can skip any question" in body

    # "Something else" brings up its follow-up on the next page, without errors and unsaved.
    more = client.post(url, {"hearth:shown": SHOWN, "week": "mixed", "helped": ["other"]})
    body = text(more)
    assert more.status_code == 200
    assert 'name="helped_other"' in body
    assert "data-more-questions" in body
    assert CheckIn.objects.get().status == "open"

    # The follow-up answered, the required question left blank: saved.
    done = client.post(
        url,
        {
            "hearth:shown": [*SHOWN, "helped_other"],
            "week": "mixed",
            "nights": "5",
            "helped": ["other", "outdoors"],
            "helped_other": SECRET,
            "wish": "",
        },
    )

    assert done.status_code == 302 and done["Location"] == s.person_url("check-ins/")
    check_in.refresh_from_db()
    assert check_in.status == "completed"
    assert SECRET.encode() not in bytes(check_in.sealed_answers)
    assert bytes(check_in.sealed_score) == b""
    [row] = read_back(s.organization, s.practitioner, s.person.id)
    assert row["answers"] == {
        "week": "mixed",
        "nights": 5,
        "helped": ["outdoors", "other"],
        "helped_other": SECRET,
    }
    assert row["score"] is None
    assert EvaluationScore.objects.count() == 0
    completed = AuditRecord.objects.get(action="hearth.outcomes.checkin.completed")
    assert completed.detail["form"] == str(s.form.pk)
    assert SECRET not in str(completed.detail)


def test_the_answers_are_in_their_history_with_the_skipped_question_marked(client, s):
    check_in = services.checkin_start_by_staff(
        actor=s.practitioner, enrolment=s.enrolment, form=s.form
    )
    services.checkin_complete(
        check_in_id=check_in.pk,
        answers={"week": "hard", "nights": "2", "helped": "people"},
        actor=s.practitioner,
    )
    sign_in(client, s.practitioner)

    record_page = text(client.get(s.person_url("check-ins/")))
    progress = client.get(s.person_url("progress/"))

    assert "Weekly check-in" in record_page
    assert "A form: answers kept, no score" in record_page
    body = text(progress)
    assert progress.status_code == 200
    assert "data-form-check-ins" in body
    assert "How has this week been for you?" in body and ">Hard<" in body
    assert "Time with people I trust" in body
    assert body.count("data-skipped") == 1  # the required "anything you would like us to know"
    assert "Is there anything you would like us to know?" in body


def test_a_wrong_answer_is_refused_on_its_question_in_the_readers_language(client, s):
    check_in = services.checkin_start_by_staff(
        actor=s.practitioner, enrolment=s.enrolment, form=s.form
    )
    sign_in(client, s.practitioner)
    client.cookies["hearth_language"] = "es"
    before = staff_snapshot()

    response = client.post(
        s.person_url(f"check-ins/{check_in.pk}/"),
        {"hearth:shown": SHOWN, "nights": "9", "helped": ["none", "people"]},
    )

    body = text(response)
    assert response.status_code == 400
    assert "Escriba un número de 0 a 7" in body
    assert escape('"Nada esta semana" no puede ir con otras respuestas') in body
    assert 'href="#q-nights"' in body
    assert "Cuéntenos, o déjelo en blanco" not in body  # required is never enforced
    assert staff_snapshot() == before


@pytest.mark.parametrize("role", [Role.PEER_SUPPORTER, Role.VIEWER, "other-admin", "nobody"])
def test_nobody_else_opens_or_answers_a_form_check_in(client, s, role):
    check_in = services.checkin_start_by_staff(
        actor=s.practitioner, enrolment=s.enrolment, form=s.form
    )
    user = {
        Role.PEER_SUPPORTER: s.peer,
        Role.VIEWER: s.viewer,
        "other-admin": s.other_admin,
        "nobody": member(s.other, Role.PRACTITIONER),
    }[role]
    sign_in(client, user)
    before = staff_snapshot()
    newest = AuditRecord.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    url = s.person_url(f"check-ins/{check_in.pk}/")
    responses = [
        client.get(url),
        client.post(url, {"hearth:shown": SHOWN, "week": "good"}),
        client.post(
            s.person_url("check-ins/start/"),
            {"start-enrolment": str(s.enrolment.pk), "start-instrument": f"form:{s.form.pk}"},
        ),
    ]
    missing = client.get(s.person_url(f"check-ins/{uuid.uuid4()}/"))

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert missing.status_code == 404
    assert page_body(responses[0]).replace(str(check_in.pk), "?") == page_body(missing).replace(
        str(missing.wsgi_request.resolver_match.kwargs["check_in_id"]), "?"
    )
    for response in responses:
        assert "Weekly check-in" not in text(response)
        assert "How has this week" not in text(response)
    assert staff_snapshot() == before
    assert not AuditRecord.objects.filter(
        sequence__gt=newest or 0, action__startswith="hearth.outcomes"
    ).exists()


def test_a_form_of_another_organization_or_a_self_assessment_cannot_be_a_check_in(s):
    elsewhere = upload_weekly(s.other, s.other_admin)
    assessment = upload_weekly(s.organization, s.admin, use=CustomForm.Use.SELF_ASSESSMENT)
    before = staff_snapshot()

    for custom_form in (elsewhere, assessment):
        with pytest.raises(ValidationError):
            services.checkin_start_by_staff(
                actor=s.practitioner, enrolment=s.enrolment, form=custom_form
            )
        with pytest.raises(ValidationError):
            services.schedule_set(
                actor=s.practitioner, enrolment=s.enrolment, every_days=7, form=custom_form
            )

    assert staff_snapshot() == before


def test_tampered_answers_are_refused_by_the_service_and_nothing_is_saved(s):
    check_in = services.checkin_start_by_staff(
        actor=s.practitioner, enrolment=s.enrolment, form=s.form
    )
    before = staff_snapshot()

    with pytest.raises(services.InvalidFormAnswers) as refused:
        services.checkin_complete(
            check_in_id=check_in.pk,
            answers={"nights": "lots", "week": "fabulous"},
            actor=s.practitioner,
            language="en",
        )

    assert refused.value.errors == {
        "week": "Choose one of the options",
        "nights": "Enter a whole number",
    }
    assert staff_snapshot() == before


def test_a_hidden_answer_is_dropped_and_calculations_are_not_taken_from_the_post(s):
    check_in = services.checkin_start_by_staff(
        actor=s.practitioner, enrolment=s.enrolment, form=s.form
    )

    services.checkin_complete(
        check_in_id=check_in.pk,
        # "helped_other" is only asked after "Something else": posted anyway, it is not kept.
        answers={"helped": ["people"], "helped_other": SECRET, "introduction": "x"},
        actor=s.practitioner,
    )

    [row] = read_back(s.organization, s.practitioner, s.person.id)
    assert row["answers"] == {"helped": ["people"]}


def test_staff_schedule_the_form_and_it_shows_by_its_title(client, s):
    sign_in(client, s.practitioner)

    response = client.post(
        s.person_url("check-ins/schedule/"),
        {
            "schedule-enrolment": str(s.enrolment.pk),
            "schedule-instrument": f"form:{s.form.pk}",
            "schedule-every_weeks": "2",
        },
    )

    assert response.status_code == 302
    schedule = CheckInSchedule.objects.get()
    assert (schedule.form, schedule.instrument, schedule.every_days) == (s.form, "", 14)
    assert "Weekly check-in every 2 weeks" in text(client.get(s.person_url("check-ins/")))


# --- the person's own pages ------------------------------------------------------------------


def test_a_person_starts_the_form_skips_a_question_and_sees_their_answers(client, p):
    p.sign_in(client)
    listing = text(client.get("/me/check-ins/"))
    assert f'value="form:{p.form.pk}"' in listing

    started = client.post(
        f"/me/check-ins/start/{p.enrolment.pk}/", {"instrument": f"form:{p.form.pk}"}
    )
    check_in = CheckIn.objects.get()
    page = client.get(started["Location"])
    done = client.post(
        f"/me/check-ins/{check_in.pk}/",
        {"hearth:shown": SHOWN, "week": "good", "nights": "6", "helped": "circle"},
        follow=True,
    )

    assert started["Location"] == f"/me/check-ins/{check_in.pk}/"
    assert (check_in.started_by, check_in.form) == ("person", p.form)
    assert title_of(page) == f"Check-in {DASH} Hearth"
    assert page["Cache-Control"] == "no-store"
    assert "Weekly check-in" in text(page)
    assert done.redirect_chain == [("/me/progress/", 302)]
    body = text(done)
    assert title_of(done) == f"Your progress {DASH} Hearth"
    assert "Thank you. Your answers are saved." in body
    assert "Mostly good" in body and "The wellbeing circle" in body
    assert body.count("data-skipped") == 1
    assert AuditRecord.objects.filter(
        action="hearth.outcomes.checkin.completed", actor_id__isnull=True
    ).exists()


def test_the_form_is_shown_in_spanish_to_a_spanish_reader(client, p):
    check_in = services.checkin_start_by_person(
        account=p.account, enrolment_id=p.enrolment.pk, form_id=p.form.pk
    )
    p.sign_in(client)
    client.cookies["hearth_language"] = "es"

    page = text(client.get(f"/me/check-ins/{check_in.pk}/"))
    refused = client.post(f"/me/check-ins/{check_in.pk}/", {"hearth:shown": SHOWN, "nights": "8"})

    assert '<div lang="es">' in page
    assert "¿Cómo ha sido esta semana para usted?" in page and "Con altibajos" in page
    assert refused.status_code == 400
    assert "Escriba un número de 0 a 7" in text(refused)


def test_a_started_form_check_in_can_be_continued_from_the_list(client, p):
    check_in = services.checkin_start_by_person(
        account=p.account, enrolment_id=p.enrolment.pk, form_id=p.form.pk
    )

    body = text(p.sign_in(client).get("/me/check-ins/"))

    assert f'href="/me/check-ins/{check_in.pk}/"' in body
    assert "Continue the Weekly check-in check-in" in body


def test_someone_elses_form_check_in_neither_opens_nor_changes(client, p):
    other = Person(name="sky-harbour", organization=p.organization)
    theirs = services.checkin_start_by_person(
        account=other.account, enrolment_id=other.enrolment.pk, form_id=p.form.pk
    )
    p.sign_in(client)
    before = portal_snapshot()

    responses = [
        client.get(f"/me/check-ins/{theirs.pk}/"),
        client.post(f"/me/check-ins/{theirs.pk}/", {"hearth:shown": SHOWN, "week": "hard"}),
        client.post(
            f"/me/check-ins/start/{other.enrolment.pk}/", {"instrument": f"form:{p.form.pk}"}
        ),
    ]

    assert [r.status_code for r in responses] == [404] * 3
    for response in responses:
        assert "Weekly check-in" not in text(response)
    assert portal_snapshot() == before


def test_a_person_cannot_start_a_form_of_another_organization(client, p):
    elsewhere = Person(name="elm-harbour")
    theirs = upload_weekly(elsewhere.organization, elsewhere.staff)
    p.sign_in(client)
    before = portal_snapshot()

    response = client.post(
        f"/me/check-ins/start/{p.enrolment.pk}/", {"instrument": f"form:{theirs.pk}"}
    )

    assert response.status_code == 400
    assert "govuk-error-summary" in text(response)
    assert f'value="form:{theirs.pk}"' not in text(response)
    assert portal_snapshot() == before
