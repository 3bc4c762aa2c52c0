"""After erasure, the stored bytes hold none of the person's values, and the audit chain still
verifies. The SQLite test works on a real database file; the PostgreSQL test on a real dump."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

from hearth.accounts.models import Role
from hearth.core.audit import verify_chain
from hearth.people import access, services
from hearth.people.models import Purpose
from tests.factories import OrganizationFactory
from tests.people.factories import staff

# Values no other test uses, so finding them anywhere can only mean this person leaked.
VALUES = {
    "name": "Zephyrine Quillfeather",
    "pronouns": "xe/xem",
    "phone": "+1 555 867 5309",
    "email": "zephyrine.quillfeather@example.org",
    "strength": "Marvellously stubborn gardener",
    "goal": "Reopen the pottery kiln",
    "note": "Spoke about the lighthouse cottage",
}

SCRIPT = textwrap.dedent(
    """
    from hearth.accounts.models import Membership, Organization, Role, User
    from hearth.people import access, services
    from hearth.people.models import Purpose
    import json, sys
    values = json.loads(sys.argv[1])
    org = Organization.objects.create(slug="holder", name="Holder", kind="community_based")
    admin = User.objects.create_user("admin@example.org", "a long test password")
    Membership.objects.create(user=admin, organization=org, role=Role.ADMIN)
    person = services.person_create(
        actor=admin,
        organization=org,
        identity={"chosen_name": values["name"], "pronouns": values["pronouns"]},
        contact={"phones": [values["phone"]], "emails": [values["email"]]},
        strengths={"strengths": values["strength"], "goals": values["goal"]},
    )
    services.note_add(actor=admin, organization=org, person_id=person.id, body=values["note"])
    seen = access.access_person(
        user=admin, organization=org, person_id=person.id, purpose=Purpose.CARE
    )
    assert seen.chosen_name == values["name"] and seen.notes()[0]["body"] == values["note"]
    services.person_erase(actor=admin, organization=org, person_id=person.id)
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print("erased", person.id)
    """
)


def leaked(blob: bytes) -> list[str]:
    return [key for key, value in VALUES.items() if value.encode() in blob]


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the SQLite file test runs in the SQLite pass",
)
def test_an_erased_person_leaves_nothing_readable_in_the_sqlite_file(tmp_path):
    import json

    environment = {
        **os.environ,
        "HEARTH_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "HEARTH_TESTING": "",
        "PYTHONWARNINGS": "ignore",
    }
    hearth = [sys.executable, "-m", "hearth.cli"]
    subprocess.run([*hearth, "migrate", "--no-input", "-v", "0"], env=environment, check=True)
    done = subprocess.run(
        [*hearth, "shell", "-c", SCRIPT.replace("sys.argv[1]", repr(json.dumps(VALUES)))],
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    verified = subprocess.run(
        [*hearth, "audit-verify"], env=environment, check=True, capture_output=True, text=True
    )

    assert "erased " in done.stdout, done.stdout + done.stderr
    assert "intact" in verified.stdout
    files = [path for path in Path(tmp_path).iterdir() if path.name.startswith("hearth.sqlite3")]
    assert files
    for path in files:
        assert leaked(path.read_bytes()) == [], path.name


@pytest.mark.django_db(transaction=True)
def test_an_erased_person_leaves_nothing_readable_in_a_postgresql_dump():
    if connection.vendor != "postgresql":
        pytest.skip("the dump test runs in the PostgreSQL pass")
    holder = OrganizationFactory()
    admin = staff(holder, Role.ADMIN)
    person = services.person_create(
        actor=admin,
        organization=holder,
        identity={"chosen_name": VALUES["name"], "pronouns": VALUES["pronouns"]},
        contact={"phones": [VALUES["phone"]], "emails": [VALUES["email"]]},
        strengths={"strengths": VALUES["strength"], "goals": VALUES["goal"]},
    )
    services.note_add(actor=admin, organization=holder, person_id=person.id, body=VALUES["note"])
    assert (
        access.access_person(
            user=admin, organization=holder, person_id=person.id, purpose=Purpose.CARE
        ).chosen_name
        == VALUES["name"]
    )

    services.person_erase(actor=admin, organization=holder, person_id=person.id)

    settings = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "--host",
            settings["HOST"] or "127.0.0.1",
            "--port",
            str(settings["PORT"] or 5432),
            "--username",
            settings["USER"] or "postgres",
            "--data-only",
            settings["NAME"],
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""},
    ).stdout
    assert b"people_person" in dump
    assert leaked(dump) == []
    assert verify_chain().intact
