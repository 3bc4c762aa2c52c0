"""The person's own pages, under /me/ (see portal_views.py)."""

from django.urls import path

from . import portal_views as views

app_name = "portal"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("join/<str:token>/", views.join, name="join"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("records/<uuid:person_id>/", views.record, name="record"),
    path("consents/", views.consents, name="consents"),
    path("consents/give/<uuid:person_id>/", views.consent_give, name="consent-give"),
    path("consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("history/", views.history, name="history"),
    path("download/", views.download, name="download"),
    path("download/my-information.json", views.download_json, name="download-json"),
    path("erase/", views.erase, name="erase"),
    path("security/", views.security, name="security"),
    path("security/passphrase/", views.passphrase_change, name="passphrase"),
    path("security/second-step/", views.second_step, name="second-step"),
    path("security/second-step/off/", views.second_step_off, name="second-step-off"),
]
