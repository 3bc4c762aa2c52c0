import pytest
from django.test import Client
from django_otp.oath import totp

from hearth.core.models import AuditRecord
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    MembershipFactory,
    NetworkFactory,
    NetworkMembershipFactory,
    OrganizationFactory,
    TOTPDeviceFactory,
)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def own_search_index(settings, tmp_path):
    """Each test searches its own index, as it has its own database."""
    from hearth.directory import search

    settings.HEARTH_SEARCH_INDEX_DIR = str(tmp_path / "search-index")
    search.reset()
    yield
    search.reset()


def current_code(device) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client: Client, user, *, verify: bool = True) -> Client:
    """Sign in through the real pages: password, then the authenticator code when asked."""
    response = client.post("/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:2000]
    if verify and user.totpdevice_set.filter(confirmed=True).exists():
        device = user.totpdevice_set.get(confirmed=True)
        response = client.post("/sign-in/two-factor/", {"token": current_code(device)})
        assert response.status_code == 302, response.content[:2000]
    return client


@pytest.fixture
def network(db):
    return NetworkFactory()


@pytest.fixture
def organization(network):
    return NetworkMembershipFactory(network=network).organization


@pytest.fixture
def other_organization(db):
    """An organization in a different network, whose members share nothing with the first."""
    return NetworkMembershipFactory().organization


@pytest.fixture
def make_member(db):
    def make(organization, role="practitioner", *, two_factor=True):
        membership = MembershipFactory(organization=organization, role=role)
        if two_factor:
            TOTPDeviceFactory(user=membership.user)
        return membership.user

    return make


@pytest.fixture
def admin_user(organization, make_member):
    return make_member(organization, "admin")


@pytest.fixture
def coordinator(network):
    user = CoordinatorFactory(network=network).user
    TOTPDeviceFactory(user=user)
    return user


@pytest.fixture
def admin_client(client, admin_user):
    return sign_in(client, admin_user)


@pytest.fixture
def audit_count(db):
    return lambda: AuditRecord.objects.count()


@pytest.fixture
def other_org_admin(other_organization, make_member):
    return make_member(other_organization, "admin")


__all__ = ["OrganizationFactory", "current_code", "sign_in"]


@pytest.fixture
def client_factory():
    return Client
