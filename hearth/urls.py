from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("hearth.directory.urls")),
    path("", include("hearth.accounts.urls")),
    path("", include("hearth.core.urls")),
]

handler404 = "hearth.core.errors.not_found"
handler403 = "hearth.core.errors.forbidden"
handler500 = "hearth.core.errors.server_error"
handler400 = "hearth.core.errors.bad_request"
