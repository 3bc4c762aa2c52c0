"""Pages every visitor can reach: home, safety, about, quick exit and the health check."""

from django.conf import settings
from django.contrib.auth import logout
from django.db import connection
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hearth.accounts import services as account_services


def home(request):
    return render(request, "core/home.html")


def safety(request):
    return render(request, "core/safety.html")


def about(request):
    return render(request, "core/about.html")


def _end_session(request) -> None:
    if request.user.is_authenticated:
        account_services.sign_out_record(user=request.user, how="quick_exit")
    logout(request)  # flushes the session server-side, whoever it belonged to


@never_cache
@require_GET
def quick_exit(request):
    """The quick-exit link without JavaScript: end the session and go to the neutral site."""
    _end_session(request)
    response = HttpResponseRedirect(settings.HEARTH_QUICK_EXIT_URL)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


# The beacon carries no CSRF token (it must leave instantly); ending one's own session is the
# only thing it can do, and forcing someone's sign-out is not a harm worth a token here.
@csrf_exempt
@never_cache
@require_http_methods(["POST"])
def quick_exit_end_session(request):
    """Called by the quick-exit script as the page is replaced by the neutral site."""
    _end_session(request)
    response = HttpResponse(status=204)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy; details go to the log only
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def favicon(request):
    """Browsers ask for /favicon.ico whatever a page says (for example after a JSON download)."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("hearth/images/favicon.svg"))
