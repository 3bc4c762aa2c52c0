"""The pages of circles, discussions and proposals (views.py)."""

from django.urls import path

from . import views

app_name = "governance"

CIRCLE = "circles/<slug:slug>/"

urlpatterns = [
    path("circles/", views.circles, name="circles"),
    path("circles/new/", views.circle_new, name="circle-new"),
    path(CIRCLE, views.circle_detail, name="circle"),
    path(CIRCLE + "members/", views.circle_members, name="members"),
    path(CIRCLE + "sub-circles/new/", views.sub_circle_new, name="sub-circle-new"),
    path(CIRCLE + "discussions/new/", views.thread_new, name="thread-new"),
    path(CIRCLE + "proposals/new/", views.proposal_new, name="proposal-new"),
    path("discussions/<uuid:thread_id>/", views.thread_detail, name="thread"),
    path("proposals/<uuid:proposal_id>/", views.proposal_detail, name="proposal"),
    path("proposals/<uuid:proposal_id>/amend/", views.proposal_amend, name="proposal-amend"),
    path(
        "proposals/<uuid:proposal_id>/results.csv", views.proposal_results_csv, name="results-csv"
    ),
]
