import json
from datetime import timedelta

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent as FhirConsent
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from hearth.accounts.models import Role
from hearth.core.models import AuditRecord
from hearth.referrals import services
from hearth.referrals.models import ApiToken, Referral
from tests.factories import OrganizationFactory
from tests.people.factories import make_person, staff
from tests.referrals.factories import pair, refer

pytestmark = pytest.mark.django_db


def token_for(organization):
    admin = staff(organization, Role.ADMIN)
    _record, token = services.api_token_create(
        actor=admin, organization=organization, name="Case system"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, path, body, auth):
    return client.post(path, json.dumps(body), content_type="application/json", **auth)


class TestTokens:
    def test_no_token_or_a_wrong_or_revoked_token_is_refused(self, client):
        organization = OrganizationFactory()
        auth = token_for(organization)
        assert client.get("/api/v1/referrals").status_code == 401
        assert client.get("/api/v1/referrals", HTTP_AUTHORIZATION="Bearer nope").status_code == 401

        record = ApiToken.objects.get()
        services.api_token_revoke(actor=record.user, organization=organization, token_id=record.pk)

        assert client.get("/api/v1/referrals", **auth).status_code == 401

    def test_only_the_hash_is_kept_and_only_admins_create_tokens(self):
        organization = OrganizationFactory()
        _record, token = services.api_token_create(
            actor=staff(organization, Role.ADMIN), organization=organization, name="x"
        )

        assert ApiToken.objects.get().token_hash != token
        assert token not in str(
            AuditRecord.objects.filter(action="hearth.referrals.token.created").get().detail
        )
        with pytest.raises(services.ReferralNotFound):
            services.api_token_create(
                actor=staff(organization), organization=organization, name="y"
            )


class TestTokenAuthentication:
    """`api_token_authenticate` reads the token, its user, organization and role in one
    written-out statement; what it gives back must be what the ORM would load."""

    def _token(self, role=Role.ADMIN):
        organization = OrganizationFactory()
        admin = staff(organization, Role.ADMIN)
        record, token = services.api_token_create(actor=admin, organization=organization, name="x")
        if role != Role.ADMIN:
            admin.memberships.filter(organization=organization).update(role=role)
        return record, token, admin, organization

    def test_it_loads_the_same_token_user_and_organization_as_the_orm(self):
        record, token, admin, organization = self._token()

        expected = ApiToken.objects.select_related("user", "organization").get(pk=record.pk)

        found = services.api_token_authenticate(token)

        assert found.role == Role.ADMIN
        for loaded, orm in (
            (found, expected),
            (found.user, expected.user),
            (found.organization, expected.organization),
        ):
            assert type(loaded) is type(orm)
            for field in type(orm)._meta.concrete_fields:
                assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
                assert type(getattr(loaded, field.attname)) is type(getattr(orm, field.attname))
        assert found.user.pk == admin.pk and found.organization.pk == organization.pk
        assert found.user.is_authenticated

    def test_it_marks_the_token_used_at_most_every_five_minutes(self):
        record, token, _admin, _organization = self._token()
        assert record.last_used_at is None

        services.api_token_authenticate(token)
        first = ApiToken.objects.get(pk=record.pk).last_used_at
        services.api_token_authenticate(token)

        assert first is not None
        assert ApiToken.objects.get(pk=record.pk).last_used_at == first

    @pytest.mark.parametrize(
        "spoil",
        ["revoked", "user inactive", "organization inactive", "left", "viewer", "wrong"],
    )
    def test_a_token_that_no_longer_acts_for_anyone_is_refused(self, spoil):
        record, token, admin, organization = self._token(
            Role.VIEWER if spoil == "viewer" else Role.ADMIN
        )
        if spoil == "revoked":
            services.api_token_revoke(actor=admin, organization=organization, token_id=record.pk)
        elif spoil == "user inactive":
            type(admin).objects.filter(pk=admin.pk).update(is_active=False)
        elif spoil == "organization inactive":
            type(organization).objects.filter(pk=organization.pk).update(is_active=False)
        elif spoil == "left":
            admin.memberships.filter(organization=organization).delete()
        elif spoil == "wrong":
            token = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
        used = ApiToken.objects.get(pk=record.pk).last_used_at

        assert services.api_token_authenticate(token) is None
        assert ApiToken.objects.get(pk=record.pk).last_used_at == used


