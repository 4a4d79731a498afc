"""Outbound queue semantics every store must keep: idempotent enqueue, atomic leased claims,
retry, dead letters and lease recovery."""

import asyncio
from datetime import timedelta

from gateway.models import OutboundMessage, Priority
from gateway.ports.records import JobState

LEASE = timedelta(seconds=30)


def message(text: str = "hello", **extra) -> OutboundMessage:
    return OutboundMessage(recipient="+14155550100", text=text, **extra)


async def test_enqueued_job_is_claimed_then_acked(store):
    job = await store.queue.enqueue(message())
    assert job.state is JobState.QUEUED and job.attempts == 0

    claimed = await store.queue.claim("worker-a", LEASE)
    assert claimed.id == job.id and not claimed.recovered
    assert claimed.state is JobState.SENDING and claimed.attempts == 1 and claimed.lease_owner == "worker-a"
    assert claimed.message["text"] == "hello"
    assert await store.queue.claim("worker-b", LEASE) is None

    assert await store.queue.ack(job.id, "worker-a", "wamid.1")
    sent = await store.queue.get(job.id)
    assert sent.state is JobState.SENT and sent.provider_message_id == "wamid.1" and sent.lease_owner is None


async def test_same_idempotency_key_yields_one_job(store):
    first = await store.queue.enqueue(message(idempotency_key="order-42-done"))
    again = await store.queue.enqueue(message("different text", idempotency_key="order-42-done"))
    assert again.id == first.id and again.message["text"] == "hello"
    assert (await store.queue.counts())[JobState.QUEUED] == 1


async def test_job_waits_for_its_send_at(store, clock):
    await store.queue.enqueue(message(send_at=clock.now() + timedelta(minutes=15)))
    assert await store.queue.claim("w", LEASE) is None
    clock.advance(minutes=15)
    assert await store.queue.claim("w", LEASE) is not None


async def test_replies_are_claimed_before_older_bulk(store, clock):
    bulk = await store.queue.enqueue(message("bulk", priority=Priority.BULK))
    clock.advance(seconds=1)
    reply = await store.queue.enqueue(message("reply", priority=Priority.REPLY))
    assert (await store.queue.claim("w", LEASE)).id == reply.id
    assert (await store.queue.claim("w", LEASE)).id == bulk.id


async def test_retry_requeues_for_later_then_dies_when_attempts_are_spent(store, clock):
    job = await store.queue.enqueue(message(), max_attempts=2)
    await store.queue.claim("w", LEASE)
    retried = await store.queue.retry(job.id, "w", "HTTP 503", clock.now() + timedelta(seconds=10))
    assert retried.state is JobState.QUEUED and retried.last_error == "HTTP 503"
    assert await store.queue.claim("w", LEASE) is None

    clock.advance(seconds=10)
    again = await store.queue.claim("w", LEASE)
    assert again.attempts == 2
    dead = await store.queue.retry(job.id, "w", "HTTP 503 again", clock.now() + timedelta(seconds=20))
    assert dead.state is JobState.DEAD and dead.last_error == "HTTP 503 again"
    clock.advance(minutes=5)
    assert await store.queue.claim("w", LEASE) is None
    assert [j.id for j in await store.queue.list(JobState.DEAD)] == [job.id]


async def test_postponing_spends_no_attempt_however_often(store, clock):
    job = await store.queue.enqueue(message(), max_attempts=2)
    for _ in range(5):
        await store.queue.claim("w", LEASE)
        postponed = await store.queue.postpone(job.id, "w", "meta circuit is open", clock.now() + timedelta(seconds=10))
        assert postponed.state is JobState.QUEUED and postponed.attempts == 0
        assert postponed.last_error == "meta circuit is open"
        assert await store.queue.claim("w", LEASE) is None
        clock.advance(seconds=10)
    assert (await store.queue.claim("w", LEASE)).attempts == 1


