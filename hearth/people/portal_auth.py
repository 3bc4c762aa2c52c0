"""The person's own sign-in to /me/: kept in the session apart from staff sign-in.

The session holds the portal account's id under `SESSION_KEY` and a fingerprint of the account's
passphrase hash, so changing the passphrase ends every other session of that account. Signing
out flushes the whole session, exactly as the quick exit does (`/exit/` and the
`/exit/end-session/` beacon both call Django's `logout()`, which flushes the session whoever it
belonged to), so nothing of the person's pages survives either way.

Checking the second step of signing in (a TOTP code) lives here too; the changes a person makes
to their own sign-in (passphrase, second step) are services in `services.py`. The TOTP time step
last accepted is kept on the account, so a code cannot be used twice in any of the server's
processes."""

from __future__ import annotations

import secrets
import time
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django_otp.oath import TOTP

from .models import PortalAccount

SESSION_KEY = "hearth_portal_account"
FINGERPRINT_SESSION_KEY = "hearth_portal_account_fingerprint"
# Passphrase accepted, TOTP code still to come: {"account": id, "at": unix time, "next": path}.
PENDING_SESSION_KEY = "hearth_portal_pending"
PENDING_SECONDS = 5 * 60
# A second step being set up, not yet confirmed with a code: the secret as hex.
NEW_SECRET_SESSION_KEY = "hearth_portal_new_second_step"

TOTP_SECRET_BYTES = 20
TOTP_TOLERANCE = 1  # accept the code of the step before and after, for clocks that drift

SIGNED_IN = "hearth.people.portal.signed_in"
PASSPHRASE_CHANGED = "hearth.people.portal.passphrase_changed"
SECOND_STEP_ON = "hearth.people.portal.second_step_enabled"
SECOND_STEP_OFF = "hearth.people.portal.second_step_disabled"

# --- the session ---------------------------------------------------------------------------------


def throttle_key(sign_in_name: str) -> str:
    """The key sign-in throttling counts a portal account's attempts under (never an e-mail
    address, so it cannot collide with a staff account)."""
    return f"portal:{(sign_in_name or '').strip().lower()}"


def _fingerprint(account: PortalAccount) -> str:
    return salted_hmac("hearth.people.portal.session", account.passphrase_hash).hexdigest()


def sign_in(request, account: PortalAccount) -> None:
    """Start the person's session: a new session key (so a key planted before signing in is
    worthless), the account's id and the fingerprint of its passphrase."""
    request.session.cycle_key()
    request.session.pop(PENDING_SESSION_KEY, None)
    request.session[SESSION_KEY] = str(account.pk)
    request.session[FINGERPRINT_SESSION_KEY] = _fingerprint(account)
    request._portal_account = account


def refresh(request, account: PortalAccount) -> None:
    """Keep this session after the passphrase changed (every other session has ended)."""
    request.session.cycle_key()
    request.session[FINGERPRINT_SESSION_KEY] = _fingerprint(account)
    request._portal_account = account


def sign_out(request) -> None:
    """End the session entirely, server-side."""
    request.session.flush()
    request._portal_account = None


def current_account(request) -> PortalAccount | None:
    """The account signed in to this session, or None (also when its passphrase has changed
    since this session began)."""
    if hasattr(request, "_portal_account"):
        return request._portal_account
    account = None
    account_id = request.session.get(SESSION_KEY)
    if account_id:
        try:
            account = PortalAccount.objects.filter(pk=account_id).first()
        except (ValueError, ValidationError):
            account = None
        if account is None or not constant_time_compare(
            request.session.get(FINGERPRINT_SESSION_KEY, ""), _fingerprint(account)
        ):
            for key in (SESSION_KEY, FINGERPRINT_SESSION_KEY, NEW_SECRET_SESSION_KEY):
                request.session.pop(key, None)
            account = None
    request._portal_account = account
    return account


def no_store(response):
    """The person's pages hold their own information: never keep them in any cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def portal_page(view):
    """Every portal page, signed in or not: `Cache-Control: no-store`."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return no_store(view(request, *args, **kwargs))

    return wrapped


def portal_account_required(view):
    """Only for a signed-in person (`request.portal_account`); anyone else is sent to sign in
    and brought back afterwards."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        account = current_account(request)
        if account is None:
            target = reverse("portal:sign-in") + "?" + urlencode({"next": request.get_full_path()})
            return no_store(redirect(target))
        request.portal_account = account
        return no_store(view(request, *args, **kwargs))

    return wrapped


# --- the second step of signing in ---------------------------------------------------------------


def pending_start(request, account: PortalAccount, next_path: str) -> None:
    request.session[PENDING_SESSION_KEY] = {
        "account": str(account.pk),
        "at": int(time.time()),
        "next": next_path,
    }


def pending_account(request) -> tuple[PortalAccount | None, str]:
    """The account whose passphrase was accepted in this session a few minutes ago and which
    still needs its code, and where to go afterwards."""
    pending = request.session.get(PENDING_SESSION_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, ""
    account = PortalAccount.objects.filter(pk=pending.get("account")).first()
    if account is None or not account.totp_secret:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None, ""
    return account, pending.get("next", "")


def verify_code(secret: bytes, code: str, *, after: int | None) -> int | None:
    """The time step `code` belongs to, if it is right for `secret` and newer than `after`."""
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()) or not secret:
        return None
    totp = TOTP(bytes(secret))
    min_t = after + 1 if after is not None else None
    if not totp.verify(int(code), tolerance=TOTP_TOLERANCE, min_t=min_t):
        return None
    return totp.t()


def second_step_verify(account: PortalAccount, code: str) -> int | None:
    """The time step of a right, unused code for the account's second step, else None."""
    return verify_code(bytes(account.totp_secret), code, after=account.totp_last_step)


# --- changing one's own sign-in ------------------------------------------------------------------


def new_second_step_secret(request) -> bytes:
    """The secret being set up in this session (made once, kept until confirmed or abandoned)."""
    stored = request.session.get(NEW_SECRET_SESSION_KEY)
    if not stored:
        stored = secrets.token_bytes(TOTP_SECRET_BYTES).hex()
        request.session[NEW_SECRET_SESSION_KEY] = stored
    return bytes.fromhex(stored)


def forget_new_second_step_secret(request) -> None:
    request.session.pop(NEW_SECRET_SESSION_KEY, None)


def second_step_config_url(account: PortalAccount, secret: bytes) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    import base64
    from urllib.parse import quote

    issuer = getattr(settings, "OTP_TOTP_ISSUER", "Hearth")
    key = base64.b32encode(secret).decode().rstrip("=")
    label = quote(f"{issuer}:{account.sign_in_name}")
    return f"otpauth://totp/{label}?" + urlencode(
        {"secret": key, "issuer": issuer, "digits": 6, "period": 30, "algorithm": "SHA1"}
    )


def readable_secret(secret: bytes) -> str:
    """The secret as base32 in groups of four, for typing into an app."""
    import base64

    raw = base64.b32encode(secret).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))
