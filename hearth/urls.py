from django.urls import include, path
from django.views.i18n import set_language

from hearth.api.fhir import api as fhir_api
from hearth.api.hsds import api as hsds_api
from hearth.api.hsds import openapi_document
from hearth.api.v1 import api as v1_api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/hsds/openapi.json", openapi_document, name="hsds-openapi"),
    path("api/hsds/", hsds_api.urls),
    path("api/v1/", v1_api.urls),
    path("api/fhir/", fhir_api.urls),
    path("", include("hearth.directory.urls")),
    path("", include("hearth.people.urls")),
    path("", include("hearth.referrals.urls")),
    path("", include("hearth.referrals.token_urls")),
    path("me/", include("hearth.referrals.portal_urls")),
    path("", include("hearth.outcomes.urls")),
    path("me/", include("hearth.outcomes.portal_urls")),
    path("me/", include("hearth.people.portal_urls")),
    path("", include("hearth.governance.urls")),
    path("", include("hearth.governance.budget_urls")),
    path("", include("hearth.governance.ledger_urls")),
    path("", include("hearth.outcomes.report_urls")),
    path("", include("hearth.accounts.urls")),
    path("", include("hearth.core.urls")),
]

handler404 = "hearth.core.errors.not_found"
handler403 = "hearth.core.errors.forbidden"
handler500 = "hearth.core.errors.server_error"
handler400 = "hearth.core.errors.bad_request"
