"""The keyring: the one place Hearth encrypts and decrypts.

- A key-encryption key (KEK) comes from configuration (`HEARTH_KEY_ENCRYPTION_KEY`); it never
  touches the database. Only a short fingerprint of it is stored beside what it wrapped.
- Each person has a data key (`DataKey`), stored wrapped by the KEK. Every personal field is
  encrypted under it with AES-256-GCM. Destroying the data key erases the person everywhere.
- Each organization has an X25519 key pair (`OrganizationKey`): a payload sealed to its public
  key (PyNaCl SealedBox) can be opened by that organization alone.
- Blind indexes (keyed HMAC-SHA256, one key per organization) let staff find a person by an exact
  name, phone number or e-mail address without storing any of them readably.

`rotate_key_encryption_key()` re-wraps data keys and private keys under the current KEK without
touching the data they protect; earlier KEKs listed in `HEARTH_KEY_ENCRYPTION_KEYS_RETIRED` keep
unwrapping until then."""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from nacl.public import PrivateKey, PublicKey, SealedBox

from .models import DataKey, OrganizationKey

NONCE_BYTES = 12
# Ciphertexts start with a version byte so the format can change without guessing.
FORMAT_VERSION = b"\x01"


class KeyDestroyed(Exception):
    """The data key was destroyed (the person was erased): nothing under it can be read."""


class DecryptionFailed(Exception):
    """A ciphertext did not authenticate: it was altered, or belongs to another key."""


@dataclass(frozen=True)
class KeyEncryptionKey:
    key_id: str
    aead: AESGCM


def _derive_kek(secret: str) -> KeyEncryptionKey:
    material = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hearth key-encryption key v1"
    ).derive(secret.encode())
    key_id = hashlib.sha256(b"hearth kek id" + material).hexdigest()[:16]
    return KeyEncryptionKey(key_id=key_id, aead=AESGCM(material))


@lru_cache(maxsize=8)
def _keks(
    current: str, retired: tuple[str, ...]
) -> tuple[KeyEncryptionKey, dict[str, KeyEncryptionKey]]:
    active = _derive_kek(current)
    every = {active.key_id: active}
    for secret in retired:
        kek = _derive_kek(secret)
        every.setdefault(kek.key_id, kek)
    return active, every


def current_kek() -> KeyEncryptionKey:
    return _keks(
        settings.HEARTH_KEY_ENCRYPTION_KEY, tuple(settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED)
    )[0]


def _kek_by_id(key_id: str) -> KeyEncryptionKey:
    _active, every = _keks(
        settings.HEARTH_KEY_ENCRYPTION_KEY, tuple(settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED)
    )
    try:
        return every[key_id]
    except KeyError:
        raise DecryptionFailed(
            f"No configured key-encryption key has fingerprint {key_id}; "
            "list the earlier key in HEARTH_KEY_ENCRYPTION_KEYS_RETIRED."
        ) from None


def _wrap(secret: bytes, associated: bytes) -> tuple[bytes, str]:
    kek = current_kek()
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + kek.aead.encrypt(nonce, secret, associated), kek.key_id


def _unwrap(wrapped: bytes, key_id: str, associated: bytes) -> bytes:
    wrapped = bytes(wrapped)
    if wrapped[:1] != FORMAT_VERSION:
        raise DecryptionFailed("Unknown wrapped-key format.")
    nonce, body = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return _kek_by_id(key_id).aead.decrypt(nonce, body, associated)
    except InvalidTag:
        raise DecryptionFailed("A wrapped key did not authenticate.") from None


# --- data keys -------------------------------------------------------------------------------


def data_key_create() -> DataKey:
    """A fresh data key, saved wrapped. The caller links it to the record it protects."""
    key_id = uuid.uuid4()
    wrapped, kek_id = _wrap(AESGCM.generate_key(bit_length=256), key_id.bytes)
    return DataKey.objects.create(id=key_id, wrapped=wrapped, kek_id=kek_id)


def data_keys_create(count: int) -> list[DataKey]:
    """`count` fresh data keys, saved wrapped in bulk (for loading many records at once); each is
    made exactly as `data_key_create()` makes one."""
    keys = []
    for _ in range(count):
        key_id = uuid.uuid4()
        wrapped, kek_id = _wrap(AESGCM.generate_key(bit_length=256), key_id.bytes)
        keys.append(DataKey(id=key_id, wrapped=wrapped, kek_id=kek_id))
    return DataKey.objects.bulk_create(keys, batch_size=1000)


