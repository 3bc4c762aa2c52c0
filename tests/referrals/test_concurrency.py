"""Referrals under concurrent writers: many organizations' staff working on referrals to the same
service at once must neither deadlock nor break the audit chain."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from hearth.core import audit
from hearth.referrals import services
from hearth.referrals.models import Referral, ReferralEvent
from tests.people.factories import make_person

from .factories import pair, refer

LIFECYCLE = ("accepted", "in-progress", "completed")


def test_a_transition_locks_the_referral_row_alone(db):
    """Locking the joined service row too serialized every referral to a service and, on
    PostgreSQL, deadlocked against the audit chain head."""
    p = pair()
    referral = refer(p)
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        services.referral_transition(
            actor=p.receiver_staff,
            organization=p.receiver,
            referral_id=referral.pk,
            to_status="accepted",
        )

    reads = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    locking = [sql for sql in reads if "FOR UPDATE" in sql]
    assert all("directory_service" not in sql for sql in reads)
    if connection.features.has_select_for_update:
        assert len(locking) == 2  # the referral, then the audit chain head just before COMMIT
        assert 'FOR UPDATE OF "referrals_referral"' in locking[0]
        assert "core_auditchainhead" in locking[1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_lifecycles_on_one_service_all_complete_with_the_chain_intact():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database; SQLite serializes them anyway")
    p = pair()
    people = [make_person(p.sender, by=p.sender_staff) for _ in range(24)]
    expires = timezone.now() + timedelta(days=30)
    errors = []
    start = threading.Barrier(6)

    def work(batch):
        try:
            start.wait()
            for person in batch:
                referral = services.referral_create(
                    actor=p.sender_staff,
                    organization=p.sender,
                    person_id=person.id,
                    service_id=p.service.id,
                    categories=["identity"],
                    summary="",
                    expires_at=expires,
                    attestation="Agreed together",
                )
                for status in LIFECYCLE:
                    services.referral_transition(
                        actor=p.receiver_staff,
                        organization=p.receiver,
                        referral_id=referral.pk,
                        to_status=status,
                    )
        except Exception as error:  # reported below, with its type
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(people[n::6],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Referral.objects.filter(service=p.service, status="completed").count() == 24
    assert ReferralEvent.objects.filter(referral__service=p.service).count() == 24 * 5
    assert audit.verify_chain().intact
