"""What each accounts audit action code means, in words people read on the audit pages."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.accounts.user.created": _("Account created"),
    "hearth.accounts.user.updated": _("Account details changed"),
    "hearth.accounts.user.password_set": _("Password set"),
    "hearth.accounts.user.signed_in": _("Signed in"),
    "hearth.accounts.user.sign_in_failed": _("Sign-in failed"),
    "hearth.accounts.user.signed_out": _("Signed out"),
    "hearth.accounts.two_factor.enabled": _("Two-factor sign-in turned on"),
    "hearth.accounts.two_factor.reset": _("Two-factor sign-in reset"),
    "hearth.accounts.network.created": _("Network created"),
    "hearth.accounts.network.updated": _("Network details changed"),
    "hearth.accounts.organization.created": _("Organization created"),
    "hearth.accounts.organization.updated": _("Organization details changed"),
    "hearth.accounts.organization.joined_network": _("Organization joined the network"),
    "hearth.accounts.organization.left_network": _("Organization left the network"),
    "hearth.accounts.membership.added": _("Member added"),
    "hearth.accounts.membership.role_changed": _("Member's role changed"),
    "hearth.accounts.membership.removed": _("Member removed"),
    "hearth.accounts.coordinator.added": _("Coordinator added"),
    "hearth.accounts.coordinator.removed": _("Coordinator removed"),
    "hearth.accounts.invitation.created": _("Invitation sent"),
    "hearth.accounts.invitation.revoked": _("Invitation withdrawn"),
    "hearth.accounts.invitation.accepted": _("Invitation accepted"),
}
