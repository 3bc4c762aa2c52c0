from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("find/", views.directory_search, name="search"),
    path("find/services/<uuid:service_id>/", views.service_detail, name="service"),
    path(
        "find/organizations/<uuid:organization_id>/",
        views.organization_detail,
        name="organization",
    ),
]