class Cipher:
    """Encrypts and decrypts values under one data key. `context` binds each ciphertext to the
    record and field it belongs to, so a value cannot be moved to another field unnoticed."""

    def __init__(self, data_key: DataKey):
        if data_key.destroyed_at is not None or not data_key.wrapped:
            raise KeyDestroyed(str(data_key.id))
        self.key_id = data_key.id
        self._aead = AESGCM(_unwrap(data_key.wrapped, data_key.kek_id, data_key.id.bytes))

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def decrypt(self, ciphertext: bytes, context: str) -> bytes:
        ciphertext = bytes(ciphertext)
        if ciphertext[:1] != FORMAT_VERSION:
            raise DecryptionFailed("Unknown ciphertext format.")
        nonce, body = ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, context.encode())
        except InvalidTag:
            raise DecryptionFailed("A value did not authenticate under its data key.") from None


def data_key_destroy(data_key: DataKey) -> None:
    """Destroy a data key for good: every value encrypted under it becomes unreadable."""
    DataKey.objects.filter(pk=data_key.pk).update(
        wrapped=b"", kek_id="", destroyed_at=timezone.now()
    )
    data_key.wrapped, data_key.kek_id, data_key.destroyed_at = b"", "", timezone.now()


# --- organization key pairs ------------------------------------------------------------------


def organization_key(organization) -> OrganizationKey:
    """The organization's key pair, made on first use."""
    existing = OrganizationKey.objects.filter(organization=organization).first()
    if existing is not None:
        return existing
    private = PrivateKey.generate()
    wrapped, kek_id = _wrap(bytes(private), organization.pk.bytes)
    with transaction.atomic():
        key, _created = OrganizationKey.objects.get_or_create(
            organization=organization,
            defaults={
                "public_key": bytes(private.public_key),
                "wrapped_private_key": wrapped,
                "kek_id": kek_id,
            },
        )
    return key


def seal_for_organization(organization, plaintext: bytes) -> bytes:
    """Encrypt so that only `organization` can read it."""
    public = PublicKey(bytes(organization_key(organization).public_key))
    return SealedBox(public).encrypt(plaintext)


def open_sealed(organization, sealed: bytes) -> bytes:
    key = organization_key(organization)
    private = PrivateKey(_unwrap(key.wrapped_private_key, key.kek_id, organization.pk.bytes))
    try:
        return SealedBox(private).decrypt(bytes(sealed))
    except Exception as error:  # nacl raises CryptoError subclasses
        raise DecryptionFailed(
            "A sealed payload did not open with this organization's key."
        ) from error


# --- blind indexes ---------------------------------------------------------------------------


def normalize_for_lookup(kind: str, value: str) -> str:
    """The form a value is matched in: case, accents, spacing and phone punctuation ignored."""
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if kind == "phone":
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits[-10:] if len(digits) > 10 else digits
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return " ".join(text.split())


@lru_cache(maxsize=1024)
def _organization_index_key(secret: str, organization_id: str) -> bytes:
    return hmac.new(
        secret.encode(), b"hearth blind index " + organization_id.encode(), "sha256"
    ).digest()


def blind_index(organization_id, kind: str, value: str) -> str:
    """A keyed digest of `value` that matches only within one organization."""
    normalized = normalize_for_lookup(kind, value)
    key = _organization_index_key(settings.HEARTH_BLIND_INDEX_KEY, str(organization_id))
    return hmac.new(key, f"{kind}:{normalized}".encode(), "sha256").hexdigest()[:32]


# --- rotation --------------------------------------------------------------------------------


@dataclass
class RotationReport:
    data_keys: int = 0
    organization_keys: int = 0
    already_current: int = 0


def rotate_key_encryption_key(*, batch_size: int = 2000) -> RotationReport:
    """Re-wrap every data key and private key not yet under the current KEK.

    Only the small wrapped keys are rewritten; the data they protect is not touched. Runs in
    batches, each its own transaction, so it can be interrupted and run again."""
    active = current_kek()
    report = RotationReport()
    report.already_current = DataKey.objects.filter(kek_id=active.key_id).count()
    while True:
        with transaction.atomic():
            batch = list(
                DataKey.objects.exclude(kek_id=active.key_id)
                .exclude(kek_id="")
                .only("id", "wrapped", "kek_id")[:batch_size]
            )
            if not batch:
                break
            for key in batch:
                secret = _unwrap(key.wrapped, key.kek_id, key.id.bytes)
                key.wrapped, key.kek_id = _wrap(secret, key.id.bytes)
            DataKey.objects.bulk_update(batch, ["wrapped", "kek_id"])
            report.data_keys += len(batch)
    with transaction.atomic():
        for key in OrganizationKey.objects.exclude(kek_id=active.key_id):
            organization_id = uuid.UUID(str(key.organization_id))
            secret = _unwrap(key.wrapped_private_key, key.kek_id, organization_id.bytes)
            key.wrapped_private_key, key.kek_id = _wrap(secret, organization_id.bytes)
            key.save(update_fields=["wrapped_private_key", "kek_id"])
            report.organization_keys += 1
    return report


def ciphers_for(data_keys: Iterable[DataKey]) -> dict:
    """Ciphers for many data keys at once (a list page); destroyed keys are left out."""
    return {key.id: Cipher(key) for key in data_keys if key.destroyed_at is None and key.wrapped}
