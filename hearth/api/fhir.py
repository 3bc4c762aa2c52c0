"""FHIR R4 at /api/fhir/: referrals as `Task` and `ServiceRequest`, disclosures as `Consent`, for
the organizations on either side (bearer token, as /api/v1/). Read-only; changes go through
/api/v1/ so that one state machine owns them. Resources validate with `fhir.resources` and name
people by id only."""

from __future__ import annotations

import json
from uuid import UUID

from django.db.models import Q
from django.http import Http404, HttpResponse
from ninja import NinjaAPI, Query

from hearth.people.fhir import consent_to_fhir
from hearth.people.models import Consent
from hearth.referrals import fhir, selectors
from hearth.referrals.models import Referral

from .v1 import TokenAuth

FHIR_JSON = "application/fhir+json"
MAX_COUNT = 200

api = NinjaAPI(
    title="Hearth FHIR R4 (referrals)",
    version="R4",
    urls_namespace="api-fhir",
    auth=TokenAuth(),
    docs_url=None,
)


def fhir_response(resource: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(resource), status=status, content_type=FHIR_JSON)


def outcome(code: str, text: str, status: int) -> HttpResponse:
    return fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}],
        },
        status,
    )


@api.exception_handler(Http404)
def not_found(request, error):
    return outcome("not-found", "Not found.", 404)


def _referral(request, referral_id) -> Referral:
    referral, _side = selectors.referral_for(request.user, request.hearth_organization, referral_id)
    return referral


@api.get("/metadata", auth=None)
def capability_statement(request):
    return fhir_response(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-01",
            "kind": "instance",
            "fhirVersion": "4.0.1",
            "format": ["json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {"description": "Bearer tokens issued to member organizations."},
                    "resource": [
                        {
                            "type": "Task",
                            "interaction": [{"code": "read"}, {"code": "search-type"}],
                        },
                        {"type": "ServiceRequest", "interaction": [{"code": "read"}]},
                        {"type": "Consent", "interaction": [{"code": "read"}]},
                    ],
                }
            ],
        }
    )


@api.get("/Task")
def search_tasks(request, status: str = "", count: int = Query(50, alias="_count"), page: int = 1):
    if not 1 <= count <= MAX_COUNT or page < 1:
        return outcome("invalid", f"_count must be 1 to {MAX_COUNT}; page from 1.", 400)
    referrals = selectors.referrals_for_organization(
        request.user, request.hearth_organization
    ).order_by("-created_at")
    if status:
        referrals = referrals.filter(status__in=status.split(","))
    total = referrals.count()
    entries = [
        {"resource": fhir.task_to_fhir(referral), "search": {"mode": "match"}}
        for referral in referrals[(page - 1) * count : page * count]
    ]
    return fhir_response(
        {"resourceType": "Bundle", "type": "searchset", "total": total, "entry": entries}
    )


@api.get("/Task/{referral_id}")
def read_task(request, referral_id: UUID):
    return fhir_response(fhir.task_to_fhir(_referral(request, referral_id)))


@api.get("/ServiceRequest/{referral_id}")
def read_service_request(request, referral_id: UUID):
    return fhir_response(fhir.service_request_to_fhir(_referral(request, referral_id)))


@api.get("/Bundle/{referral_id}")
def read_referral_bundle(request, referral_id: UUID):
    """The referral as one bundle: its Task, ServiceRequest and Consent."""
    return fhir_response(fhir.referral_bundle(_referral(request, referral_id)))


@api.get("/Consent/{consent_id}")
def read_consent(request, consent_id: UUID):
    organization = request.hearth_organization
    consent = (
        Consent.objects.filter(pk=consent_id)
        .filter(Q(disclosing_organization=organization) | Q(recipient_organization=organization))
        .first()
    )
    if consent is None:
        raise Http404
    return fhir_response(consent_to_fhir(consent))
