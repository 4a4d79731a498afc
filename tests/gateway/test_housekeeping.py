"""Finished jobs are purged after a week, so the queue stays the size of the live work; the
message log and media go with the log's retention, on SQLite as on MongoDB (whose TTL indexes do it)."""

from datetime import timedelta

from adapters.storage.media.disk import DiskMediaStore
from adapters.storage.sqlite import SqliteStore
from gateway.housekeeping import purge_expired_leases, purge_finished_jobs, purge_old_log, purge_old_media
from gateway.models import InboundMessage, MediaKind, OutboundMessage, Provider, StatusUpdate
from gateway.ports.records import LogQuery, LogStatus
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


def _inbound(number: int, clock) -> InboundMessage:
    return InboundMessage(
        provider=Provider.META,
        provider_message_id=f"wamid.{number}",
        sender="+919812345678",
        timestamp=clock.now(),
        kind="text",
        text=f"message {number}",
    )


async def test_the_log_on_sqlite_keeps_its_retention_but_never_a_message_still_waiting(tmp_path, clock):
    store = await SqliteStore.open(tmp_path / "gateway.db", clock)
    try:
        answered, waiting = _inbound(1, clock), _inbound(2, clock)
        for message in (answered, waiting):
            await store.log.record_inbound(message)
        await store.log.mark_processed(answered.id)
        sent = await store.log.record_outbound("out-1", OutboundMessage(recipient="+919812345678", text="hi"), None)
        await store.log.set_outbound_status(
            sent.id, LogStatus.SENT, provider=Provider.META, provider_message_id="wamid.out"
        )
        await store.log.add_status(
            StatusUpdate(provider=Provider.META, provider_message_id="wamid.out", status="delivered", timestamp=clock.now())
        )
        clock.advance(days=20)
        young = _inbound(3, clock)
        await store.log.record_inbound(young)
        clock.advance(days=10, seconds=1)
        assert await purge_old_log(store, clock, None) == 0, "kept for ever without a retention"
        assert await purge_old_log(store, clock, timedelta(days=30)) == 2
        left = {entry.id for entry in (await store.log.query(LogQuery(limit=10))).entries}
        assert left == {waiting.id, young.id}, "the answered message and the reply went; the waiting one stays"
        statuses = await store._db.run(lambda connection: connection.execute("SELECT COUNT(*) FROM statuses").fetchone())
        assert statuses[0] == 0
    finally:
        await store.close()
