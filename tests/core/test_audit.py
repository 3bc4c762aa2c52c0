import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from hearth.core import audit
from hearth.core.models import AuditChainHead, AuditRecord
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def drop_database_guards():
    """What someone with direct database access would do before tampering."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER core_auditrecord_no_change ON core_auditrecord")
        else:
            cursor.execute("DROP TRIGGER core_auditrecord_no_update")


def write_records(count):
    actor = UserFactory()
    organization = OrganizationFactory()
    return [
        audit.record(
            actor=actor,
            action="hearth.core.test.happened",
            target=organization,
            organization=organization,
            purpose="testing",
            detail={"n": n},
        )
        for n in range(count)
    ]


def test_records_are_chained_by_hash():
    first, second, third = write_records(3)

    assert first.previous_hash == audit.GENESIS_HASH
    assert second.previous_hash == first.record_hash
    assert third.previous_hash == second.record_hash
    assert third.record_hash == audit.compute_hash(AuditRecord.objects.get(pk=third.pk))
    assert AuditChainHead.objects.get().last_hash == third.record_hash


def test_record_names_actor_target_scope_and_purpose():
    actor = UserFactory(email="worker@example.org")
    organization = OrganizationFactory()

    entry = audit.record(
        actor=actor,
        action="hearth.accounts.organization.updated",
        target=organization,
        organization=organization,
        purpose="keeping details current",
    )

    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.actor_id == actor.pk
    assert stored.actor_label == "worker@example.org"
    assert stored.target_type == "accounts.organization"
    assert stored.target_id == str(organization.pk)
    assert stored.organization_id == organization.pk
    assert stored.purpose == "keeping details current"
    assert stored.channel == AuditRecord.Channel.SYSTEM


def test_action_codes_must_be_dotted_and_namespaced():
    with pytest.raises(ValueError, match=r"hearth\.<app>\.<entity>\.<verb>"):
        audit.record(actor=None, action="updated")
    assert AuditRecord.objects.count() == 0


def test_an_intact_trail_verifies():
    write_records(5)

    report = audit.verify_chain()

    assert report.intact
    assert report.checked == 5


def test_an_empty_trail_verifies():
    assert audit.verify_chain().intact


def test_a_tampered_row_is_found_by_audit_verify(capsys):
    records = write_records(5)
    drop_database_guards()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditrecord SET purpose = %s WHERE sequence = %s",
            ["something else", records[2].sequence],
        )

    report = audit.verify_chain()
    assert report.broken_at == records[2].sequence
    assert report.checked == 2
    assert report.problem == "its contents do not match its hash"
    with pytest.raises(CommandError, match=rf"broken at record #{records[2].sequence}:"):
        call_command("audit-verify")


def test_a_rehashed_tampered_row_breaks_the_next_link():
    records = write_records(4)
    drop_database_guards()
    forged = AuditRecord.objects.get(pk=records[1].pk)
    forged.purpose = "rewritten"
    forged_hash = audit.compute_hash(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditrecord SET purpose = %s, record_hash = %s WHERE sequence = %s",
            ["rewritten", forged_hash, records[1].sequence],
        )

    report = audit.verify_chain()

    assert report.broken_at == records[2].sequence
    assert "link" in report.problem


def test_a_deleted_row_is_found():
    records = write_records(4)
    drop_database_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditrecord WHERE sequence = %s", [records[1].sequence])

    assert audit.verify_chain().broken_at == records[2].sequence


def test_removing_the_newest_rows_is_found():
    records = write_records(3)
    drop_database_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditrecord WHERE sequence = %s", [records[2].sequence])

    report = audit.verify_chain()

    assert report.broken_at == records[2].sequence
    assert "missing" in report.problem


def test_audit_verify_reports_an_intact_trail(capsys):
    write_records(2)

    call_command("audit-verify")

    assert capsys.readouterr().out.strip() == "Audit trail intact: 2 records checked."


def test_records_cannot_be_changed_or_deleted_through_the_orm():
    (entry,) = write_records(1)
    entry.purpose = "changed"

    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditRecord.objects.filter(pk=entry.pk).update(purpose="changed")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditRecord.objects.get(pk=entry.pk).purpose == "testing"


def test_the_database_refuses_updates_to_records():
    (entry,) = write_records(1)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditrecord SET purpose = 'x' WHERE sequence = %s", [entry.sequence]
        )

    assert AuditRecord.objects.get(pk=entry.pk).purpose == "testing"
    assert audit.verify_chain().intact


def test_a_record_written_during_a_request_names_its_origin(client, settings):
    user = UserFactory()
    client.force_login(user)

    client.post("/account/", {"full_name": "New Name", "preferred_language": "en"})

    entry = AuditRecord.objects.get(action="hearth.accounts.user.updated")
    assert entry.channel == AuditRecord.Channel.WEB
    assert entry.origin_address == "127.0.0.1"
    assert entry.actor_id == user.pk


# --- records made inside a transaction are written last, when it commits (hearth/core/db) ---


def _change_and_record(organization, actor, n):
    organization.name = f"Renamed {n}"
    organization.save(update_fields=["name"])
    return audit.record(
        actor=actor,
        action="hearth.core.test.happened",
        target=organization,
        organization=organization,
        detail={"n": n},
    )


@pytest.mark.django_db(transaction=True)
def test_records_wait_for_the_commit_and_are_its_last_statements():
    actor, organization = UserFactory(), OrganizationFactory()
    _change_and_record(organization, actor, 0)  # the chain has a head from here on
    statements = []

    def watch(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch), transaction.atomic():
        first = _change_and_record(organization, actor, 1)
        second = _change_and_record(organization, actor, 2)
        assert AuditRecord.objects.filter(action="hearth.core.test.happened").count() == 1
        assert first.sequence is None
        statements.clear()

    written = list(AuditRecord.objects.filter(action="hearth.core.test.happened", detail__n__gt=0))
    assert [record.detail["n"] for record in written] == [1, 2]
    assert written[1].previous_hash == written[0].record_hash
    assert (first.sequence, second.sequence) == (written[0].sequence, written[1].sequence)
    # Between the last change and COMMIT: lock the chain head, insert both records, move the head.
    assert len(statements) == 3
    assert "core_auditchainhead" in statements[0] and "core_auditrecord" in statements[1]
    assert statements[2].startswith("UPDATE") and "core_auditchainhead" in statements[2]
    assert audit.verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_records():
    actor, organization = UserFactory(), OrganizationFactory()
    before = AuditRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _change_and_record(organization, actor, 1)
        raise RuntimeError("the change failed")

    assert AuditRecord.objects.count() == before
    assert not connection.audit_pending
    assert audit.verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_drops_only_its_own_records():
    actor, organization = UserFactory(), OrganizationFactory()
    with transaction.atomic():
        _change_and_record(organization, actor, 1)
        with pytest.raises(RuntimeError), transaction.atomic():
            _change_and_record(organization, actor, 2)
            raise RuntimeError("this part failed")
        _change_and_record(organization, actor, 3)

    written = AuditRecord.objects.filter(action="hearth.core.test.happened").order_by("sequence")
    assert [record.detail["n"] for record in written] == [1, 3]
    assert audit.verify_chain().intact


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_record_is_written_at_once():
    record = _change_and_record(OrganizationFactory(), UserFactory(), 1)

    assert record.sequence is not None
    assert AuditRecord.objects.filter(sequence=record.sequence).exists()
