"""One reference per idempotency key for a plugin's embedded writes: a turn run again for the
same inbound message (a lost lease, a crash, a stale save), even side by side with its first
run, finds the reference that run took, so it writes one record, not two."""

from collections.abc import Awaitable, Callable

from gateway.ports.store import PluginRecords


async def reference_for(
    records: PluginRecords, plugin: str, what: str, key: str, new_reference: Callable[[], Awaitable[str]]
) -> str:
    """The reference of the `what` written under `key`: a new one from `new_reference` the first
    time, the same one ever after. Write the record itself with `records.insert` under it."""
    claim = f"{what}-for:{key}"
    if (claimed := await records.get(plugin, claim)) is None:
        reference = await new_reference()
        if await records.insert(plugin, claim, {"reference": reference}):
            return reference
        # another run of this turn claimed the key first; the number taken here is skipped
        claimed = await records.get(plugin, claim)
    return claimed["reference"]