async def test_postponing_needs_the_lease(store, clock):
    job = await store.queue.enqueue(message())
    await store.queue.claim("w", LEASE)
    assert await store.queue.postpone(job.id, "other", "circuit", clock.now()) is None
    assert (await store.queue.get(job.id)).state is JobState.SENDING


async def test_permanent_failure_dies_at_once_with_reason(store):
    job = await store.queue.enqueue(message(), max_attempts=5)
    await store.queue.claim("w", LEASE)
    dead = await store.queue.fail(job.id, "w", "131026: recipient cannot receive messages")
    assert dead.state is JobState.DEAD and dead.attempts == 1
    assert dead.last_error == "131026: recipient cannot receive messages"


async def test_a_suppressed_job_ends_unsent_with_its_reason(store, clock):
    job = await store.queue.enqueue(message())
    await store.queue.claim("w", LEASE)
    suppressed = await store.queue.suppress(job.id, "w", "the contact opted out of notifications")
    assert suppressed.state is JobState.SUPPRESSED and suppressed.last_error == "the contact opted out of notifications"
    clock.advance(minutes=5)
    assert await store.queue.claim("w", LEASE) is None


async def test_expired_lease_is_claimable_again_and_fences_the_old_owner(store, clock):
    job = await store.queue.enqueue(message())
    await store.queue.claim("crashed", LEASE)
    clock.advance(seconds=29)
    assert await store.queue.claim("rescuer", LEASE) is None

    clock.advance(seconds=1)
    rescued = await store.queue.claim("rescuer", LEASE)
    assert rescued.id == job.id and rescued.attempts == 2 and rescued.lease_owner == "rescuer"
    assert rescued.recovered, "the claim says it took the job over"
    assert not await store.queue.ack(job.id, "crashed", "wamid.stale")
    assert await store.queue.retry(job.id, "crashed", "late", clock.now()) is None
    assert await store.queue.ack(job.id, "rescuer", "wamid.ok")
    assert (await store.queue.get(job.id)).provider_message_id == "wamid.ok"


async def test_concurrent_claimers_never_share_a_job(store):
    jobs = {(await store.queue.enqueue(message(f"m{i}"))).id for i in range(40)}

    async def claimer(name: str) -> list[str]:
        taken = []
        while (job := await store.queue.claim(name, LEASE)) is not None:
            taken.append(job.id)
        return taken

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(8)))
    claimed = [job_id for taken in results for job_id in taken]
    assert len(claimed) == len(set(claimed)) == 40
    assert set(claimed) == jobs


async def test_counts_cover_every_state(store):
    first = await store.queue.enqueue(message("a"))
    await store.queue.claim("w", LEASE)
    await store.queue.fail(first.id, "w", "bad")
    await store.queue.enqueue(message("b"))
    counts = await store.queue.counts()
    assert counts == {
        JobState.QUEUED: 1,
        JobState.SENDING: 0,
        JobState.SENT: 0,
        JobState.DEAD: 1,
        JobState.SUPPRESSED: 0,
    }


async def test_unknown_job_is_none_and_cannot_be_acked(store):
    assert await store.queue.get("no-such-job") is None
    assert not await store.queue.ack("no-such-job", "w", "x")


async def test_a_dead_job_can_be_put_back_once_and_a_live_one_cannot(store, clock):
    job = await store.queue.enqueue(message(), max_attempts=1)
    await store.queue.claim("w", LEASE)
    await store.queue.fail(job.id, "w", "HTTP 400")
    clock.advance(minutes=3)
    again = await store.queue.requeue(job.id)
    assert again.state is JobState.QUEUED and again.attempts == 0 and again.due_at == clock.now()
    assert await store.queue.requeue(job.id) is None, "it is queued, not dead"
    assert (await store.queue.claim("w", LEASE)).id == job.id


