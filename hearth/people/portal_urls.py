"""The person's own pages, under /me/ (filled in by portal_views.py)."""

from django.urls import path  # noqa: F401

app_name = "portal"

urlpatterns: list = []
