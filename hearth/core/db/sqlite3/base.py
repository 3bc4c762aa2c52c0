"""Django's SQLite backend with the audit trail's write-last buffer (see `hearth.core.db`)."""

from django.db.backends.sqlite3 import base

from hearth.core.db import AuditBuffer


class DatabaseWrapper(AuditBuffer, base.DatabaseWrapper):
    pass
