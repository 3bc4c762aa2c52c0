"""What each directory audit action code means, in words people read on the audit pages."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "hearth.directory.taxonomy.loaded": _("Taxonomy loaded"),
    "hearth.directory.demo.loaded": _("Demo listings loaded"),
    "hearth.directory.import.completed": _("Directory data imported"),
    "hearth.directory.generate.completed": _("Synthetic directory generated"),
    "hearth.directory.service.updated": _("Listing changed"),
    "hearth.directory.service.verified": _("Listing confirmed as correct"),
    "hearth.directory.service.capacity_set": _("Capacity updated"),
    "hearth.directory.location.made_confidential": _("Location made confidential"),
    "hearth.directory.location.created": _("Location added to a listing"),
    "hearth.directory.location.updated": _("Location changed"),
    "hearth.directory.schedule.created": _("Opening hours added"),
    "hearth.directory.schedule.updated": _("Opening hours changed"),
    "hearth.directory.schedule.deleted": _("Opening hours removed"),
    "hearth.directory.language.added": _("Language added to a listing"),
    "hearth.directory.language.removed": _("Language removed from a listing"),
    "hearth.directory.cost_option.created": _("Cost added to a listing"),
    "hearth.directory.cost_option.updated": _("Cost changed"),
    "hearth.directory.cost_option.deleted": _("Cost removed from a listing"),
    "hearth.directory.accessibility.created": _("Access information added"),
    "hearth.directory.accessibility.updated": _("Access information changed"),
    "hearth.directory.accessibility.deleted": _("Access information removed"),
    "hearth.directory.service_at_location.created": _("Service listed at a location"),
    "hearth.directory.service_at_location.deleted": _("Service no longer listed at a location"),
    "hearth.directory.listing_claim.requested": _("Asked to keep a directory listing"),
    "hearth.directory.listing_claim.approved": _("Request to keep a listing approved"),
    "hearth.directory.listing_claim.declined": _("Request to keep a listing declined"),
}
