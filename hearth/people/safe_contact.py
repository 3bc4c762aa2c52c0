"""Safe contact: the one policy every outgoing message to a person passes.

A survivor may be endangered by a text on a shared phone, a voicemail heard by someone else, or a
message that names the service. Each person says which channels are safe, when, whether a
voicemail may be left and how much a message may say; by default nothing is safe and messages
are vague. `check_contact()` re-reads those preferences every time and refuses anything they do
not allow, naming every rule the message breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    CALL = "call", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")


class Detail(models.TextChoices):
    VAGUE = "vague", _("Vague: it does not say who is writing or what it is about")
    NAMED = "named", _("It may name the organization and what it is about")


# How much each level reveals; a message may not reveal more than the person allows.
DETAIL_ORDER = {Detail.VAGUE: 0, Detail.NAMED: 1}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-.]{7,20}$")

DEFAULT_PREFERENCES = {
    "phones": [],
    "emails": [],
    "safe_channels": [],
    "voicemail_ok": False,
    "safe_days": [],
    "safe_from": "",
    "safe_until": "",
    "time_zone": "",
    "message_detail": Detail.VAGUE.value,
    "do_not_contact": False,
}

# Reasons a message is refused: stable codes, with words for people.
REASONS = {
    "do-not-contact": _("The person asked not to be contacted."),
    "channel-not-safe": _("The person has not marked this way of contacting them as safe."),
    "no-address": _("There is no phone number or e-mail address for this way of contacting them."),
    "day-not-safe": _("The person has not marked this day as safe."),
    "time-not-safe": _("It is outside the hours the person marked as safe."),
    "voicemail-not-allowed": _("The person does not want voicemail left."),
    "too-detailed": _("The message says more than the person allows."),
}


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    at: datetime
    detail: str = Detail.VAGUE
    may_leave_voicemail: bool = False


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    reasons: tuple[str, ...] = ()
    address: str = ""

    def explain(self) -> list[str]:
        return [str(REASONS[code]) for code in self.reasons]


def _parse_time(value: str) -> time | None:
    if not value:
        return None
    hours, _sep, minutes = value.partition(":")
    return time(int(hours), int(minutes or 0))


def check_contact(preferences: dict | None, message: OutgoingMessage) -> ContactDecision:
    """May `message` be sent to a person with these preferences? Every rule is checked, so the
    answer names everything that is wrong, not only the first thing."""
    prefs = {**DEFAULT_PREFERENCES, **(preferences or {})}
    reasons: list[str] = []
    if prefs["do_not_contact"]:
        reasons.append("do-not-contact")
    if message.channel not in prefs["safe_channels"]:
        reasons.append("channel-not-safe")
    addresses = prefs["emails"] if message.channel == Channel.EMAIL else prefs["phones"]
    if not addresses:
        reasons.append("no-address")
    zone = ZoneInfo(prefs["time_zone"]) if prefs["time_zone"] else None
    local = message.at.astimezone(zone) if zone else message.at
    if prefs["safe_days"] and WEEKDAYS[local.weekday()] not in prefs["safe_days"]:
        reasons.append("day-not-safe")
    start, end = _parse_time(prefs["safe_from"]), _parse_time(prefs["safe_until"])
    if start is not None and end is not None:
        now = local.time()
        inside = start <= now < end if start <= end else (now >= start or now < end)
        if not inside:
            reasons.append("time-not-safe")
    if (
        message.channel == Channel.CALL
        and message.may_leave_voicemail
        and not prefs["voicemail_ok"]
    ):
        reasons.append("voicemail-not-allowed")
    allowed_detail = DETAIL_ORDER.get(prefs["message_detail"], 0)
    if DETAIL_ORDER.get(message.detail, len(DETAIL_ORDER)) > allowed_detail:
        reasons.append("too-detailed")
    if reasons:
        return ContactDecision(False, tuple(reasons))
    return ContactDecision(True, (), addresses[0])


def clean_preferences(data: dict) -> dict:
    """Validate contact details and preferences; raise ValidationError naming each bad field."""
    prefs = {**DEFAULT_PREFERENCES, **data}
    errors: dict[str, list] = {}
    phones = [phone.strip() for phone in prefs["phones"] if phone and phone.strip()]
    for phone in phones:
        digits = sum(ch.isdigit() for ch in phone)
        if not PHONE_PATTERN.match(phone) or not 7 <= digits <= 15:
            errors.setdefault("phones", []).append(
                ValidationError(
                    _("“%(value)s” is not a phone number: use 7 to 15 digits."),
                    params={"value": phone},
                )
            )
    emails = [email.strip() for email in prefs["emails"] if email and email.strip()]
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("emails", []).append(
                ValidationError(_("“%(value)s” is not an e-mail address."), params={"value": email})
            )
    unknown_channels = set(prefs["safe_channels"]) - set(Channel.values)
    if unknown_channels:
        errors["safe_channels"] = [ValidationError(_("Choose call, text or e-mail."))]
    unknown_days = set(prefs["safe_days"]) - set(WEEKDAYS)
    if unknown_days:
        errors["safe_days"] = [ValidationError(_("Choose days of the week."))]
    for name in ("safe_from", "safe_until"):
        value = prefs[name]
        if value and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
            errors[name] = [ValidationError(_("Enter a time like 09:30."))]
    if bool(prefs["safe_from"]) != bool(prefs["safe_until"]):
        errors.setdefault("safe_until", []).append(
            ValidationError(_("Give both the start and the end of the safe hours, or neither."))
        )
    if prefs["time_zone"]:
        try:
            ZoneInfo(prefs["time_zone"])
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = [ValidationError(_("Choose a time zone from the list."))]
    if prefs["message_detail"] not in Detail.values:
        errors["message_detail"] = [ValidationError(_("Choose how much a message may say."))]
    if errors:
        raise ValidationError(errors)
    return {
        **prefs,
        "phones": phones,
        "emails": emails,
        "safe_channels": sorted(set(prefs["safe_channels"])),
        "safe_days": [day for day in WEEKDAYS if day in set(prefs["safe_days"])],
        "voicemail_ok": bool(prefs["voicemail_ok"]),
        "do_not_contact": bool(prefs["do_not_contact"]),
    }
