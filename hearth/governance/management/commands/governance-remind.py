from django.core.management.base import BaseCommand

from hearth.governance.budget_services import rounds_close_due
from hearth.governance.services import proposals_remind


class Command(BaseCommand):
    help = (
        "Close proposals whose closing time has come (escalating those a block or objection "
        "still holds to the parent circle), remind members who have not responded a day before "
        "closing, remind circles of decisions due for review, and close budgeting rounds whose "
        "voting time has passed (publishing their results). Run it every 15 minutes."
    )

    def handle(self, *args, **options):
        report = proposals_remind()
        rounds = rounds_close_due()
        self.stdout.write(
            f"Closed {report.closed} proposals ({report.escalated} escalated); "
            f"{report.closing_reminders} closing reminders; "
            f"{report.review_reminders} review reminders; "
            f"closed {rounds} budgeting rounds."
        )
