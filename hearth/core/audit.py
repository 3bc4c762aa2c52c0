"""The audit trail: the one way Hearth records who did what, to what, why, when and from where.

Every service that changes state, and every read of personal data, calls `record()` inside its
own transaction, so the record exists exactly when the change does. Records are append-only
(model guards, queryset guards and database triggers) and each carries the SHA-256 of its own
contents plus the previous record's hash, so any edit, deletion or insertion in the middle of the
chain is found by `verify_chain()` (the `hearth audit-verify` command)."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

GENESIS_HASH = "0" * 64

# Plain-language, translatable descriptions of action codes, registered by each app at start-up
# (see AccountsConfig.ready) so the audit pages can say what happened in words.
_action_labels: dict[str, Any] = {}


def register_actions(labels: dict[str, Any]) -> None:
    _action_labels.update(labels)


def describe_action(action: str) -> str:
    return str(_action_labels.get(action, action))


@dataclass(frozen=True)
class Origin:
    """Where the current request came from; set once per request by the middleware."""

    channel: str = AuditRecord.Channel.SYSTEM
    address: str = ""


_current_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "hearth_audit_origin",
    default=Origin(),  # noqa: B039 - frozen, never mutated
)


def set_origin(origin: Origin) -> contextvars.Token:
    return _current_origin.set(origin)


def reset_origin(token: contextvars.Token) -> None:
    _current_origin.reset(token)


def _describe_actor(actor: Any) -> tuple[Any, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system" if actor is None else "anonymous"
    return actor.pk, actor.get_username()


def _describe_target(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)


def _canonical(record: AuditRecord) -> bytes:
    payload = {
        "recorded_at": record.recorded_at.isoformat(),
        "actor_id": str(record.actor_id) if record.actor_id else "",
        "actor_label": record.actor_label,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "purpose": record.purpose,
        "organization_id": str(record.organization_id) if record.organization_id else "",
        "network_id": str(record.network_id) if record.network_id else "",
        "channel": record.channel,
        "origin_address": record.origin_address,
        "detail": record.detail,
        "previous_hash": record.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(record: AuditRecord) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    purpose: str = "",
    organization: Any = None,
    network: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the audit trail, in the caller's transaction.

    `action` is a stable dotted code, `hearth.<app>.<entity>.<verb>`. `organization` and
    `network` scope who may read the record later. `detail` must never hold personal data about
    the people Hearth serves, and never a confidential address."""
    return record_many(
        [
            Entry(
                actor=actor,
                action=action,
                target=target,
                purpose=purpose,
                organization=organization,
                network=network,
                detail=detail,
            )
        ]
    )[0]


@dataclass(frozen=True)
class Entry:
    """One record to append; the arguments of `record()`."""

    actor: Any
    action: str
    target: models.Model | None = None
    purpose: str = ""
    organization: Any = None
    network: Any = None
    detail: dict[str, Any] | None = None


def record_many(entries: list[Entry]) -> list[AuditRecord]:
    """Append several records at once (one per person shown on a list page, say), chained in
    order under one lock of the chain head.

    Inside a transaction the records wait on the connection and are chained and written as its
    last statements before COMMIT (see `hearth.core.db`): the chain head is locked only for
    those, and the records are gone if the transaction rolls back. Until then the returned
    records have no sequence, time or hash. Outside a transaction they are written at once."""
    for item in entries:
        if not item.action.startswith("hearth.") or item.action.count(".") < 3:
            raise ValueError(
                f"Audit action codes look like hearth.<app>.<entity>.<verb>: {item.action!r}"
            )
    if not entries:
        return []
    origin = _current_origin.get()
    built = []
    for item in entries:
        actor_id, actor_label = _describe_actor(item.actor)
        target_type, target_id = _describe_target(item.target)
        built.append(
            AuditRecord(
                actor_id=actor_id,
                actor_label=actor_label,
                action=item.action,
                target_type=target_type,
                target_id=target_id,
                purpose=item.purpose,
                organization_id=getattr(item.organization, "pk", item.organization),
                network_id=getattr(item.network, "pk", item.network),
                channel=origin.channel,
                origin_address=origin.address,
                detail=item.detail or {},
            )
        )
    connection = transaction.get_connection()
    if getattr(connection, "audit_buffering", None) and connection.audit_buffering():
        connection.audit_pending.extend(built)
    else:
        with transaction.atomic(savepoint=False):
            write_chained(built)
    return built


def write_chained(built: list[AuditRecord]) -> None:
    """Chain `built` after the newest record and write them, in the caller's transaction."""
    previous_hash = _lock_chain_head()
    now = timezone.now()
    for entry in built:
        entry.recorded_at = now
        entry.previous_hash = previous_hash
        entry.record_hash = previous_hash = compute_hash(entry)
    if len(built) == 1:
        built[0].save()
    else:
        AuditRecord.objects.bulk_create(built)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
            [built[-1].sequence, built[-1].record_hash],
        )


# The chain head (table core_auditchainhead) is read and moved on every audited transaction, so
# in plain SQL: the ORM's query building cost more than the statements themselves.


def _lock_chain_head() -> str:
    """Lock the chain head until the transaction ends; the newest record's hash."""
    select = "SELECT last_hash FROM core_auditchainhead WHERE id = 1"
    with connection.cursor() as cursor:
        cursor.execute(
            select + " FOR UPDATE" if connection.features.has_select_for_update else select
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"last_hash": GENESIS_HASH}
    )
    return head.last_hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _records_in_order() -> Iterator[AuditRecord]:
    return AuditRecord.objects.order_by("sequence").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the whole trail in order and report the first record whose link is broken."""
    previous_hash = GENESIS_HASH
    checked = 0
    last_sequence = 0
    for entry in _records_in_order():
        if entry.previous_hash != previous_hash:
            return ChainReport(
                checked,
                entry.sequence,
                "its link to the record before it is broken "
                "(a record before it was removed, inserted or changed)",
            )
        if compute_hash(entry) != entry.record_hash:
            return ChainReport(checked, entry.sequence, "its contents do not match its hash")
        previous_hash = entry.record_hash
        last_sequence = entry.sequence
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    expected = head.last_hash if head else GENESIS_HASH
    if expected != previous_hash:
        return ChainReport(
            checked,
            (head.last_sequence if head else last_sequence),
            "the newest records are missing (the chain ends before its recorded head)",
        )
    return ChainReport(checked)
