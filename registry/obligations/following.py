"""The obligations follow every change of an AI system (the port of registry/systems/followers.py):
a material change opens an APV revision per affected unit (an open one collects the reasons of later
changes), retiring a system cancels its open revisions, and the system's findings are recomputed, in
the change's transaction."""

from __future__ import annotations

from registry.obligations.apv import cancel_reassessments, open_reassessments
from registry.obligations.findings import recompute_system, rule_settings
from registry.obligations.materiality import material_reasons
from registry.systems.followers import Document, SystemChange


class Obligations:
    def material_reasons(self, previous: Document | None, document: Document) -> list[str]:
        return material_reasons(previous, document)

    async def follow(self, change: SystemChange) -> None:
        document = change.document
        if document["status"] == "retired":
            if change.previous is not None and change.previous.get("status") != "retired":
                await cancel_reassessments(change.organization_id, change.system_id)
        elif change.material_reasons:
            await open_reassessments(
                change.organization_id,
                change.system_id,
                document["version"],
                list(document["unit_ids"]),
                change.material_reasons,
                due_days=rule_settings().rules_apv_due_days,
            )
        await recompute_system(change.system_id, document=document)
