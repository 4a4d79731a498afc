"""Demo defects and SOPs for an embedded gateway, seeded once beside the orders demo."""

from datetime import datetime, timedelta

from gateway.idempotency import reference_for
from gateway.ports.store import PluginRecords
from plugins.defects.backend import (
    NAMESPACE,
    Defect,
    DefectStatus,
    EmbeddedDefects,
    Sop,
)
from plugins.orders.demo import DEMO_OPERATOR

SEEDED = "demo:seeded"
SOPS = (
    Sop(
        id="SOP-101",
        title="Deburring gear housings",
        steps=["Clamp the part", "Deburr all bores", "Blow out chips", "Inspect with a 10x loupe"],
        last_failure="Burr left in bore 3 (DEF-000001)",
    ),
    Sop(
        id="SOP-102",
        title="Surface finish check",
        steps=["Clean the surface", "Measure Ra at 3 points", "Record the values", "Reject above Ra 1.6"],
    ),
    Sop(
        id="SOP-103",
        title="Dimensional inspection",
        steps=["Warm the gauge to 20 °C", "Measure per drawing", "Log out-of-tolerance values"],
    ),
)


async def seed(backend: EmbeddedDefects, records: PluginRecords, now: datetime) -> None:
    """Two past defects the demo's factory operator reported, and three SOPs, once."""
    if await records.get(NAMESPACE, SEEDED):
        return
    past = (
        ("4414", "internal_reject", "medium", 9, DefectStatus.RESOLVED, "Burr removed; SOP-101 updated."),
        ("4413", "dimensional", "low", 2, DefectStatus.INVESTIGATING, None),
    )
    for order_id, defect_type, severity, days_ago, status, notes in past:
        # one reference per demo defect, even when two processes start on a new store at once
        reference = await reference_for(records, NAMESPACE, "demo-defect", order_id, backend.new_reference)
        await backend.put(
            Defect(
                reference=reference,
                order_id=order_id,
                defect_type=defect_type,
                severity=severity,
                reporter=DEMO_OPERATOR,
                status=status,
                reported_at=now - timedelta(days=days_ago),
                resolution_notes=notes,
            )
        )
    for sop in SOPS:
        await records.put(NAMESPACE, f"sop:{sop.id}", {"kind": "sop"} | sop.model_dump())
    await records.put(NAMESPACE, SEEDED, {"at": now.isoformat()})
