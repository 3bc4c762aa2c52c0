"""Showing directory details in words on the listing pages."""

from django import template
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from hearth.directory import codes

register = template.Library()

DAY_NAMES = dict(codes.WEEK_DAYS)


@register.filter
def schedule_days(schedule) -> str:
    """ "MO,TU" → "Monday, Tuesday", in the reader's language; unknown codes as written."""
    days = [day for day in (schedule.byday or "").split(",") if day]
    if not days:
        return _("Every day") if schedule.opens_at else ""
    return ", ".join(str(DAY_NAMES.get(day, day)) for day in days)


@register.filter
def schedule_times(schedule) -> str:
    if schedule.opens_at is None or schedule.closes_at is None:
        return ""
    opens, closes = time_format(schedule.opens_at, "H:i"), time_format(schedule.closes_at, "H:i")
    if schedule.closes_at == schedule.opens_at:
        return _("open all day")
    if schedule.closes_at < schedule.opens_at:
        return _("%(opens)s to %(closes)s the next day") % {"opens": opens, "closes": closes}
    return _("%(opens)s to %(closes)s") % {"opens": opens, "closes": closes}


@register.filter
def utc_offset(hours) -> str:
    return "" if hours is None else codes.offset_label(float(hours))
