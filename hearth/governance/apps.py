from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What each governance notification means, in words (a notification says only that something
# changed; the reader opens the link to see what).
NOTIFICATION_KINDS = {
    "governance.proposal.opened": _("A new proposal in one of your circles"),
    "governance.proposal.amended": _("A proposal was amended: the new version needs your response"),
    "governance.proposal.closing": _("A proposal closes within a day"),
    "governance.proposal.outcome": _("The outcome of a proposal was recorded"),
    "governance.proposal.review": _("A decision is due for review"),
    "governance.proposal.escalated": _("A proposal was escalated to one of your circles"),
    "governance.round.voting_opened": _("Voting opened in a budgeting round"),
    "governance.round.closed": _("The results of a budgeting round are published"),
    "governance.expense.awaiting": _("An expense is waiting for your approval"),
}


class GovernanceConfig(AppConfig):
    name = "hearth.governance"
    label = "governance"
    verbose_name = "Democratic governance and open books"

    def ready(self):
        from hearth.accounts.services import register_invitation_kind
        from hearth.core.audit import register_actions
        from hearth.core.notifications import register_kinds

        from .audit_actions import ACTION_LABELS
        from .services import CIRCLE_INVITATION

        register_actions(ACTION_LABELS)
        register_kinds(NOTIFICATION_KINDS)
        register_invitation_kind(CIRCLE_INVITATION.kind, CIRCLE_INVITATION)
