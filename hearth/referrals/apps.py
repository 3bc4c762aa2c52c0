from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What each referral notification means, in words (a notification says only that something
# changed; the reader opens the referral to see what).
NOTIFICATION_KINDS = {
    "referral.requested": _("A referral was sent to your organization"),
    "referral.accepted": _("A referral you sent was accepted"),
    "referral.rejected": _("A referral you sent was declined"),
    "referral.cancelled": _("A referral was cancelled"),
    "referral.in-progress": _("Work started on a referral you sent"),
    "referral.on-hold": _("A referral you sent was put on hold"),
    "referral.completed": _("A referral you sent was completed"),
    "referral.failed": _("A referral you sent could not be completed"),
    "referral.entered-in-error": _("A referral was marked as made by mistake"),
    "referral.message": _("A new message on a referral"),
    "referral.overdue": _("A referral has not been answered in time"),
}


class ReferralsConfig(AppConfig):
    name = "hearth.referrals"
    label = "referrals"
    verbose_name = "Closed-loop referrals"

    def ready(self):
        from hearth.core.audit import register_actions
        from hearth.core.notifications import register_kinds
        from hearth.people.services import register_eraser

        from .audit_actions import ACTION_LABELS
        from .services import referrals_erase_for_person

        register_actions(ACTION_LABELS)
        register_kinds(NOTIFICATION_KINDS)
        register_eraser(referrals_erase_for_person)
