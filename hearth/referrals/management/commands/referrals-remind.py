from django.core.management.base import BaseCommand

from hearth.referrals.services import referrals_remind


class Command(BaseCommand):
    help = (
        "Remind senders and network coordinators about referrals nobody has answered within the "
        "network's acknowledgement period (default 2 working days). Run it hourly."
    )

    def handle(self, *args, **options):
        count = referrals_remind()
        self.stdout.write(f"Reminded about {count} overdue referrals.")