async def test_a_recorded_send_survives_a_lost_lease_so_the_rescuer_can_see_it(store, clock):
    job = await store.queue.enqueue(message())
    await store.queue.claim("crashed", LEASE)
    assert await store.queue.record_sent(job.id, "crashed", "wamid.ALREADY")
    clock.advance(seconds=LEASE.total_seconds())
    rescued = await store.queue.claim("rescuer", LEASE)
    assert rescued.provider_message_id == "wamid.ALREADY"
    assert not await store.queue.record_sent(job.id, "crashed", "wamid.LATE")


async def test_finished_jobs_are_purged_after_the_retention_and_dead_or_live_ones_never(store, clock):
    async def finish(text: str, end) -> str:
        job = await store.queue.enqueue(message(text))
        await store.queue.claim("w", LEASE)
        await end(job.id)
        return job.id

    keyed = await store.queue.enqueue(message("keyed", idempotency_key="order-7-done"))
    await store.queue.claim("w", LEASE)
    await store.queue.ack(keyed.id, "w", "wamid.K")
    sent = await finish("sent", lambda job_id: store.queue.ack(job_id, "w", "wamid.1"))
    suppressed = await finish("opted out", lambda job_id: store.queue.suppress(job_id, "w", "opted out"))
    dead = await finish("dead", lambda job_id: store.queue.fail(job_id, "w", "HTTP 400"))
    waiting = await store.queue.enqueue(message("later", send_at=clock.now() + timedelta(days=30)))
    clock.advance(days=8)
    recent = await finish("recent", lambda job_id: store.queue.ack(job_id, "w", "wamid.2"))

    assert await store.queue.purge_finished(clock.now() - timedelta(days=7), batch=2) == 3
    for purged in (keyed.id, sent, suppressed):
        assert await store.queue.get(purged) is None
    for kept in (dead, waiting.id, recent):
        assert await store.queue.get(kept) is not None
    assert await store.queue.purge_finished(clock.now() - timedelta(days=7)) == 0
    again = await store.queue.enqueue(message("keyed", idempotency_key="order-7-done"))
    assert again.id != keyed.id, "a purged job's idempotency key is free again"


def reply(text: str, recipient: str = "+14155550100") -> OutboundMessage:
    return OutboundMessage(recipient=recipient, text=text, priority=Priority.REPLY)


async def test_a_contacts_next_reply_waits_until_the_previous_is_sent(store):
    first = await store.queue.enqueue(reply("first"))
    second = await store.queue.enqueue(reply("second"))
    other_contact = await store.queue.enqueue(reply("elsewhere", recipient="+14155550199"))
    notification = await store.queue.enqueue(message("notice"))

    assert (await store.queue.claim("w1", LEASE)).id == first.id
    taken = {(await store.queue.claim(f"w{n}", LEASE)).id for n in (2, 3)}
    assert taken == {other_contact.id, notification.id}, "other contacts and notifications interleave"
    assert await store.queue.claim("w4", LEASE) is None, "the second reply waits while the first is sending"

    await store.queue.ack(first.id, "w1", "wamid.1")
    assert (await store.queue.claim("w4", LEASE)).id == second.id


async def test_a_reply_retried_later_still_holds_back_the_next(store, clock):
    first = await store.queue.enqueue(reply("first"))
    await store.queue.enqueue(reply("second"))
    await store.queue.claim("w", LEASE)
    await store.queue.retry(first.id, "w", "timeout", clock.now() + timedelta(seconds=10))
    assert await store.queue.claim("w", LEASE) is None

    clock.advance(seconds=10)
    assert (await store.queue.claim("w", LEASE)).id == first.id


async def test_a_dead_reply_lets_the_next_one_go(store):
    first = await store.queue.enqueue(reply("first"))
    second = await store.queue.enqueue(reply("second"))
    await store.queue.claim("w", LEASE)
    await store.queue.fail(first.id, "w", "recipient unknown")
    assert (await store.queue.claim("w", LEASE)).id == second.id


