import pytest
from django.core.management import call_command

from hearth.accounts import demo_data
from hearth.accounts.demo import demo_totp_code, load_demo
from hearth.accounts.models import Coordinator, Membership, Network, Organization, User
from hearth.core.audit import verify_chain
from hearth.core.models import AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        model.objects.count() for model in (User, Network, Organization, Membership, Coordinator)
    )


def test_the_demo_network_is_realistic_and_loading_it_twice_changes_nothing():
    load_demo()
    first = counts()
    audit_rows = AuditRecord.objects.count()

    load_demo()

    assert counts() == first
    assert AuditRecord.objects.count() == audit_rows
    assert Organization.objects.count() == len(demo_data.ORGANIZATIONS) >= 25
    assert set(Organization.objects.values_list("kind", flat=True)) == set(Organization.Kind.values)
    assert Network.objects.get(slug="riverbend-valley").organizations.count() >= 20
    assert verify_chain().intact


def test_every_demo_network_is_coordinated_by_a_named_person_not_the_operator():
    load_demo()

    for network in Network.objects.all():
        emails = set(network.coordinators.values_list("user__email", flat=True))
        assert emails
        assert demo_data.SUPERUSER["email"] not in emails


def test_demo_accounts_sign_in_with_the_printed_password_and_code(client):
    load_demo()
    email = "naomi@hearth.example"

    client.post("/sign-in/", {"email": email, "password": demo_data.DEMO_PASSWORD})
    client.post("/sign-in/two-factor/", {"token": demo_totp_code(email)})

    assert client.get("/my/").status_code == 200


def test_demo_command_prints_sign_ins(capsys):
    call_command("demo")

    out = capsys.readouterr().out
    assert "amara@hearth.example" in out
    assert demo_data.DEMO_PASSWORD in out


def test_demo_if_empty_leaves_a_database_with_other_data_alone(capsys):
    UserFactory()

    call_command("demo", "--if-empty")

    assert Organization.objects.count() == 0
    assert "was not loaded" in capsys.readouterr().out


def test_demo_codes_only_for_demo_accounts(capsys):
    UserFactory(email="real@example.org")
    load_demo()

    call_command("demo-codes")

    out = capsys.readouterr().out
    assert "naomi@hearth.example" in out
    assert "real@example.org" not in out
