import time
from pathlib import Path

from django.core.management.base import BaseCommand

from hearth.directory.hsds_export import export_hsds


class Command(BaseCommand):
    help = (
        "Export the directory as HSDS 3.0 into DIR: the tabular data package (datapackage.json "
        "and one CSV file per table) and services.ndjson (every service as a fully nested "
        "document, one per line). Confidential locations are published without address or "
        "coordinates."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, metavar="DIR")

    def handle(self, *args, **options):
        started = time.monotonic()
        result = export_hsds(directory=options["directory"])
        for name, count in result.rows.items():
            self.stdout.write(f"{name}: {count} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {result.services} services to {options['directory']} "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
