"""The member API at /api/v1/: what a member organization's own systems need to make and follow
referrals. Bearer-token authentication (`Authorization: Bearer hearth_...`); a token acts as the
admin who created it, for that organization. Everything goes through the same services and the
same access gate as the pages, so the answers and the audit trail are the same."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.responses import Status
from ninja.security import HttpBearer

from hearth.people import services as people_services
from hearth.people.access import PersonNotFound
from hearth.referrals import selectors
from hearth.referrals import services as referral_services
from hearth.referrals.models import Referral

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        record = referral_services.api_token_authenticate(token)
        if record is None:
            return None
        request.user = record.user
        request.hearth_organization = record.organization
        request.hearth_role = record.role
        return record


api = NinjaAPI(
    title="Hearth member API",
    version="1",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url=None,
)


@api.exception_handler(Http404)
def not_found(request, error):
    return JsonResponse({"error": "Not found."}, status=404)


@api.exception_handler(ValidationError)
def invalid(request, error: ValidationError):
    fields = getattr(error, "message_dict", {"__all__": error.messages})
    return JsonResponse(
        {"error": "The request has problems; see `fields`.", "fields": fields}, status=400
    )


@api.exception_handler(referral_services.TransitionRefused)
def refused(request, error: referral_services.TransitionRefused):
    body = {"error": error.message, "allowed": error.allowed}
    if error.field:
        body["field"] = error.field
    return JsonResponse(body, status=409 if error.conflict else 422)


def _acting(request):
    return request.user, request.hearth_organization


class PersonIn(Schema):
    chosen_name: str
    pronouns: str = ""
    languages: list[str] = []


class PersonOut(Schema):
    id: UUID


class ReferralIn(Schema):
    person_id: UUID
    service_id: UUID
    categories: list[str]
    summary: str = ""
    expires_at: datetime | None = None
    attestation: str


class TransitionIn(Schema):
    status: str
    reason: str = ""
    note: str = ""
    expected_version: int | None = None


def referral_out(referral: Referral, side: str) -> dict:
    return {
        "id": str(referral.id),
        "status": referral.status,
        "status_reason": referral.status_reason,
        "version": referral.version,
        "side": side,
        "allowed_next": referral_services.allowed_next(referral.status, side),
        "service_id": str(referral.service_id),
        "sending_organization_id": (
            str(referral.sending_organization_id) if referral.sending_organization_id else None
        ),
        "receiving_organization_id": str(referral.receiving_organization_id),
        "payload_categories": referral.payload_categories,
        "do_not_contact": referral.do_not_contact,
        "requested_at": referral.requested_at.isoformat() if referral.requested_at else None,
        "status_changed_at": referral.status_changed_at.isoformat(),
    }


@api.post("/people", response={201: PersonOut})
def create_person(request, body: PersonIn):
    """Start a record held by the token's organization (only a chosen name is required)."""
    user, organization = _acting(request)
    person = people_services.person_create(
        actor=user, organization=organization, identity=body.dict()
    )
    return Status(201, {"id": person.id})


@api.get("/referrals")
def list_referrals(request, page: int = 1, per_page: int = DEFAULT_PER_PAGE, status: str = ""):
    user, organization = _acting(request)
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError({"page": [f"page from 1; per_page from 1 to {MAX_PER_PAGE}."]})
    referrals = selectors.referrals_for_organization(user, organization).order_by("-created_at")
    if status:
        referrals = referrals.filter(status=status)
    total = referrals.count()
    contents = [
        referral_out(
            referral,
            "requester" if referral.sending_organization_id == organization.pk else "receiver",
        )
        for referral in referrals[(page - 1) * per_page : page * per_page]
    ]
    return {
        "total_items": total,
        "page_number": page,
        "size": len(contents),
        "contents": contents,
    }


@api.post("/referrals", response={201: dict})
def create_referral(request, body: ReferralIn):
    user, organization = _acting(request)
    referral = referral_services.referral_create(
        actor=user,
        organization=organization,
        person_id=body.person_id,
        service_id=body.service_id,
        categories=body.categories,
        summary=body.summary,
        expires_at=body.expires_at,
        attestation=body.attestation,
    )
    return Status(201, referral_out(referral, "requester"))


@api.get("/referrals/{referral_id}")
def get_referral(request, referral_id: UUID):
    user, organization = _acting(request)
    referral, side = selectors.referral_for(
        user, organization, referral_id, role=request.hearth_role
    )
    return referral_out(referral, side)


@api.post("/referrals/{referral_id}/transition")
def transition(request, referral_id: UUID, body: TransitionIn):
    user, organization = _acting(request)
    referral = referral_services.referral_transition(
        actor=user,
        organization=organization,
        referral_id=referral_id,
        to_status=body.status,
        reason=body.reason,
        note=body.note,
        expected_version=body.expected_version,
        actor_role=request.hearth_role,
    )
    # The transition went through, so the token's organization is one side of it.
    side = "requester" if referral.sending_organization_id == organization.pk else "receiver"
    return referral_out(referral, side)


@api.get("/referrals/{referral_id}/payload")
def payload(request, referral_id: UUID):
    """What travelled, for the receiving organization, while the consent lives."""
    user, organization = _acting(request)
    referral, _side = selectors.referral_for(
        user, organization, referral_id, role=request.hearth_role
    )
    try:
        return referral_services.referral_open_payload(
            user=user, organization=organization, referral=referral
        )
    except PersonNotFound:
        raise Http404 from None
