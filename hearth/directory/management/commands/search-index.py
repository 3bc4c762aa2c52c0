import time

from django.core.management.base import BaseCommand

from hearth.directory import search


class Command(BaseCommand):
    help = "Rebuild the directory search index from the database, or report its size."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "count"])

    def handle(self, *args, action, **options):
        if action == "count":
            self.stdout.write(f"{search.indexed_count()} services indexed in {search.index_dir()}")
            return
        started = time.perf_counter()
        count = search.rebuild()
        self.stdout.write(
            f"Indexed {count} services in {time.perf_counter() - started:.1f} s "
            f"({search.index_dir()})."
        )
