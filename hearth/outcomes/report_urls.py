"""Custom forms, program reports, the standards self-assessment and the public impact pages
(report_views.py). The check-in pages are in urls.py."""

from django.urls import path

from . import report_views as views

app_name = "outcome_reports"

ORGANIZATION = "organizations/<slug:slug>/"

urlpatterns = [
    path(ORGANIZATION + "forms/", views.forms_list, name="forms"),
    path(ORGANIZATION + "forms/<uuid:form_id>/", views.form_preview, name="form-preview"),
    path(
        ORGANIZATION + "programs/<uuid:program_id>/report/",
        views.program_report,
        name="program-report",
    ),
    path(ORGANIZATION + "self-assessment/", views.self_assessment, name="self-assessment"),
    path(
        ORGANIZATION + "self-assessment/new/",
        views.self_assessment_new,
        name="self-assessment-new",
    ),
    path(
        "networks/<slug:slug>/self-assessment/",
        views.network_self_assessment,
        name="network-self-assessment",
    ),
    path("impact/<slug:network_slug>/", views.impact_page, name="impact"),
    path(
        "impact/<slug:network_slug>/dataValueSets.json",
        views.impact_data_values_json,
        name="impact-json",
    ),
    path(
        "impact/<slug:network_slug>/dataValueSets.csv",
        views.impact_data_values_csv,
        name="impact-csv",
    ),
]
