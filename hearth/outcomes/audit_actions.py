"""What each outcomes audit action code means, in words."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.outcomes.program.created": _("Program created"),
    "hearth.outcomes.program.updated": _("Program changed"),
    "hearth.outcomes.enrolment.started": _("Enrolled in a program"),
    "hearth.outcomes.enrolment.ended": _("Enrolment ended"),
    "hearth.outcomes.instrument.switched": _("Instrument turned on or off"),
    "hearth.outcomes.form.uploaded": _("Custom form uploaded"),
    "hearth.outcomes.schedule.set": _("Check-in schedule set"),
    "hearth.outcomes.schedule.reminded": _("Reminded that a check-in is due"),
    "hearth.outcomes.checkin.started": _("Check-in started"),
    "hearth.outcomes.checkin.completed": _("Check-in completed"),
    "hearth.outcomes.checkin.read": _("Check-in answers opened"),
    "hearth.outcomes.safety.raised": _("Safety follow-up needed"),
    "hearth.outcomes.safety.acknowledged": _("Safety follow-up acknowledged"),
    "hearth.outcomes.evaluation.withdrawn": _("Scores withdrawn from evaluation"),
    "hearth.outcomes.selfassessment.submitted": _("Self-assessment submitted"),
    "hearth.outcomes.report.viewed": _("Program report viewed"),
    "hearth.outcomes.report.released": _("Differentially private counts released"),
}
