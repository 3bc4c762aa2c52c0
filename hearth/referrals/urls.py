"""Staff pages for referrals (views.py)."""

from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="detail"),
]
