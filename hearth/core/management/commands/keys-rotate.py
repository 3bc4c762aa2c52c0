import time

from django.core.management.base import BaseCommand
from django.db import transaction

from hearth.core import audit
from hearth.core.crypto import current_kek, rotate_key_encryption_key


class Command(BaseCommand):
    help = (
        "Re-wrap every person's data key and every organization's private key under the current "
        "key-encryption key (HEARTH_KEY_ENCRYPTION_KEY). List the previous key in "
        "HEARTH_KEY_ENCRYPTION_KEYS_RETIRED while this runs; the data itself is not re-encrypted."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = rotate_key_encryption_key()
        elapsed = time.perf_counter() - started
        with transaction.atomic():
            audit.record(
                actor=None,
                action="hearth.core.keys.rotated",
                detail={
                    "key_encryption_key": current_kek().key_id,
                    "data_keys": report.data_keys,
                    "organization_keys": report.organization_keys,
                },
            )
        self.stdout.write(
            f"Re-wrapped {report.data_keys} data keys and {report.organization_keys} organization "
            f"keys under key {current_kek().key_id} in {elapsed:.1f} s "
            f"({report.already_current} data keys were already under it)."
        )
