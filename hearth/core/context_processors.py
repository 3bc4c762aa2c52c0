"""What every page's shell needs: quick-exit settings, navigation, the context switcher."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

CONTEXT_SESSION_KEY = "hearth_context"


def _navigation(request):
    user = request.user
    if user.is_authenticated:
        items = [
            (reverse("accounts:home"), _("My Hearth")),
            (reverse("directory:search"), _("Find help")),
            (reverse("accounts:organizations"), _("Organizations")),
            (reverse("accounts:networks"), _("Networks")),
            (reverse("accounts:account"), _("Account")),
        ]
        from hearth.governance.selectors import belongs_to_circles

        if belongs_to_circles(user):
            items.insert(-1, (reverse("governance:circles"), _("Circles")))
    else:
        items = [
            (reverse("core:home"), _("Home")),
            (reverse("directory:search"), _("Find help")),
            (reverse("accounts:sign-in"), _("Sign in")),
        ]
    path = request.path
    home_paths = {reverse("core:home"), reverse("accounts:home")}

    def is_current(url):
        return path == url if url in home_paths else path.startswith(url)

    return [{"url": url, "label": label, "current": is_current(url)} for url, label in items]


def shell(request):
    from hearth.accounts.selectors import switchable_contexts

    from .notifications import unread_count

    user = getattr(request, "user", None)
    contexts = switchable_contexts(user) if user is not None else []
    current = request.session.get(CONTEXT_SESSION_KEY) if hasattr(request, "session") else None
    if contexts and current not in {value for value, _label in contexts}:
        current = contexts[0][0]
    signed_in = user is not None and user.is_authenticated
    return {
        "shell": {
            "quick_exit_url": settings.HEARTH_QUICK_EXIT_URL,
            "navigation": _navigation(request) if user is not None else [],
            "contexts": contexts,
            "current_context": current,
            # The header's count of unread notifications (one query, signed-in staff only).
            "unread_notifications": unread_count(user) if signed_in else 0,
        }
    }
