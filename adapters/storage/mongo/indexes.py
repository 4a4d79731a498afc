"""The indexes each MongoDB query is served by, created at every start-up; a retention that
changed is applied in place (collMod), since the server refuses to re-create an index with
new options."""

from datetime import timedelta
from typing import Any

import pymongo
from pymongo import ASCENDING, DESCENDING, IndexModel

from gateway.handover.card import NAMESPACE as CONVERSATIONS
from gateway.ports.records import Direction

INDEXES: dict[str, list[IndexModel]] = {
    "templates": [
        IndexModel([("name", ASCENDING), ("language", ASCENDING), ("version", DESCENDING)], unique=True),
        # the latest version of each template, in the order the admin API pages them
        IndexModel(
            [("name", ASCENDING), ("language", ASCENDING)],
            name="templates_latest",
            partialFilterExpression={"latest": True},
        ),
    ],
    "log": [
        IndexModel("dedupe", unique=True, partialFilterExpression={"dedupe": {"$type": "string"}}),
        IndexModel([("provider_message_id", ASCENDING), ("direction", ASCENDING)]),
        IndexModel([("created_at", DESCENDING), ("_id", DESCENDING)]),
        IndexModel([("contact", ASCENDING), ("created_at", DESCENDING)]),
        # only the messages still to handle, in the order the scan reads them
        IndexModel(
            [("created_at", ASCENDING), ("_id", ASCENDING)],
            name="log_unprocessed",
            partialFilterExpression={"direction": Direction.INBOUND.value, "processed": False},
        ),
        # a contact's messages still to handle, read in order by the holder of its inbox lease
        IndexModel(
            [("contact", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
            name="log_unprocessed_by_contact",
            partialFilterExpression={"direction": Direction.INBOUND.value, "processed": False},
        ),
        IndexModel(
            [("direction", ASCENDING), ("created_at", ASCENDING), ("provider", ASCENDING), ("status", ASCENDING)]
        ),
    ],
    "statuses": [IndexModel([("provider_message_id", ASCENDING), ("at", ASCENDING)])],
    "queue": [
        IndexModel("idempotency_key", unique=True, partialFilterExpression={"idempotency_key": {"$type": "string"}}),
        # the claim of a due job, most urgent first, and the count of each state
        IndexModel([("state", ASCENDING), ("priority", DESCENDING), ("due_at", ASCENDING)]),
        # the claim of an expired lease
        IndexModel([("state", ASCENDING), ("lease_expires_at", ASCENDING)]),
        # a state's jobs oldest due first (the admin API, the oldest-due gauge)
        IndexModel([("state", ASCENDING), ("due_at", ASCENDING), ("_id", ASCENDING)]),
        # the purge of finished jobs by age
        IndexModel([("state", ASCENDING), ("updated_at", ASCENDING)]),
        # a contact's earliest unfinished reply, the one let go next
        IndexModel(
            [("reply_to", ASCENDING), ("state", ASCENDING), ("_id", ASCENDING)],
            partialFilterExpression={"reply_to": {"$type": "string"}},
        ),
        # the jobs let go when the job they follow ends
        IndexModel("follows", partialFilterExpression={"follows": {"$type": "string"}}),
        # the waiting jobs a claim that found nothing looks through for one left waiting
        IndexModel(
            [("state", ASCENDING), ("at_head", ASCENDING), ("due_at", ASCENDING)],
            partialFilterExpression={"at_head": False},
        ),
    ],
    "sessions": [IndexModel("expires_at", expireAfterSeconds=0)],
    "records": [
        IndexModel([("plugin", ASCENDING), ("key", ASCENDING)], unique=True),
        IndexModel([("plugin", ASCENDING), ("updated_at", DESCENDING)]),
        # conversation cards by state and last activity: the handover list and the console's inbox
        IndexModel(
            [("plugin", ASCENDING), ("document.state", ASCENDING), ("document.last_activity_at", DESCENDING),
             ("key", DESCENDING)],
            name="records_conversations_by_state",
            partialFilterExpression={"plugin": CONVERSATIONS},
        ),
        IndexModel(
            [("plugin", ASCENDING), ("document.last_activity_at", DESCENDING), ("key", DESCENDING)],
            name="records_conversations_by_activity",
            partialFilterExpression={"plugin": CONVERSATIONS},
        ),
    ],
}

OBSOLETE: dict[str, list[str]] = {"log": ["direction_1_processed_1_created_at_1"]}
"""Indexes earlier versions created that nothing queries by any more."""

RETAINED = {"log": ("log_retention", "created_at"), "statuses": ("statuses_retention", "recorded_at")}
"""Collections kept for the log retention: the TTL index's name and the time it counts from."""

async def create_indexes(database: Any, log_retention: timedelta | None) -> None:
    """Create every index, drop obsolete ones, and expire the log and its status reports after
    `log_retention` (or never, when None). Without the operation timeout: building an index on
    a large collection takes minutes, and a build cut short would fail every start-up."""
    with pymongo.timeout(0):
        for collection, indexes in INDEXES.items():
            await database[collection].create_indexes(indexes)
        for collection, names in OBSOLETE.items():
            existing = await database[collection].index_information()
            for name in names:
                if name in existing:
                    await database[collection].drop_index(name)
        for collection, (name, field) in RETAINED.items():
            await _expire_after(database, collection, name, field, log_retention)


async def _expire_after(database: Any, collection: str, name: str, field: str, after: timedelta | None) -> None:
    """Make the TTL index `name` expire documents `after` their `field`; None removes it."""
    existing = (await database[collection].index_information()).get(name)
    if after is None:
        if existing is not None:
            await database[collection].drop_index(name)
        return
    seconds = int(after.total_seconds())
    if existing is None:
        await database[collection].create_index(field, name=name, expireAfterSeconds=seconds)
    elif existing.get("expireAfterSeconds") != seconds:
        await database.command("collMod", collection, index={"name": name, "expireAfterSeconds": seconds})
