"""Demo machines for an embedded gateway, seeded once."""

from datetime import datetime

from gateway.ports.store import PluginRecords
from plugins.maintenance.backend import NAMESPACE, Machine

SEEDED = "demo:seeded"
TRAINING_VIDEO = "https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4"
"""A public CC0 sample video standing in for the demo lathe's training video."""
MACHINES = (
    Machine(id="CNC-01", name="CNC lathe", line="Line 1", video_url=TRAINING_VIDEO),
    Machine(id="CNC-02", name="CNC mill", line="Line 1"),
    Machine(id="PRESS-01", name="Hydraulic press", line="Line 2"),
    Machine(id="ROBOT-01", name="Welding robot", line="Line 2"),
)


async def seed(records: PluginRecords, now: datetime) -> None:
    if await records.get(NAMESPACE, SEEDED):
        return
    for machine in MACHINES:
        await records.put(NAMESPACE, f"machine:{machine.id}", {"kind": "machine"} | machine.model_dump(mode="json"))
    await records.put(NAMESPACE, SEEDED, {"at": now.isoformat()})
