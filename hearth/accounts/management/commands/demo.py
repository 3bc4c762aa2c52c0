from django.core.management.base import BaseCommand

from hearth.accounts import demo, demo_data
from hearth.directory import search


class Command(BaseCommand):
    help = "Load the fictional Riverbend Valley demo network (idempotent) and print its sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only load when the database has no users or organizations yet.",
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and not demo.database_is_empty():
            if demo.demo_is_loaded():
                self.load()
            else:
                self.stdout.write("The database already has data: the demo was not loaded.")
            return
        self.load()

    def load(self):
        sign_ins = demo.load_demo()
        # The demo writes its listings in bulk; the search index is rebuilt once afterwards.
        indexed = search.rebuild()
        self.stdout.write(f"Directory search index: {indexed} services.")
        self.print_sign_ins(sign_ins)

    def print_sign_ins(self, sign_ins):
        width = max(len(item.email) for item in sign_ins)
        self.stdout.write("")
        self.stdout.write(
            f"Demo sign-ins (every staff account's password: {demo_data.DEMO_PASSWORD})"
        )
        for item in sign_ins:
            self.stdout.write(f"  {item.email.ljust(width)}  {item.summary}")
        self.stdout.write(
            "Two-factor codes for these demo accounts: run `.venv/bin/hearth demo-codes`."
        )
        self.stdout.write("")
