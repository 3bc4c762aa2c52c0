"""The referral pages (views.py). The person's own referral pages are in portal_urls.py."""

from django.urls import path

from . import views

app_name = "referrals"

ORGANIZATION = "organizations/<slug:slug>/"

urlpatterns = [
    path(ORGANIZATION + "referrals/", views.organization_referrals, name="list"),
    path(ORGANIZATION + "referrals/new/", views.choose_person, name="choose-person"),
    path(
        ORGANIZATION + "people/<uuid:person_id>/refer/",
        views.refer,
        name="refer",
    ),
    path("referrals/new/", views.refer_someone, name="refer-someone"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("referrals/<uuid:referral_id>/fhir.json", views.referral_fhir, name="fhir"),
    path("networks/<slug:slug>/referrals/", views.network_referrals, name="network"),
    path("find/services/<uuid:service_id>/contact-me/", views.contact_me, name="contact-me"),
    path("find/contact-me/sent/", views.contact_me_sent, name="contact-me-sent"),
]
