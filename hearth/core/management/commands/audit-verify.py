from django.core.management.base import BaseCommand, CommandError

from hearth.core.audit import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and report the first broken link."

    def handle(self, *args, **options):
        report = verify_chain()
        if report.intact:
            self.stdout.write(f"Audit trail intact: {report.checked} records checked.")
            return
        raise CommandError(
            f"Audit trail broken at record #{report.broken_at}: {report.problem}. "
            f"{report.checked} records before it are intact."
        )
