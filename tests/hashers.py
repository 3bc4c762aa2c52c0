from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """The production algorithm with a small memory cost, so the suite does not spend minutes
    hashing. Production keeps Django's defaults."""

    memory_cost = 1024
    time_cost = 1
    parallelism = 1
