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
