from django.core.management.base import BaseCommand

from hearth.accounts.demo import demo_totp_code
from hearth.accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of each demo account (demo accounts only)."

    def handle(self, *args, **options):
        users = User.objects.filter(is_demo=True).order_by("email")
        if not users:
            self.stdout.write("There are no demo accounts. Run `hearth demo` first.")
            return
        self.stdout.write("Current two-factor codes (each changes every 30 seconds):")
        for user in users:
            self.stdout.write(f"  {demo_totp_code(user.email)}  {user.email}")
