"""Consents as FHIR R4 `Consent` resources (the shape the SDOH Clinical Care IG profiles).

The person appears only as a reference by id: a consent document never carries their name."""

from __future__ import annotations

from datetime import UTC

from django.utils import timezone
from fhir.resources.R4B.consent import Consent as FhirConsent

from .models import Consent, Purpose

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CATEGORY_SYSTEM = "urn:hearth:information-category"
ORGANIZATION_KIND_SYSTEM = "urn:hearth:organization-kind"

# Hearth's purposes as HL7 purposes of use.
PURPOSE_OF_USE = {
    Purpose.REFERRAL: ("TREAT", "treatment"),
    Purpose.CARE_COORDINATION: ("CAREMGT", "care management"),
    Purpose.EVALUATION: ("HQUALIMP", "health quality improvement"),
}


def _instant(value) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def consent_to_fhir(consent: Consent, *, at=None) -> dict:
    """The consent as a validated FHIR R4 Consent resource (a dict ready for JSON)."""
    at = at or timezone.now()
    if consent.recipient_organization_id:
        recipient = {"reference": f"Organization/{consent.recipient_organization_id}"}
    else:
        recipient = {
            "identifier": {
                "system": ORGANIZATION_KIND_SYSTEM,
                "value": f"{consent.recipient_kind}@{consent.recipient_network_id}",
            },
            "display": f"Every {consent.recipient_kind} organization in network "
            f"{consent.recipient_network_id}",
        }
    code, display = PURPOSE_OF_USE[consent.purpose]
    source = {
        "contentType": "text/plain",
        "title": (
            "Given by the person in Hearth"
            if consent.given_by == Consent.GivenBy.PERSON
            else "Recorded by staff with an attestation"
        ),
        "creation": _instant(consent.created_at),
    }
    resource = {
        "resourceType": "Consent",
        "id": str(consent.id),
        "status": "active" if consent.is_live(at) else "inactive",
        "scope": {"coding": [{"system": SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": ACT_CODE, "code": "IDSCL"}]}],
        "patient": {"reference": f"Patient/{consent.person_id}"},
        "dateTime": _instant(consent.created_at),
        "organization": [{"reference": f"Organization/{consent.disclosing_organization_id}"}],
        "sourceAttachment": source,
        "provision": {
            "type": "permit",
            "period": {
                "start": _instant(consent.starts_at),
                "end": _instant(consent.revoked_at or consent.expires_at),
            },
            "actor": [
                {
                    "role": {"coding": [{"system": PARTICIPATION, "code": "IRCP"}]},
                    "reference": recipient,
                }
            ],
            "action": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/consentaction",
                            "code": "disclose",
                        }
                    ]
                }
            ],
            "purpose": [{"system": ACT_REASON, "code": code, "display": display}],
            "code": [
                {"coding": [{"system": CATEGORY_SYSTEM, "code": category}]}
                for category in consent.categories
            ],
        },
    }
    # Validation raises if the resource does not conform; it is what we publish.
    return FhirConsent.model_validate(resource).model_dump(mode="json", exclude_none=True)
