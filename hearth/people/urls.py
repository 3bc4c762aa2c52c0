"""Staff pages about the people an organization supports."""

from django.urls import path

from . import views

app_name = "people"

PREFIX = "organizations/<slug:slug>/people/"
PERSON = PREFIX + "<uuid:person_id>/"

urlpatterns = [
    path(PREFIX, views.people_list, name="list"),
    path(PREFIX + "new/", views.person_start, name="start"),
    path(PREFIX + "consents-received/", views.consents_received, name="received"),
    path(PREFIX + "shared/<uuid:person_id>/", views.shared_person, name="shared"),
    path(PREFIX + "emergency/", views.emergency_start, name="emergency"),
    path(
        PREFIX + "emergency/<uuid:person_id>/",
        views.emergency_person,
        name="emergency-person",
    ),
    path(PREFIX + "emergency-reviews/", views.emergency_reviews, name="emergency-reviews"),
    path(
        PREFIX + "emergency-reviews/<uuid:emergency_id>/",
        views.emergency_review,
        name="emergency-review",
    ),
    path(PREFIX + "retention/", views.retention, name="retention"),
    path(PERSON, views.person_detail, name="person"),
    path(PERSON + "change/<str:category>/", views.person_edit, name="edit"),
    path(PERSON + "notes/", views.note_add, name="note-add"),
    path(PERSON + "invite/", views.person_invite, name="invite"),
    path(PERSON + "erase/", views.person_erase, name="erase"),
    path(PERSON + "consents/new/", views.consent_new, name="consent-new"),
    path(
        PERSON + "consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path(
        PERSON + "consents/<uuid:consent_id>/fhir.json",
        views.consent_fhir,
        name="consent-fhir",
    ),
]
