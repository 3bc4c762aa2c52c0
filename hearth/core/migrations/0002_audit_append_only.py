"""Database-level guard: audit records cannot be updated (any database) or deleted
(PostgreSQL). SQLite keeps deletes possible because Django's test flush uses DELETE; the hash
chain still reveals any deletion."""

from django.db import migrations


def create_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS core_auditrecord_no_update "
            "BEFORE UPDATE ON core_auditrecord "
            "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION core_auditrecord_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit records are append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER core_auditrecord_no_change BEFORE UPDATE OR DELETE "
            "ON core_auditrecord FOR EACH ROW EXECUTE FUNCTION core_auditrecord_append_only();"
        )


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditrecord_no_update;")
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS core_auditrecord_no_change ON core_auditrecord;"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS core_auditrecord_append_only();")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
