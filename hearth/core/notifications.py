"""The notification centre: one way to tell staff that something needs them.

A notification names only a kind of event and a link. E-mail carries the same: "something
changed, sign in to see it" — never a name, a status or a message (FHIR SDOH notifications are
id-only for the same reason). Anything sent to a person Hearth serves goes through the people
app's safe-contact policy instead, never through here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Notification

logger = logging.getLogger(__name__)

# Plain-language, translatable descriptions of notification kinds, registered by each app.
_kinds: dict[str, Any] = {}


def register_kinds(labels: dict[str, Any]) -> None:
    _kinds.update(labels)


def describe_kind(kind: str) -> str:
    return str(_kinds.get(kind, kind))


def notify(users: Iterable, *, kind: str, link: str, email: bool = True) -> list[Notification]:
    """Notify each user once (duplicates removed); e-mail them after the transaction commits."""
    unique = {user.pk: user for user in users if user is not None and user.is_active}
    created = Notification.objects.bulk_create(
        [Notification(user=user, kind=kind, link=link) for user in unique.values()]
    )
    # Demo accounts (`hearth demo`) get in-app notifications only: their addresses are not real.
    recipients = [
        (user.email, getattr(user, "preferred_language", ""))
        for user in unique.values()
        if not getattr(user, "is_demo", False)
    ]
    if email and recipients:
        transaction.on_commit(lambda: _send_emails(recipients, link))
    return created


def _send_emails(recipients, link: str) -> None:
    """Send the e-mails after the commit. A failure never undoes what committed (the in-app
    notifications are made): it is logged, with how many failed and why, never the addresses."""
    failures: dict[str, int] = {}
    for address, language in recipients:
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                send_mail(
                    _("Something changed in Hearth"),
                    _("Something changed in Hearth that may need you. Sign in to see it:\n%(url)s")
                    % {"url": settings.HEARTH_SITE_URL.rstrip("/") + link},
                    None,
                    [address],
                )
            except Exception as error:  # the mail server's trouble, whatever its kind
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
    if failures:
        logger.warning(
            "%d of %d notification e-mails could not be sent (%s); the in-app notifications "
            "were made. Check the HEARTH_EMAIL_* settings and the mail server.",
            sum(failures.values()),
            len(recipients),
            ", ".join(f"{name}: {count}" for name, count in sorted(failures.items())),
        )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
