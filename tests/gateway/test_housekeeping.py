"""Finished jobs are purged after a week, so the queue stays the size of the live work; media
go with the log's retention."""

from datetime import timedelta

from adapters.storage.media.disk import DiskMediaStore
from adapters.storage.sqlite import SqliteStore
from gateway.housekeeping import purge_expired_leases, purge_finished_jobs, purge_old_media
from gateway.models import MediaKind, OutboundMessage
from gateway.ports.records import JobState

LEASE = timedelta(seconds=30)


async def test_a_job_sent_over_a_week_ago_is_purged_and_a_younger_one_kept(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "gateway.db", clock)
    try:
        for text, then_wait in (("old", 2), ("young", 5)):
            job = await store.queue.enqueue(OutboundMessage(recipient="+14155550100", text=text))
            await store.queue.claim("w", LEASE)
            await store.queue.ack(job.id, "w", f"wamid.{text}")
            clock.advance(days=then_wait)
        # "old" was sent exactly 7 days ago, "young" 5 days ago
        assert await purge_finished_jobs(store, clock) == 0
        clock.advance(seconds=1)
        assert await purge_finished_jobs(store, clock) == 1
        assert [job.message["text"] for job in await store.queue.list(JobState.SENT)] == ["young"]
    finally:
        await store.close()


async def test_leases_run_out_over_a_day_ago_are_purged(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "gateway.db", clock)
    try:
        for contact in ("+919800000001", "+919800000002"):
            await store.leases.acquire(f"inbox:{contact}", "gone", LEASE)
            clock.advance(hours=12)
        assert await purge_expired_leases(store, clock) == 0
        clock.advance(hours=12)
        assert await purge_expired_leases(store, clock) == 1, "the one run out a day ago, not the other"
    finally:
        await store.close()


async def test_media_older_than_the_log_s_retention_are_purged_and_younger_kept(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    try:
        old = await media.put(b"old photo", content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-1")
        clock.advance(days=20)
        young = await media.put(b"young photo", content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="in-2")
        clock.advance(days=10)
        # "old" was stored exactly 30 days ago, "young" 10 days ago
        assert await purge_old_media(media, clock, timedelta(days=30)) == 0
        clock.advance(seconds=1)
        assert await purge_old_media(media, clock, timedelta(days=30)) == 1
        assert await media.get(old.id) is None and await media.read(young.id) == b"young photo"
    finally:
        await media.close()


async def test_media_are_kept_for_ever_when_the_log_is(tmp_path, clock):
    media = await DiskMediaStore.open(tmp_path / "media", clock)
    try:
        stored = await media.put(b"photo", content_type="image/jpeg", kind=MediaKind.IMAGE)
        clock.advance(days=3650)
        assert await purge_old_media(media, clock, None) == 0
        assert await media.read(stored.id) == b"photo"
    finally:
        await media.close()
