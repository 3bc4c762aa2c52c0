"""What each referral audit action code means, in words."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.referrals.referral.created": _("Referral made"),
    "hearth.referrals.referral.self_referred": _("Self-referral received"),
    "hearth.referrals.referral.transitioned": _("Referral status changed"),
    "hearth.referrals.referral.opened": _("Referral details opened"),
    "hearth.referrals.referral.exported": _("Referral exported as FHIR"),
    "hearth.referrals.message.sent": _("Message on a referral"),
    "hearth.referrals.reminder.sent": _("Reminder about an unanswered referral"),
    "hearth.referrals.token.created": _("API token created"),
    "hearth.referrals.token.revoked": _("API token revoked"),
}
