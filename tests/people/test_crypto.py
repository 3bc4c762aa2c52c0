import pytest

from hearth.core import crypto
from hearth.core.models import DataKey, OrganizationKey
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_values_round_trip_under_a_data_key_and_are_bound_to_their_context():
    cipher = crypto.Cipher(crypto.data_key_create())

    sealed = cipher.encrypt(b"Robin", "person:1:identity")

    assert b"Robin" not in sealed
    assert cipher.decrypt(sealed, "person:1:identity") == b"Robin"
    with pytest.raises(crypto.DecryptionFailed):
        cipher.decrypt(sealed, "person:2:identity")


def test_a_value_under_one_data_key_does_not_open_under_another():
    sealed = crypto.Cipher(crypto.data_key_create()).encrypt(b"Robin", "ctx")

    with pytest.raises(crypto.DecryptionFailed):
        crypto.Cipher(crypto.data_key_create()).decrypt(sealed, "ctx")


def test_an_altered_ciphertext_is_refused():
    cipher = crypto.Cipher(crypto.data_key_create())
    sealed = bytearray(cipher.encrypt(b"Robin", "ctx"))
    sealed[-1] ^= 1

    with pytest.raises(crypto.DecryptionFailed):
        cipher.decrypt(bytes(sealed), "ctx")


def test_a_destroyed_data_key_opens_nothing_ever_again():
    key = crypto.data_key_create()
    sealed = crypto.Cipher(key).encrypt(b"Robin", "ctx")

    crypto.data_key_destroy(key)

    stored = DataKey.objects.get(pk=key.pk)
    assert bytes(stored.wrapped) == b""
    assert stored.destroyed_at is not None
    with pytest.raises(crypto.KeyDestroyed):
        crypto.Cipher(stored)
    assert sealed  # the ciphertext may survive in backups; without the key it is noise


def test_rotation_rewraps_data_keys_without_touching_the_data(settings):
    key = crypto.data_key_create()
    sealed = crypto.Cipher(key).encrypt(b"Robin", "ctx")
    organization = OrganizationFactory()
    payload = crypto.seal_for_organization(organization, b"referral summary")
    old_kek_id = key.kek_id

    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = [settings.HEARTH_KEY_ENCRYPTION_KEY]
    settings.HEARTH_KEY_ENCRYPTION_KEY = "a brand new key-encryption key for this test"
    report = crypto.rotate_key_encryption_key()

    stored = DataKey.objects.get(pk=key.pk)
    assert report.data_keys == 1
    assert report.organization_keys == 1
    assert stored.kek_id == crypto.current_kek().key_id != old_kek_id
    # Once rotated, the old key is no longer needed to read anything.
    settings.HEARTH_KEY_ENCRYPTION_KEYS_RETIRED = []
    assert crypto.Cipher(stored).decrypt(sealed, "ctx") == b"Robin"
    assert crypto.open_sealed(organization, payload) == b"referral summary"
    assert OrganizationKey.objects.get(organization=organization).kek_id == stored.kek_id


def test_without_the_old_key_an_unrotated_data_key_does_not_open(settings):
    key = crypto.data_key_create()

    settings.HEARTH_KEY_ENCRYPTION_KEY = "another key entirely"

    with pytest.raises(crypto.DecryptionFailed, match="HEARTH_KEY_ENCRYPTION_KEYS_RETIRED"):
        crypto.Cipher(DataKey.objects.get(pk=key.pk))


def test_a_payload_sealed_to_one_organization_opens_only_for_it():
    receiver, other = OrganizationFactory(), OrganizationFactory()

    sealed = crypto.seal_for_organization(receiver, b"summary")

    assert crypto.open_sealed(receiver, sealed) == b"summary"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(other, sealed)


def test_blind_indexes_ignore_case_accents_and_punctuation_but_not_the_organization():
    first, second = OrganizationFactory(), OrganizationFactory()

    assert crypto.blind_index(first.pk, "name", "  José  María ") == crypto.blind_index(
        first.pk, "name", "jose maria"
    )
    assert crypto.blind_index(first.pk, "phone", "+1 (555) 123-4567") == crypto.blind_index(
        first.pk, "phone", "555.123.4567"
    )
    assert crypto.blind_index(first.pk, "name", "Robin") != crypto.blind_index(
        second.pk, "name", "Robin"
    )
    assert crypto.blind_index(first.pk, "name", "Robin") != crypto.blind_index(
        first.pk, "email", "Robin"
    )
