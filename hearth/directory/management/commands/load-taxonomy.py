from django.core.management.base import BaseCommand

from hearth.directory import taxonomy


class Command(BaseCommand):
    help = (
        "Load the Open Eligibility taxonomy that ships with Hearth into the directory, or bring "
        "it up to date (idempotent)."
    )

    def handle(self, *args, **options):
        result = taxonomy.load_taxonomy(actor=None)
        self.stdout.write(
            f"{taxonomy.TAXONOMY_NAME} (version {taxonomy.SOURCE_COMMIT[:7]}): "
            f"{result.total} terms; {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