async def test_a_job_that_follows_another_waits_until_that_one_is_sent(store):
    template = await store.queue.enqueue(message("your bill is due"))
    bill = await store.queue.enqueue(message("the bill"), follows=template.id)
    assert bill.follows == template.id

    assert (await store.queue.claim("w1", LEASE)).id == template.id
    assert await store.queue.claim("w2", LEASE) is None, "the bill waits while its template is sending"
    await store.queue.ack(template.id, "w1", "wamid.1")
    taken = await store.queue.claim("w2", LEASE)
    assert taken.id == bill.id and taken.follows == template.id


async def test_a_job_that_follows_a_retried_one_waits_for_its_retry(store, clock):
    template = await store.queue.enqueue(message("your bill is due"))
    await store.queue.enqueue(message("the bill"), follows=template.id)
    await store.queue.claim("w", LEASE)
    await store.queue.retry(template.id, "w", "HTTP 503", clock.now() + timedelta(seconds=10))
    assert await store.queue.claim("w", LEASE) is None

    clock.advance(seconds=10)
    assert (await store.queue.claim("w", LEASE)).id == template.id


async def test_a_job_whose_followed_job_died_or_was_suppressed_is_let_go(store):
    """The worker decides what becomes of it (suppressed, with the reason); the queue only lets it go."""
    for end in (store.queue.fail, store.queue.suppress):
        template = await store.queue.enqueue(message("your bill is due"))
        bill = await store.queue.enqueue(message("the bill"), follows=template.id)
        await store.queue.claim("w", LEASE)
        await end(template.id, "w", "recipient unknown")
        assert (await store.queue.claim("w", LEASE)).id == bill.id
        await store.queue.ack(bill.id, "w", "wamid.x")


async def test_a_job_that_follows_one_already_sent_goes_at_once(store):
    template = await store.queue.enqueue(message("your bill is due"))
    await store.queue.claim("w", LEASE)
    await store.queue.ack(template.id, "w", "wamid.1")
    bill = await store.queue.enqueue(message("the bill"), follows=template.id)
    assert (await store.queue.claim("w", LEASE)).id == bill.id


async def test_a_job_requeued_by_an_operator_holds_back_its_follower_again(store):
    template = await store.queue.enqueue(message("your bill is due"))
    bill = await store.queue.enqueue(message("the bill"), follows=template.id)
    await store.queue.claim("w", LEASE)
    await store.queue.fail(template.id, "w", "HTTP 401")
    await store.queue.requeue(template.id)

    assert (await store.queue.claim("w", LEASE)).id == template.id
    assert await store.queue.claim("w", LEASE) is None, "the bill waits for its template again"
    await store.queue.ack(template.id, "w", "wamid.1")
    assert (await store.queue.claim("w", LEASE)).id == bill.id


async def test_a_job_retried_by_an_operator_takes_back_the_files_suppressed_because_it_did_not_go(store):
    template = await store.queue.enqueue(message("your bill is due"))
    bill = await store.queue.enqueue(message("the bill"), follows=template.id)
    chart = await store.queue.enqueue(message("the chart"), follows=bill.id)
    await store.queue.claim("w", LEASE)
    await store.queue.fail(template.id, "w", "HTTP 401")
    for follower in (bill, chart):
        assert (await store.queue.claim("w", LEASE)).id == follower.id
        await store.queue.suppress(follower.id, "w", "its template did not go")

    await store.queue.requeue(template.id)
    assert [(await store.queue.get(job.id)).state for job in (bill, chart)] == [JobState.QUEUED] * 2
    for job in (template, bill, chart):
        taken = await store.queue.claim("w", LEASE)
        assert taken.id == job.id and taken.attempts == 1
        assert await store.queue.claim("w2", LEASE) is None, "each waits for the one before it"
        await store.queue.ack(job.id, "w", "wamid.1")