class TestLifecycle:
    def test_create_accept_work_and_complete_through_the_api(self, client):
        p = pair()
        sender_auth, receiver_auth = token_for(p.sender), token_for(p.receiver)
        person = post(client, "/api/v1/people", {"chosen_name": "Robin"}, sender_auth).json()

        created = post(
            client,
            "/api/v1/referrals",
            {
                "person_id": person["id"],
                "service_id": str(p.service.id),
                "categories": ["identity"],
                "summary": "Mornings are best",
                "expires_at": (timezone.now() + timedelta(days=60)).isoformat(),
                "attestation": "Agreed at the drop-in",
            },
            sender_auth,
        )
        assert created.status_code == 201, created.content
        referral_id = created.json()["id"]
        assert created.json()["status"] == "requested"
        for status in ("accepted", "in-progress", "completed"):
            moved = post(
                client,
                f"/api/v1/referrals/{referral_id}/transition",
                {"status": status},
                receiver_auth,
            )
            assert moved.status_code == 200, moved.content
            assert moved.json()["status"] == status

        assert Referral.objects.get(pk=referral_id).status == "completed"

    def test_an_illegal_transition_names_the_allowed_ones_and_a_stale_one_conflicts(self, client):
        p = pair()
        referral = refer(p)
        receiver_auth = token_for(p.receiver)

        illegal = post(
            client,
            f"/api/v1/referrals/{referral.pk}/transition",
            {"status": "completed"},
            receiver_auth,
        )
        stale = post(
            client,
            f"/api/v1/referrals/{referral.pk}/transition",
            {"status": "accepted", "expected_version": referral.version - 1},
            receiver_auth,
        )
        no_reason = post(
            client,
            f"/api/v1/referrals/{referral.pk}/transition",
            {"status": "rejected"},
            receiver_auth,
        )

        assert illegal.status_code == 422
        assert illegal.json()["allowed"] == ["accepted", "rejected", "cancelled"]
        assert stale.status_code == 409
        assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
        assert Referral.objects.get(pk=referral.pk).status == "requested"

    def test_bad_input_is_a_400_naming_the_field(self, client):
        p = pair()
        response = post(
            client,
            "/api/v1/referrals",
            {
                "person_id": str(make_person(p.sender).id),
                "service_id": str(p.service.id),
                "categories": ["identity"],
                "attestation": "Agreed",
            },
            token_for(p.sender),
        )

        assert response.status_code == 400
        assert "expires_at" in response.json()["fields"]
        assert Referral.objects.count() == 0

    def test_a_third_organization_sees_nothing(self, client):
        p = pair()
        referral = refer(p)
        outsider = token_for(OrganizationFactory())

        for path in (
            f"/api/v1/referrals/{referral.pk}",
            f"/api/v1/referrals/{referral.pk}/payload",
            f"/api/fhir/Task/{referral.pk}",
            f"/api/fhir/ServiceRequest/{referral.pk}",
            f"/api/fhir/Consent/{referral.consent_id}",
        ):
            response = client.get(path, **outsider)
            assert response.status_code == 404, path
            assert b"Robin" not in response.content
        assert client.get("/api/v1/referrals", **outsider).json()["total_items"] == 0
        moved = post(
            client, f"/api/v1/referrals/{referral.pk}/transition", {"status": "accepted"}, outsider
        )
        assert moved.status_code == 404
        assert Referral.objects.get(pk=referral.pk).status == "requested"

    def test_the_receiver_reads_the_payload_only_while_the_consent_lives(self, client):
        from hearth.people import services as people_services

        p = pair()
        referral = refer(p)
        receiver_auth = token_for(p.receiver)

        assert (
            client.get(f"/api/v1/referrals/{referral.pk}/payload", **receiver_auth).json()[
                "identity"
            ]["chosen_name"]
            == "Robin"
        )
        people_services.consent_revoke(consent=referral.consent, by_person=True)
        assert (
            client.get(f"/api/v1/referrals/{referral.pk}/payload", **receiver_auth).status_code
            == 404
        )


class TestFhir:
    def test_task_service_request_consent_and_bundle_validate(self, client):
        p = pair()
        referral = refer(p)
        auth = token_for(p.receiver)

        task = client.get(f"/api/fhir/Task/{referral.pk}", **auth)
        request = client.get(f"/api/fhir/ServiceRequest/{referral.pk}", **auth)
        consent = client.get(f"/api/fhir/Consent/{referral.consent_id}", **auth)
        bundle = client.get(f"/api/fhir/Bundle/{referral.pk}", **auth)
        search = client.get("/api/fhir/Task?status=requested", **auth)

        assert task["Content-Type"] == "application/fhir+json"
        Task.model_validate(task.json())
        ServiceRequest.model_validate(request.json())
        FhirConsent.model_validate(consent.json())
        Bundle.model_validate(bundle.json())
        Bundle.model_validate(search.json())
        assert search.json()["total"] == 1
        assert task.json()["owner"] == {"reference": f"Organization/{p.receiver.id}"}

    def test_the_capability_statement_is_public(self, client):
        response = client.get("/api/fhir/metadata")

        assert response.status_code == 200
        assert response.json()["resourceType"] == "CapabilityStatement"
