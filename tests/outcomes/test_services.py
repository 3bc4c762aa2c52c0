from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord, Notification
from hearth.outcomes import instruments, selectors, services
from hearth.outcomes.models import CheckIn, EvaluationScore, SafetyAlert
from hearth.people import access
from hearth.people import services as people_services
from hearth.people.models import Category, Purpose
from tests.factories import OrganizationFactory
from tests.people.factories import make_person, staff

pytestmark = pytest.mark.django_db

WHO5 = {f"who5_{n}": 3 for n in range(1, 6)}  # raw 15, 60 %


def setting_up(organization=None):
    organization = organization or OrganizationFactory()
    admin = staff(organization, Role.ADMIN)
    program = services.program_create(
        actor=admin, organization=organization, name="Wellbeing circle"
    )
    return organization, admin, program


def enrol(program, admin, *, evaluation=False, name="Robin"):
    person = make_person(program.organization, by=admin, name=name)
    if evaluation:
        people_services.consent_record(
            actor=admin,
            organization=program.organization,
            person_id=person.id,
            recipient_organization=program.organization,
            categories=[Category.OUTCOMES],
            purpose=Purpose.EVALUATION,
            expires_at=timezone.now() + timedelta(days=200),
            attestation="Agreed to be counted",
        )
    return services.enrolment_start(actor=admin, program=program, person_id=person.id)


def check_in(admin, enrolment, answers, instrument="who-5"):
    started = services.checkin_start_by_staff(
        actor=admin, enrolment=enrolment, instrument=instrument
    )
    return services.checkin_complete(check_in_id=started.pk, answers=answers, actor=admin)


def test_a_completed_check_in_is_sealed_scored_and_read_back_through_the_gate():
    _org, admin, program = setting_up()
    enrolment = enrol(program, admin)

    done = check_in(admin, enrolment, WHO5)

    stored = CheckIn.objects.get(pk=done.pk)
    assert stored.status == "completed"
    assert b"who5_1" not in bytes(stored.sealed_answers)
    record = access.access_person(
        user=admin,
        organization=program.organization,
        person_id=enrolment.person_id,
        purpose=Purpose.CARE,
    )
    [row] = services.check_ins_of(record)
    assert row["answers"] == WHO5
    assert row["score"]["total"] == 15 and row["score"]["value"] == 60.0


def test_every_question_may_be_skipped_and_then_nothing_is_scored():
    _org, admin, program = setting_up()
    enrolment = enrol(program, admin)

    done = check_in(admin, enrolment, {"who5_1": 4, "who5_2": None})

    record = access.access_person(
        user=admin,
        organization=program.organization,
        person_id=enrolment.person_id,
        purpose=Purpose.CARE,
    )
    [row] = services.check_ins_of(record)
    assert row["score"] == {"not_scored": True, "missing": ["who5_2", "who5_3", "who5_4", "who5_5"]}
    assert done.status == "completed"
    assert EvaluationScore.objects.count() == 0


def test_an_out_of_range_answer_is_refused_and_nothing_is_saved():
    _org, admin, program = setting_up()
    enrolment = enrol(program, admin)
    started = services.checkin_start_by_staff(actor=admin, enrolment=enrolment, instrument="who-5")

    with pytest.raises(instruments.InvalidAnswers) as invalid:
        services.checkin_complete(check_in_id=started.pk, answers={"who5_1": 9}, actor=admin)

    assert invalid.value.codes == {"who5_1": "out-of-range"}
    assert CheckIn.objects.get(pk=started.pk).status == "open"


def test_phq9_item_9_raises_the_safety_pathway_at_once_even_with_other_answers_missing(settings):
    organization, admin, program = setting_up()
    services.instrument_switch(actor=admin, organization=organization, code="phq-9", enabled=True)
    enrolment = enrol(program, admin)
    practitioner = staff(organization)

    check_in(admin, enrolment, {"phq9_9": 1}, instrument="phq-9")

    [alert] = SafetyAlert.objects.all()
    assert alert.organization == organization and alert.acknowledged_at is None
    assert Notification.objects.filter(user=practitioner, kind="outcomes.safety").count() == 1
    assert AuditRecord.objects.filter(action="hearth.outcomes.safety.raised").count() == 1


def test_instruments_for_trained_staff_are_off_until_an_admin_turns_them_on():
    organization, admin, program = setting_up()
    enrolment = enrol(program, admin)

    with pytest.raises(Exception, match="not turned this measure on"):
        services.checkin_start_by_staff(actor=admin, enrolment=enrolment, instrument="pcl-5")

    services.instrument_switch(actor=admin, organization=organization, code="pcl-5", enabled=True)
    assert services.checkin_start_by_staff(actor=admin, enrolment=enrolment, instrument="pcl-5")


def test_only_consented_scores_reach_evaluation_and_withdrawal_removes_them():
    _org, admin, program = setting_up()
    counted = enrol(program, admin, evaluation=True, name="Counted")
    not_counted = enrol(program, admin, name="Private")

    check_in(admin, counted, WHO5)
    check_in(admin, not_counted, WHO5)

    [score] = EvaluationScore.objects.all()
    assert score.score == 60.0 and score.pseudonym == services.pseudonym(
        counted.person_id, program.pk
    )
    assert "Counted" not in str(score.__dict__)
    consent = counted.person.consents.get(purpose=Purpose.EVALUATION)
    people_services.consent_revoke(consent=consent, by_person=True)
    assert EvaluationScore.objects.count() == 0


def _series(program, admin, scores, prefix):
    for number, (first, last) in enumerate(scores):
        enrolment = enrol(program, admin, evaluation=True, name=f"{prefix}{number}")
        check_in(admin, enrolment, {f"who5_{n}": first for n in range(1, 6)})
        check_in(admin, enrolment, {f"who5_{n}": last for n in range(1, 6)})


def test_the_program_report_counts_people_with_a_baseline_and_a_follow_up(settings):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    _org, admin, program = setting_up()
    _series(program, admin, [(1, 5)] * 3 + [(2, 2)] * 3, "P")  # 20 % → 100 %; 40 % → 40 %
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)

    [report] = selectors.program_report(program, since=since, until=until)

    assert (report.people_measured, report.people_with_follow_up) == (6, 6)
    assert report.mean_change == 40.0  # three +80, three 0
    assert [report.changes.value(r, 0) for r in range(3)] == [3, 3, 0]
    assert (report.improved_share, report.deteriorated_share) == (50, 0)


def test_a_small_cell_in_the_report_is_hidden_with_its_complement(settings):
    settings.HEARTH_SUPPRESSION_THRESHOLD = 3
    _org, admin, program = setting_up()
    _series(program, admin, [(1, 5)] * 3 + [(2, 2)], "P")
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)

    [report] = selectors.program_report(program, since=since, until=until)

    # One person unchanged: hidden; with the total of 4 shown, the 3 improved would give it
    # away, so they are hidden too. No share is published from a hidden count.
    assert [report.changes.value(r, 0) for r in range(3)] == [None, None, 0]
    assert report.people_with_follow_up == 4
    assert report.improved_share is None


def test_too_few_people_give_no_figures_and_no_error(settings):
    _org, admin, program = setting_up()  # threshold 11
    _series(program, admin, [(1, 5)] * 2, "P")
    since, until = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)

    [report] = selectors.program_report(program, since=since, until=until)

    assert report.people_measured is None
    assert report.people_with_follow_up is None
    assert report.mean_change is None
    assert [report.changes.value(r, 0) for r in range(3)] == [None, 0, 0]
    assert report.changes.grand_total() is None
