from django.core.management.base import BaseCommand, CommandError

from hearth.accounts.models import Network
from hearth.directory.generate import generate_directory


class Command(BaseCommand):
    help = (
        "Add a synthetic directory of N services (about N/4 organizations) for benchmarks and "
        "demos. The same seed always gives the same records."
    )

    def add_arguments(self, parser):
        parser.add_argument("--services", type=int, required=True, help="How many services.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--network", metavar="SLUG", help="List the organizations in this network."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="Services written per transaction (default 5000).",
        )
        parser.add_argument(
            "--index",
            action="store_true",
            help="Rebuild the search index afterwards (otherwise run `hearth search-index "
            "rebuild`).",
        )

    def handle(self, *args, services, seed, network=None, batch_size, index=False, **options):
        if services < 1:
            raise CommandError("--services must be at least 1.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        chosen = None
        if network:
            chosen = Network.objects.filter(slug=network).first()
            if chosen is None:
                raise CommandError(f"There is no network with the slug {network!r}.")

        def progress(done: int, total: int, seconds: float) -> None:
            self.stdout.write(f"  {done:>9,} / {total:,} services  {seconds:7.1f} s")

        self.stdout.write(f"Generating {services:,} services with seed {seed}...")
        result = generate_directory(
            services=services, seed=seed, network=chosen, batch_size=batch_size, progress=progress
        )
        summary = ", ".join(f"{count:,} {name}" for name, count in result.counts.items())
        self.stdout.write(f"Created {summary}.")
        self.stdout.write(f"Total time: {result.seconds:.1f} s")
        if index:
            import time

            from hearth.directory import search

            started = time.perf_counter()
            indexed = search.rebuild()
            seconds = time.perf_counter() - started
            self.stdout.write(f"Search index rebuilt: {indexed:,} services in {seconds:.1f} s")
