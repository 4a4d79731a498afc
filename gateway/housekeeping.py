"""Upkeep of the store that no request triggers: sent and suppressed jobs are purged once their
idempotency keys have served, so the queue (and every count of it) stays the size of the
live work; leases long run out (one a contact ever processed) are purged likewise, and the
message log and media go once older than the log's retention."""

import asyncio
import logging
from datetime import timedelta

from gateway.clock import Clock
from gateway.ports.media import MediaStore
from gateway.ports.store import Store

log = logging.getLogger(__name__)

FINISHED_JOB_RETENTION = timedelta(days=7)
"""A finished job's only use is to answer a repeated enqueue with the same idempotency key (a
business system retrying an event, at worst after a long weekend's outage) and to show in the
queue listing; the message itself stays in the log, under the log's own retention. Dead jobs
are never purged: they wait for an operator."""
EXPIRED_LEASE_RETENTION = timedelta(days=1)
"""A lease run out a day ago has no holder left that could still write under its token."""
PURGE_EVERY_SECONDS = 3600.0


async def purge_finished_jobs(store: Store, clock: Clock) -> int:
    """Delete finished jobs older than the retention; returns how many."""
    purged = await store.queue.purge_finished(clock.now() - FINISHED_JOB_RETENTION)
    if purged:
        log.info("purged %d sent or suppressed jobs finished over %d days ago", purged, FINISHED_JOB_RETENTION.days)
    return purged


async def purge_expired_leases(store: Store, clock: Clock) -> int:
    """Delete leases that ran out over a day ago; returns how many."""
    purged = await store.leases.purge_expired(clock.now() - EXPIRED_LEASE_RETENTION)
    if purged:
        log.info("purged %d leases that ran out over a day ago", purged)
    return purged


async def purge_old_log(store: Store, clock: Clock, retention: timedelta | None) -> int:
    """Delete log entries older than the retention (kept for ever without one); returns how many."""
    if retention is None:
        return 0
    purged = await store.log.purge_before(clock.now() - retention)
    if purged:
        log.info("purged %d log entries recorded over %d days ago", purged, retention.days)
    return purged


async def purge_old_media(media: MediaStore, clock: Clock, retention: timedelta | None) -> int:
    """Delete media stored longer ago than the log's retention (kept as long as the log is, for
    ever without one); returns how many."""
    if retention is None:
        return 0
    purged = await media.purge_before(clock.now() - retention)
    if purged:
        log.info("purged %d media stored over %d days ago", purged, retention.days)
    return purged


async def keep_tidy(store: Store, media: MediaStore, clock: Clock, retention: timedelta | None) -> None:
    """Purge every hour until cancelled; a failed purge is logged and tried again next time.
    Every process runs it: purges that overlap only find less to delete."""
    purges = {
        "purge finished jobs": lambda: purge_finished_jobs(store, clock),
        "purge expired leases": lambda: purge_expired_leases(store, clock),
        "purge old log entries": lambda: purge_old_log(store, clock, retention),
        "purge old media": lambda: purge_old_media(media, clock, retention),
    }
    while True:
        for name, purge in purges.items():
            try:
                await purge()
            except Exception:
                log.exception("%s failed; trying again in an hour", name)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
