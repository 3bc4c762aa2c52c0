"""Consensus has four positions (agree, abstain, disagree, block); "disagree" is the stand-aside,
as counting.py counts it (REFERENCES §6). Responses recorded under a separate "stand_aside"
position before this change become "disagree", which is what they meant."""

from django.db import migrations


def forwards(apps, schema_editor):
    Response = apps.get_model("governance", "Response")
    Response.objects.filter(position="stand_aside", proposal__process="consensus").update(
        position="disagree"
    )
    Proposal = apps.get_model("governance", "Proposal")
    # (JSON containment lookups are not available on SQLite: the few proposals are read.)
    for proposal in Proposal.objects.filter(process="consensus").only("reasons_required_for"):
        if "stand_aside" not in (proposal.reasons_required_for or []):
            continue
        reasons = set(proposal.reasons_required_for) - {"stand_aside"}
        proposal.reasons_required_for = sorted(reasons | {"disagree"})
        proposal.save(update_fields=["reasons_required_for"])


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
