"""Request-wide safety: security headers, and the request origin the audit trail records."""

from django.conf import settings

from . import audit
from .models import AuditRecord

# No inline script or style anywhere: every script is a file served from this site.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        # Pages can hold personal data: never keep them in shared caches or the back/forward
        # history longer than needed.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def client_address(request) -> str:
    raw = request.META.get(settings.HEARTH_CLIENT_IP_HEADER, "") or request.META.get(
        "REMOTE_ADDR", ""
    )
    # A forwarded-for header lists every hop; the first is the client.
    return raw.split(",")[0].strip()[:64]


class RequestOriginMiddleware:
    """Tell the audit trail where the current request came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = (
            AuditRecord.Channel.API if request.path.startswith("/api/") else AuditRecord.Channel.WEB
        )
        token = audit.set_origin(audit.Origin(channel=channel, address=client_address(request)))
        try:
            return self.get_response(request)
        finally:
            audit.reset_origin(token)
