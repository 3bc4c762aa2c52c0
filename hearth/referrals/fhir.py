"""Referrals as FHIR R4 resources, shaped as the SDOH Clinical Care IG profiles them: a
`ServiceRequest` (what is asked) and a `Task` (intent order, code fulfill, focus the
ServiceRequest) that tracks it; with the disclosure `Consent`, as a bundle.

Resources name the person by id only. Each is validated with `fhir.resources` before it leaves."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from hearth.people.fhir import _instant, consent_to_fhir

from .models import Referral, Status

TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
SDOH_TEMPORARY = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
)
REASON_SYSTEM = "urn:hearth:referral-status-reason"
SERVICE_SYSTEM = "urn:hearth:directory-service"
NEED_SYSTEM = "https://openeligibility.org"

# The ServiceRequest's own status follows its Task's.
SERVICE_REQUEST_STATUS = {
    Status.DRAFT: "draft",
    Status.REQUESTED: "active",
    Status.ACCEPTED: "active",
    Status.IN_PROGRESS: "active",
    Status.ON_HOLD: "on-hold",
    Status.COMPLETED: "completed",
    Status.REJECTED: "revoked",
    Status.CANCELLED: "revoked",
    Status.FAILED: "revoked",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}


def _requester(referral: Referral) -> dict:
    if referral.sending_organization_id:
        return {"reference": f"Organization/{referral.sending_organization_id}"}
    return {"reference": f"Patient/{referral.person_id}"}  # a self-referral


def service_request_to_fhir(referral: Referral) -> dict:
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.id),
        "status": SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order",
        "code": {
            "coding": [{"system": SERVICE_SYSTEM, "code": str(referral.service_id)}],
            "text": referral.service.name,
        },
        "subject": {"reference": f"Patient/{referral.person_id}"},
        "authoredOn": _instant(referral.requested_at or referral.created_at),
        "requester": _requester(referral),
        "performer": [{"reference": f"Organization/{referral.receiving_organization_id}"}],
    }
    if referral.need_code:
        resource["reasonCode"] = [{"coding": [{"system": NEED_SYSTEM, "code": referral.need_code}]}]
    if referral.do_not_contact:
        resource["orderDetail"] = [
            {"coding": [{"system": SDOH_TEMPORARY, "code": "contacting-subject-prohibited"}]}
        ]
    if referral.consent_id:
        resource["supportingInfo"] = [{"reference": f"Consent/{referral.consent_id}"}]
    return ServiceRequest.model_validate(resource).model_dump(mode="json", exclude_none=True)


def task_to_fhir(referral: Referral) -> dict:
    resource = {
        "resourceType": "Task",
        "id": str(referral.id),
        "status": referral.status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{referral.id}"},
        "for": {"reference": f"Patient/{referral.person_id}"},
        "authoredOn": _instant(referral.requested_at or referral.created_at),
        "lastModified": _instant(referral.status_changed_at),
        "requester": _requester(referral),
        "owner": {"reference": f"Organization/{referral.receiving_organization_id}"},
    }
    if referral.status_reason:
        resource["statusReason"] = {
            "coding": [{"system": REASON_SYSTEM, "code": referral.status_reason}]
        }
    if referral.closed_at or referral.accepted_at:
        period = {"start": _instant(referral.accepted_at or referral.requested_at)}
        if referral.closed_at:
            period["end"] = _instant(referral.closed_at)
        resource["executionPeriod"] = period
    return Task.model_validate(resource).model_dump(mode="json", exclude_none=True)


def referral_bundle(referral: Referral) -> dict:
    """The Task, its ServiceRequest and the disclosure Consent as a collection bundle."""
    base = settings.HEARTH_SITE_URL.rstrip("/") + "/api/fhir"
    entries = [task_to_fhir(referral), service_request_to_fhir(referral)]
    if referral.consent_id:
        entries.append(consent_to_fhir(referral.consent))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _instant(timezone.now()),
        "entry": [
            {"fullUrl": f"{base}/{entry['resourceType']}/{entry['id']}", "resource": entry}
            for entry in entries
        ],
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
