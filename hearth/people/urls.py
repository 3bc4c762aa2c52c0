"""Staff pages about the people an organization supports (filled in by views.py)."""

from django.urls import path  # noqa: F401

app_name = "people"

urlpatterns: list = []
