"""What each people audit action code means, in words people read on the audit pages and in a
person's own access history."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.people.person.created": _("Record started"),
    "hearth.people.person.updated": _("Record changed"),
    "hearth.people.person.read": _("Record opened"),
    "hearth.people.person.listed": _("Name shown in a list"),
    "hearth.people.person.read_by_self": _("Opened by the person themselves"),
    "hearth.people.person.refused": _("Access refused"),
    "hearth.people.person.erased": _("Record erased"),
    "hearth.people.note.added": _("Note added"),
    "hearth.people.note.purged": _("Old notes deleted"),
    "hearth.people.consent.recorded": _("Consent recorded by staff"),
    "hearth.people.consent.given": _("Consent given by the person"),
    "hearth.people.consent.revoked": _("Consent withdrawn"),
    "hearth.people.emergency.started": _("Emergency access opened"),
    "hearth.people.disclosure.opened": _("Shared information opened"),
    "hearth.people.emergency.reviewed": _("Emergency access reviewed"),
    "hearth.people.retention.set": _("Retention periods changed"),
    "hearth.people.erasure.requested": _("Erasure requested"),
    "hearth.people.portal.invited": _("Invitation to their own pages created"),
    "hearth.people.portal.linked": _("Record linked to the person's own pages"),
    "hearth.people.portal.unlinked": _("Record unlinked from the person's own pages"),
    "hearth.people.portal.signed_in": _("The person signed in to their own pages"),
    "hearth.people.portal.passphrase_changed": _("The person changed their passphrase"),
    "hearth.people.portal.second_step_enabled": _("The person turned on a second sign-in step"),
    "hearth.people.portal.second_step_disabled": _("The person turned off the second sign-in step"),
    "hearth.people.contact.sent": _("Message sent to the person"),
    "hearth.people.contact.refused": _("Message held back by the safe-contact rules"),
    "hearth.core.keys.rotated": _("Encryption keys re-wrapped"),
}
