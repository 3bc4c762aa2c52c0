from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hearth.accounts.models import Network
from hearth.directory.hsds_import import ImportRefused, import_hsds


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 data into the directory: a tabular data package (a directory with "
        "datapackage.json and CSV files, or that datapackage.json), or a JSON or NDJSON file of "
        "service, organization, service_at_location, location or taxonomy documents. "
        "Everything is validated first; if anything is wrong, every problem is listed and "
        "nothing is written. Records are matched by id: existing ones are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="data package directory, or a file")
        parser.add_argument(
            "--network",
            metavar="SLUG",
            help="the network whose directory keeps the imported organizations",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="validate and rehearse the import, then undo it",
        )
        parser.add_argument(
            "--drop-dangling-references",
            action="store_true",
            help=(
                "store optional links to records that are neither in the data nor in the "
                "directory as empty, and list them, instead of refusing the import"
            ),
        )

    def handle(self, *args, **options):
        network = None
        if options["network"]:
            network = Network.objects.filter(slug=options["network"]).first()
            if network is None:
                raise CommandError(f"There is no network {options['network']!r}.")
        try:
            result = import_hsds(
                actor=None,
                path=options["path"],
                network=network,
                dry_run=options["dry_run"],
                drop_dangling_references=options["drop_dangling_references"],
            )
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(refused.problems)} problem(s) found; nothing was imported."
            ) from None
        for note in result.notes:
            self.stdout.write(f"Note: {note}")
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count.created} new, {count.updated} updated")
        if result.dry_run:
            self.stdout.write("Dry run: the data is valid; nothing was written.")
        else:
            total = sum(count.created + count.updated for count in result.counts.values())
            self.stdout.write(self.style.SUCCESS(f"Imported {total} records."))
