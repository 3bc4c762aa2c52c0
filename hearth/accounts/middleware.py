"""Two-factor sign-in for everyone whose role lets them see personal data."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .rules import needs_two_factor

# Pages a signed-in person may reach before their second factor: to finish signing in, to
# leave, or to read public information.
OPEN_PREFIXES = ("/static/", "/exit/", "/i18n/", "/sign-in/", "/sign-out/", "/safety/", "/about/")
OPEN_PATHS = {"/", "/healthz"}


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and request.path not in OPEN_PATHS
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and needs_two_factor(user)
        ):
            return redirect(
                reverse("accounts:two-factor") + "?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)
