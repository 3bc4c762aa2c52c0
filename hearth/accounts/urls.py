from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("sign-in/two-factor/", views.two_factor, name="two-factor"),
    path("sign-in/two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("my/", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/switch/", views.switch_context, name="switch"),
    path("organizations/", views.organizations, name="organizations"),
    path("organizations/new/", views.organization_create, name="organization-create"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("organizations/<slug:slug>/edit/", views.organization_edit, name="organization-edit"),
    path("organizations/<slug:slug>/members/", views.organization_members, name="members"),
    path(
        "organizations/<slug:slug>/members/<uuid:membership_id>/role/",
        views.member_change_role,
        name="member-role",
    ),
    path(
        "organizations/<slug:slug>/members/<uuid:membership_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path(
        "organizations/<slug:slug>/members/<uuid:membership_id>/reset-two-factor/",
        views.member_reset_two_factor,
        name="member-reset-two-factor",
    ),
    path(
        "organizations/<slug:slug>/invitations/",
        views.organization_invitations,
        name="invitations",
    ),
    path(
        "organizations/<slug:slug>/invitations/<uuid:invitation_id>/withdraw/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("organizations/<slug:slug>/audit/", views.organization_audit, name="organization-audit"),
    path("networks/", views.networks, name="networks"),
    path("networks/new/", views.network_create, name="network-create"),
    path("networks/<slug:slug>/", views.network_detail, name="network"),
    path("networks/<slug:slug>/edit/", views.network_edit, name="network-edit"),
    path(
        "networks/<slug:slug>/organizations/add/",
        views.network_add_organization,
        name="network-add-organization",
    ),
    path(
        "networks/<slug:slug>/organizations/<slug:organization_slug>/remove/",
        views.network_remove_organization,
        name="network-remove-organization",
    ),
    path(
        "networks/<slug:slug>/coordinators/",
        views.network_coordinators,
        name="network-coordinators",
    ),
    path(
        "networks/<slug:slug>/coordinators/<uuid:coordinator_id>/remove/",
        views.network_remove_coordinator,
        name="network-remove-coordinator",
    ),
    path("networks/<slug:slug>/audit/", views.network_audit, name="network-audit"),
]
