"""Staff check-in pages (views.py): programs, measures, safety alerts, and one person's
check-ins and progress beside their record."""

from django.urls import path

from . import views

app_name = "outcomes"

ORGANIZATION = "organizations/<slug:slug>/"
PERSON = ORGANIZATION + "people/<uuid:person_id>/"

urlpatterns = [
    path(ORGANIZATION + "programs/", views.programs, name="programs"),
    path(ORGANIZATION + "programs/measures/", views.instrument_switches, name="instruments"),
    path(ORGANIZATION + "programs/<uuid:program_id>/", views.program_detail, name="program"),
    path(ORGANIZATION + "safety-alerts/", views.safety_alerts, name="safety-alerts"),
    path(
        ORGANIZATION + "safety-alerts/<uuid:alert_id>/acknowledge/",
        views.safety_alert_acknowledge,
        name="safety-acknowledge",
    ),
    path(PERSON + "check-ins/", views.person_check_ins, name="person"),
    path(PERSON + "check-ins/enrol/", views.person_enrol, name="enrol"),
    path(PERSON + "check-ins/schedule/", views.person_schedule, name="schedule"),
    path(PERSON + "check-ins/start/", views.person_start, name="start"),
    path(PERSON + "check-ins/<uuid:check_in_id>/", views.questionnaire, name="questionnaire"),
    path(PERSON + "check-ins/<uuid:check_in_id>/safety/", views.safety, name="safety"),
    path(PERSON + "progress/", views.person_progress, name="progress"),
]
