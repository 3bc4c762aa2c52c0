from django.urls import path

from . import token_views

app_name = "referral-tokens"

urlpatterns = [
    path("organizations/<slug:slug>/api-tokens/", token_views.api_tokens, name="list"),
    path(
        "organizations/<slug:slug>/api-tokens/<uuid:token_id>/revoke/",
        token_views.api_token_revoke,
        name="revoke",
    ),
]
