"""Error pages in the page shell, translated, with no details a visitor should not see."""

from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"status": 403}, status=403)


def bad_request(request, exception=None):
    return render(request, "core/error.html", {"status": 400}, status=400)


def server_error(request):
    # Minimal context: the failure may have come from the database or a context processor.
    return render(request, "core/error_500.html", status=500)


def csrf_failure(request, reason=""):
    return forbidden(request)
