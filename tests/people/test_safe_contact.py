"""One test per safe-contact rule: each refuses exactly the message it should."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from hearth.people.safe_contact import (
    Channel,
    Detail,
    OutgoingMessage,
    check_contact,
    clean_preferences,
)

# Wednesday 2026-11-18, 15:00 UTC = 10:00 in New York.
WEDNESDAY_3PM_UTC = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)

SAFE_TEXTS = {
    "phones": ["555 010 2030"],
    "emails": ["robin@example.org"],
    "safe_channels": ["text", "email"],
    "voicemail_ok": False,
    "safe_days": ["mon", "tue", "wed"],
    "safe_from": "09:00",
    "safe_until": "12:00",
    "time_zone": "America/New_York",
    "message_detail": "vague",
    "do_not_contact": False,
}


def message(**changes):
    return OutgoingMessage(
        **{"channel": Channel.TEXT, "at": WEDNESDAY_3PM_UTC, "detail": Detail.VAGUE, **changes}
    )


def test_a_message_inside_every_preference_is_allowed_to_the_first_address():
    decision = check_contact(SAFE_TEXTS, message())

    assert decision.allowed
    assert decision.reasons == ()
    assert decision.address == "555 010 2030"


def test_nothing_is_safe_by_default():
    decision = check_contact(None, message())

    assert not decision.allowed
    assert decision.reasons == ("channel-not-safe", "no-address")


def test_do_not_contact_refuses_everything():
    decision = check_contact({**SAFE_TEXTS, "do_not_contact": True}, message())

    assert decision.reasons == ("do-not-contact",)


def test_a_channel_not_marked_safe_is_refused():
    decision = check_contact(SAFE_TEXTS, message(channel=Channel.CALL))

    assert decision.reasons == ("channel-not-safe",)


def test_a_safe_channel_without_an_address_is_refused():
    decision = check_contact({**SAFE_TEXTS, "emails": []}, message(channel=Channel.EMAIL))

    assert decision.reasons == ("no-address",)


def test_a_day_not_marked_safe_is_refused_in_the_persons_time_zone():
    # Thursday 03:00 UTC is still Wednesday 22:00 in New York: a safe day, an unsafe hour.
    thursday_early_utc = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    friday_morning_ny = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

    assert check_contact(SAFE_TEXTS, message(at=thursday_early_utc)).reasons == ("time-not-safe",)
    assert check_contact(SAFE_TEXTS, message(at=friday_morning_ny)).reasons == ("day-not-safe",)


def test_outside_the_safe_hours_is_refused_and_the_end_is_exclusive():
    noon_ny = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
    just_before_noon = datetime(2026, 11, 18, 16, 59, tzinfo=UTC)

    assert check_contact(SAFE_TEXTS, message(at=noon_ny)).reasons == ("time-not-safe",)
    assert check_contact(SAFE_TEXTS, message(at=just_before_noon)).allowed


def test_safe_hours_may_run_past_midnight():
    nights = {**SAFE_TEXTS, "safe_days": [], "safe_from": "22:00", "safe_until": "02:00"}

    assert check_contact(nights, message(at=datetime(2026, 11, 19, 4, 0, tzinfo=UTC))).allowed
    assert check_contact(nights, message(at=datetime(2026, 11, 19, 8, 0, tzinfo=UTC))).reasons == (
        "time-not-safe",
    )


def test_a_call_that_may_reach_voicemail_is_refused_when_voicemail_is_not_allowed():
    calls = {**SAFE_TEXTS, "safe_channels": ["call"]}

    refused = check_contact(calls, message(channel=Channel.CALL, may_leave_voicemail=True))
    allowed = check_contact(
        {**calls, "voicemail_ok": True}, message(channel=Channel.CALL, may_leave_voicemail=True)
    )

    assert refused.reasons == ("voicemail-not-allowed",)
    assert allowed.allowed


def test_a_message_naming_the_service_is_refused_when_only_vague_ones_are_safe():
    decision = check_contact(SAFE_TEXTS, message(detail=Detail.NAMED))

    assert decision.reasons == ("too-detailed",)
    assert check_contact({**SAFE_TEXTS, "message_detail": "named"}, message(detail="named")).allowed


def test_every_broken_rule_is_named_and_explained():
    decision = check_contact(
        {**SAFE_TEXTS, "do_not_contact": True},
        message(
            channel=Channel.CALL, detail=Detail.NAMED, at=datetime(2026, 11, 20, 23, tzinfo=UTC)
        ),
    )

    assert decision.reasons == (
        "do-not-contact",
        "channel-not-safe",
        "day-not-safe",
        "time-not-safe",
        "too-detailed",
    )
    assert len(decision.explain()) == 5


def test_malformed_contact_details_get_field_level_errors():
    with pytest.raises(ValidationError) as invalid:
        clean_preferences(
            {
                "phones": ["call me"],
                "emails": ["not-an-address"],
                "safe_channels": ["pigeon"],
                "safe_days": ["someday"],
                "safe_from": "25:00",
                "time_zone": "Mars/Olympus",
                "message_detail": "everything",
            }
        )

    assert sorted(invalid.value.message_dict) == [
        "emails",
        "message_detail",
        "phones",
        "safe_channels",
        "safe_days",
        "safe_from",
        "safe_until",
        "time_zone",
    ]
    assert "“call me” is not a phone number" in invalid.value.message_dict["phones"][0]
