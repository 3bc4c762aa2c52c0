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
}
