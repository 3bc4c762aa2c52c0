from django.core.management.base import BaseCommand

from hearth.people.services import retention_purge


class Command(BaseCommand):
    help = (
        "Apply every organization's retention periods: erase records past theirs (by destroying "
        "the person's data key) and delete notes past theirs. Run it daily."
    )

    def handle(self, *args, **options):
        result = retention_purge()
        self.stdout.write(
            f"Erased {result['erased']} records past retention; deleted {result['notes']} notes."
        )
