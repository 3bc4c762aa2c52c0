import pytest

from hearth.core.models import AuditRecord
from hearth.referrals.models import ApiToken
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(client, organization, admin_user):
    sign_in(client, admin_user)

    created = client.post(
        f"/organizations/{organization.slug}/api-tokens/", {"name": "Case system"}
    )
    token = ApiToken.objects.get()
    listed = client.get(f"/organizations/{organization.slug}/api-tokens/")
    revoked = client.post(f"/organizations/{organization.slug}/api-tokens/{token.pk}/revoke/")

    assert created.status_code == 200
    assert b"hearth_" in created.content
    assert b"hearth_" not in listed.content
    assert b"Case system" in listed.content
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditRecord.objects.filter(action="hearth.referrals.token.revoked").count() == 1


def test_an_empty_name_is_an_error_and_creates_nothing(client, organization, admin_user):
    sign_in(client, admin_user)

    response = client.post(f"/organizations/{organization.slug}/api-tokens/", {"name": ""})

    assert b"govuk-error-summary" in response.content
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("role", ["practitioner", "viewer"])
def test_other_members_get_not_found_and_change_nothing(
    client, organization, make_member, admin_user, role
):
    sign_in(client, admin_user)
    client.post(f"/organizations/{organization.slug}/api-tokens/", {"name": "Case system"})
    token = ApiToken.objects.get()
    client.logout()
    sign_in(client, make_member(organization, role))

    listing = client.get(f"/organizations/{organization.slug}/api-tokens/")
    revoke = client.post(f"/organizations/{organization.slug}/api-tokens/{token.pk}/revoke/")

    assert listing.status_code == 404 and revoke.status_code == 404
    assert b"Case system" not in listing.content
    token.refresh_from_db()
    assert token.revoked_at is None
