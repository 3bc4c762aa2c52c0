"""The person's own referral pages, under /me/ beside the people app's (portal_views.py)."""

from django.urls import path

from . import portal_views as views

app_name = "portal_referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
]
