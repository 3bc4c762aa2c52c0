"""What each governance audit action code means, in words."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.governance.circle.created": _("Circle created"),
    "hearth.governance.member.added": _("Member added to a circle"),
    "hearth.governance.member.removed": _("Member left a circle"),
    "hearth.governance.thread.started": _("Discussion started"),
    "hearth.governance.comment.added": _("Comment added"),
    "hearth.governance.proposal.opened": _("Proposal opened"),
    "hearth.governance.proposal.amended": _("Proposal amended"),
    "hearth.governance.proposal.responded": _("Response recorded"),
    "hearth.governance.proposal.closed": _("Proposal closed"),
    "hearth.governance.proposal.withdrawn": _("Proposal withdrawn"),
    "hearth.governance.proposal.escalated": _("Proposal escalated to the wider circle"),
    "hearth.governance.outcome.recorded": _("Outcome recorded"),
    "hearth.governance.round.created": _("Budgeting round created"),
    "hearth.governance.round.voting_opened": _("Budgeting vote opened"),
    "hearth.governance.round.closed": _("Budgeting results published"),
    "hearth.governance.round.imported": _("Budgeting round imported from a .pb file"),
    "hearth.governance.project.proposed": _("Project proposed"),
    "hearth.governance.project.updated": _("Funded project progress updated"),
    "hearth.governance.ballot.cast": _("Budgeting ballot cast"),
    "hearth.governance.ledger.created": _("Books opened"),
    "hearth.governance.journal.recorded": _("Movement recorded in the books"),
    "hearth.governance.expense.submitted": _("Expense submitted"),
    "hearth.governance.expense.approved": _("Expense approved"),
    "hearth.governance.expense.rejected": _("Expense not approved"),
    "hearth.governance.expense.paid": _("Expense paid"),
    "hearth.governance.expense.cancelled": _("Expense cancelled"),
    "hearth.governance.expense.refused": _("Expense approval refused"),
}
