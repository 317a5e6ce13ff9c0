"""The obligations follow every change of an AI system (the port of registry/systems/followers.py):
a material change opens an APV reassessment per affected unit (a retired system needs none), and the
system's findings are recomputed, in the change's transaction."""

from __future__ import annotations

from registry.obligations.apv import open_reassessments
from registry.obligations.findings import recompute_system, rule_settings
from registry.obligations.materiality import material_reasons
from registry.systems.followers import Document, SystemChange


class Obligations:
    def material_reasons(self, previous: Document | None, document: Document) -> list[str]:
        return material_reasons(previous, document)

    async def follow(self, change: SystemChange) -> None:
        document = change.document
        if change.material_reasons and document["status"] != "retired":
            await open_reassessments(
                change.organization_id,
                change.system_id,
                document["version"],
                list(document["unit_ids"]),
                change.material_reasons,
                due_days=rule_settings().rules_apv_due_days,
            )
        await recompute_system(change.system_id, document=document)
