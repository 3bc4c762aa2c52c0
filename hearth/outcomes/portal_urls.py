"""The person's own check-in pages, under /me/ (portal_views.py)."""

from django.urls import path

from . import portal_views as views

app_name = "portal_outcomes"

urlpatterns = [
    path("check-ins/", views.check_ins, name="check-ins"),
    path("check-ins/start/<uuid:enrolment_id>/", views.start, name="start"),
    path("check-ins/<uuid:check_in_id>/", views.questionnaire, name="questionnaire"),
    path("check-ins/<uuid:check_in_id>/support/", views.support, name="support"),
    path("progress/", views.progress, name="progress"),
]
