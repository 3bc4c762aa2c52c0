from django.urls import path

from . import manage_views, views

app_name = "directory"

urlpatterns = [
    path("find/", views.directory_search, name="search"),
    path("find/services/<uuid:service_id>/", views.service_detail, name="service"),
    path(
        "find/organizations/<uuid:organization_id>/",
        views.organization_detail,
        name="organization",
    ),
    path(
        "organizations/<slug:slug>/listings/",
        manage_views.member_listings,
        name="member-listings",
    ),
    path("listings/services/<uuid:service_id>/edit/", manage_views.service_edit, name="edit"),
    path(
        "listings/services/<uuid:service_id>/still-correct/",
        manage_views.service_verify,
        name="verify",
    ),
    path(
        "listings/services/<uuid:service_id>/capacity/",
        manage_views.service_capacity,
        name="capacity",
    ),
    path(
        "listings/locations/<uuid:location_id>/confidential/",
        manage_views.location_confidential,
        name="confidential",
    ),
    path("networks/<slug:slug>/stale-listings/", manage_views.network_stale, name="stale"),
]
