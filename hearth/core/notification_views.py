"""The notification centre's page: what changed for the signed-in staff member, newest first.

A notification names a kind of event and a link, nothing more (see `notifications.py`); the
details are read on the page it links to. Opening that page marks its notifications read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notification
from .notifications import describe_kind
from .pagination import paginate


def mark_read(user, link: str | None = None) -> int:
    """Mark the user's unread notifications read: those pointing at `link`, or all of them."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if link is not None:
        unread = unread.filter(link=link)
    return unread.update(read_at=timezone.now())


def _internal(link: str) -> str:
    """Only a path on this site is ever a link target."""
    return link if link.startswith("/") and not link.startswith("//") else ""


@login_required
def notifications(request):
    if request.method == "POST":
        if mark_read(request.user):
            messages.success(request, _("Every notification is marked as read."))
        return redirect("core:notifications")
    page = paginate(request, Notification.objects.filter(user=request.user), per_page=25)
    return render(
        request,
        "core/notifications.html",
        {
            "page": page,
            "items": [
                {
                    "notification": notification,
                    "label": describe_kind(notification.kind),
                    "link": _internal(notification.link),
                }
                for notification in page.object_list
            ],
            "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).exists(),
        },
    )
