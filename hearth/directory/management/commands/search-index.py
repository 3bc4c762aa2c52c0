import time

from django.core.management.base import BaseCommand

from hearth.directory import search
from hearth.directory.models import Service


class Command(BaseCommand):
    help = (
        "Rebuild the directory search index from the database, rebuild it only if it is missing "
        "or was built by an earlier version of Hearth (ensure), or report its size."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "ensure", "count"])

    def handle(self, *args, action, **options):
        if action == "count":
            self.stdout.write(f"{search.indexed_count()} services indexed in {search.index_dir()}")
            return
        if action == "ensure":
            try:
                current = search.indexed_count() > 0 or not Service.objects.exists()
            except search.IndexOutdated:
                current = False
            if current:
                self.stdout.write(f"The search index in {search.index_dir()} is current.")
                return
        started = time.perf_counter()
        count = search.rebuild()
        self.stdout.write(
            f"Indexed {count} services in {time.perf_counter() - started:.1f} s "
            f"({search.index_dir()})."
        )
