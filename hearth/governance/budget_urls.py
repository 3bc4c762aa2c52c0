"""The pages of participatory budgeting (budget_views.py)."""

from django.urls import path

from . import budget_views as views

app_name = "budgeting"

ROUND = "budgeting/<uuid:round_id>/"

urlpatterns = [
    path("circles/<slug:slug>/budgeting/", views.rounds, name="rounds"),
    path("circles/<slug:slug>/budgeting/new/", views.round_new, name="round-new"),
    path("circles/<slug:slug>/budgeting/import/", views.round_import, name="import"),
    path(ROUND, views.round_detail, name="round"),
    path(ROUND + "projects/new/", views.project_new, name="project-new"),
    path(ROUND + "open/", views.round_open, name="open"),
    path(ROUND + "close/", views.round_close, name="close"),
    path(ROUND + "results/", views.round_results, name="results"),
    path(ROUND + "round.pb", views.round_export, name="export"),
    path(ROUND + "funded-projects/", views.accountability, name="accountability"),
    path("budgeting/projects/<uuid:project_id>/progress/", views.project_progress, name="progress"),
]
