"""Hearth's database backends: Django's SQLite and PostgreSQL backends, plus the audit trail's
write-last buffer (`AuditBuffer`).

Inside a transaction, `audit.record()` does not write at once: it keeps its records on the
connection, and they are chained and written as the last statements before COMMIT. Every
audited write locks the one chain head row until its transaction ends, so writing the records
last holds that lock for a few statements instead of the whole transaction, and one
transaction's records go in as one insert. A rolled-back transaction (or savepoint) drops the
records made inside it, exactly as it drops the change they describe."""

from __future__ import annotations


def _only_test_blocks(atomic_blocks) -> bool:
    """True when every open atomic block belongs to a test case (whose outer transaction is
    rolled back, never committed): then a service's own block is the outermost that counts."""
    return all(getattr(block, "_from_testcase", False) for block in atomic_blocks)


class AuditBuffer:
    """Mixed into a backend's DatabaseWrapper."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audit_pending: list = []
        self._audit_marks: dict[str, int] = {}

    def audit_buffering(self) -> bool:
        """Whether records made now should wait for the end of the transaction: yes inside a
        transaction, whose COMMIT writes them. Under a test case (whose own transaction never
        commits) the outermost block that is not the test's is the one whose end writes them,
        which needs it to end in a savepoint; otherwise they are written at once."""
        if not self.in_atomic_block:
            return False
        for block in self.atomic_blocks:
            if not getattr(block, "_from_testcase", False):
                return block is self.atomic_blocks[0] or block.savepoint
        return False

    def _audit_flush(self) -> None:
        from hearth.core.audit import write_chained

        pending, self.audit_pending = self.audit_pending, []
        self._audit_marks.clear()
        if pending:
            write_chained(pending)

    def _savepoint(self, sid):
        self._audit_marks[sid] = len(self.audit_pending)
        super()._savepoint(sid)

    def _savepoint_rollback(self, sid):
        super()._savepoint_rollback(sid)
        mark = self._audit_marks.get(sid)
        if mark is not None:
            del self.audit_pending[mark:]

    def savepoint_commit(self, sid):
        # Under a test case the service's block ends in a savepoint, not a commit: write there.
        if self.audit_pending and _only_test_blocks(self.atomic_blocks):
            self._audit_flush()
        super().savepoint_commit(sid)
        self._audit_marks.pop(sid, None)

    def commit(self):
        if self.audit_pending:
            try:
                self._audit_flush()
            except BaseException:
                # Never let the change commit without its records.
                self.rollback()
                raise
        super().commit()

    def rollback(self):
        self.audit_pending = []
        self._audit_marks.clear()
        super().rollback()

    def close(self):
        self.audit_pending = []
        self._audit_marks.clear()
        super().close()
