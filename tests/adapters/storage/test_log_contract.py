"""Message log semantics every store must keep: inbound dedupe, processing state, outbound
status history, filtered queries and cursor pagination."""

import asyncio
from datetime import timedelta

import pytest

from gateway.models import (
    DeliveryStatus,
    InboundMessage,
    OutboundMessage,
    Provider,
    StatusUpdate,
)
from gateway.ports.records import Direction, LogQuery, LogStatus


def inbound(clock, provider_message_id: str = "wamid.A", sender: str = "+919812345678", **extra) -> InboundMessage:
    fields = {"provider": "meta", "kind": "text", "text": "hi", "timestamp": clock.now()} | extra
    return InboundMessage(provider_message_id=provider_message_id, sender=sender, **fields)


def status(clock, state: DeliveryStatus, provider_message_id: str = "wamid.OUT", **extra) -> StatusUpdate:
    return StatusUpdate(
        provider=Provider.META, provider_message_id=provider_message_id, status=state, timestamp=clock.now(), **extra
    )


async def test_inbound_with_a_known_provider_id_is_reported_duplicate_and_not_stored(store, clock):
    first = inbound(clock)
    assert await store.log.record_inbound(first)
    assert not await store.log.record_inbound(inbound(clock, text="redelivered"))
    page = await store.log.query(LogQuery())
    assert [entry.id for entry in page.entries] == [first.id]
    assert page.entries[0].payload["text"] == "hi"


async def test_same_provider_id_from_another_provider_is_a_different_message(store, clock):
    assert await store.log.record_inbound(inbound(clock, provider="meta"))
    assert await store.log.record_inbound(inbound(clock, provider="twilio"))


async def test_concurrent_redeliveries_store_exactly_one(store, clock):
    results = await asyncio.gather(*(store.log.record_inbound(inbound(clock)) for _ in range(10)))
    assert results.count(True) == 1
    assert len((await store.log.query(LogQuery())).entries) == 1


async def test_unprocessed_inbound_survives_until_marked(store, clock):
    older = inbound(clock, "wamid.1")
    clock.advance(seconds=1)
    newer = inbound(clock, "wamid.2")
    await store.log.record_inbound(newer)
    await store.log.record_inbound(older)
    assert [entry.id for entry in await store.log.unprocessed_inbound()] == [older.id, newer.id]
    await store.log.mark_processed(older.id)
    assert [entry.id for entry in await store.log.unprocessed_inbound()] == [newer.id]
    assert (await store.log.get(older.id)).processed


async def test_a_message_processed_unanswered_keeps_the_reason(store, clock):
    message = inbound(clock, "wamid.1")
    await store.log.record_inbound(message)
    await store.log.mark_processed(message.id, "processing failed (ZeroDivisionError)")
    entry = await store.log.get(message.id)
    assert entry.processed and entry.error == "processing failed (ZeroDivisionError)"


async def test_outbound_status_history_moves_forward_only(store, clock):
    out = OutboundMessage(recipient="+919812345678", text="Your order shipped")
    entry = await store.log.record_outbound("job-1", out, None)
    assert entry.status is LogStatus.QUEUED and entry.direction is Direction.OUTBOUND

    await store.log.set_outbound_status(
        "job-1", LogStatus.SENT, provider=Provider.META, provider_message_id="wamid.OUT"
    )
    clock.advance(seconds=1)
    assert await store.log.add_status(status(clock, DeliveryStatus.DELIVERED))
    clock.advance(seconds=1)
    assert await store.log.add_status(status(clock, DeliveryStatus.READ))
    clock.advance(seconds=1)
    assert await store.log.add_status(status(clock, DeliveryStatus.DELIVERED))

    logged = await store.log.get("job-1")
    assert logged.status is LogStatus.READ and logged.provider is Provider.META
    assert [event.status for event in logged.status_history] == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.READ,
        DeliveryStatus.DELIVERED,
    ]


async def test_a_queued_report_after_sending_changes_nothing_but_the_history(store, clock):
    await store.log.record_outbound("job-q", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-q", LogStatus.SENT, provider_message_id="wamid.OUT")
    assert await store.log.add_status(status(clock, DeliveryStatus.QUEUED))
    logged = await store.log.get("job-q")
    assert logged.status is LogStatus.SENT and [event.status for event in logged.status_history] == ["queued"]


async def test_the_log_keeps_what_was_actually_sent(store):
    queued = OutboundMessage(
        recipient="+919812345678", template={"name": "payment_reminder", "parameters": {"amount": 1}}
    )
    await store.log.record_outbound("job-t", queued, Provider.META)
    sent = {"recipient": "+919812345678", "text": "Pay ₹1.00"}
    await store.log.set_outbound_status("job-t", LogStatus.SENT, provider_message_id="wamid.T", sent=sent)
    assert (await store.log.get("job-t")).payload == sent


async def test_failed_status_records_the_provider_error(store, clock):
    out = OutboundMessage(recipient="+919812345678", text="Payment due")
    await store.log.record_outbound("job-2", out, Provider.META)
    await store.log.set_outbound_status("job-2", LogStatus.SENT, provider_message_id="wamid.OUT")
    failed = status(clock, DeliveryStatus.FAILED, error_code="131047", error_text="Re-engagement message")
    assert await store.log.add_status(failed)
    logged = await store.log.get("job-2")
    assert logged.status is LogStatus.FAILED
    assert logged.error == "131047: Re-engagement message"
    assert logged.status_history[-1].error_code == "131047"


async def test_status_for_an_unknown_message_is_kept_not_refused(store, clock):
    assert not await store.log.add_status(status(clock, DeliveryStatus.DELIVERED, "wamid.EARLY"))
    out = OutboundMessage(recipient="+919812345678", text="hi")
    await store.log.record_outbound("job-3", out, Provider.META)
    await store.log.set_outbound_status("job-3", LogStatus.SENT, provider_message_id="wamid.EARLY")
    history = (await store.log.get("job-3")).status_history
    assert [event.status for event in history] == [DeliveryStatus.DELIVERED]


async def test_query_filters_by_contact_direction_status_provider_and_time(store, clock):
    start = clock.now()
    await store.log.record_inbound(inbound(clock, "a", sender="+14155550100"))
    clock.advance(minutes=1)
    await store.log.record_inbound(inbound(clock, "b", sender="+919812345678", provider="twilio"))
    clock.advance(minutes=1)
    await store.log.record_outbound("job-x", OutboundMessage(recipient="+14155550100", text="re"), Provider.META)

    async def ids(**filters) -> list[str]:
        return [entry.contact + "/" + entry.direction for entry in (await store.log.query(LogQuery(**filters))).entries]

    assert await ids(contact="+14155550100") == ["+14155550100/outbound", "+14155550100/inbound"]
    assert await ids(direction=Direction.INBOUND) == ["+919812345678/inbound", "+14155550100/inbound"]
    assert await ids(status=LogStatus.QUEUED) == ["+14155550100/outbound"]
    assert await ids(provider=Provider.TWILIO) == ["+919812345678/inbound"]
    assert await ids(since=start + timedelta(seconds=30), until=start + timedelta(seconds=90)) == [
        "+919812345678/inbound"
    ]


async def test_cursor_pagination_returns_every_entry_once_newest_first(store, clock):
    expected = []
    for i in range(7):
        message = inbound(clock, f"wamid.{i}")
        await store.log.record_inbound(message)
        expected.append(message.id)
        if i % 2:
            clock.advance(seconds=1)  # some entries share a timestamp: the id breaks the tie
    seen, cursor = [], None
    while True:
        page = await store.log.query(LogQuery(limit=3, cursor=cursor))
        seen.extend(entry.id for entry in page.entries)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(expected) and len(seen) == 7
    created = [(await store.log.get(entry_id)).created_at for entry_id in seen]
    assert created == sorted(created, reverse=True)


async def test_a_tampered_cursor_is_refused(store):
    with pytest.raises(ValueError, match="cursor"):
        await store.log.query(LogQuery(cursor="not-a-cursor"))


async def test_recording_an_outbound_entry_twice_keeps_the_first(store):
    first = await store.log.record_outbound(
        "job-9", OutboundMessage(recipient="+14155550100", text="one"), Provider.META
    )
    again = await store.log.record_outbound(
        "job-9", OutboundMessage(recipient="+14155550100", text="two"), Provider.META
    )
    assert again.payload["text"] == "one" == first.payload["text"]
    assert len((await store.log.query(LogQuery())).entries) == 1


async def test_a_message_sent_before_the_outbox_logged_it_is_logged_sent_and_stays_so(store):
    message = OutboundMessage(recipient="+14155550100", text="quick", provider="meta")
    sent = message.model_dump(mode="json", exclude_none=True)
    await store.log.set_outbound_status(
        "job-7", LogStatus.SENT, provider=Provider.META, provider_message_id="wamid.Q", sent=sent
    )
    logged = await store.log.record_outbound("job-7", message, Provider.META)
    assert (logged.status, logged.provider_message_id, logged.contact) == (LogStatus.SENT, "wamid.Q", "+14155550100")
    assert [entry.status for entry in (await store.log.query(LogQuery())).entries] == [LogStatus.SENT]


async def test_outbound_counts_by_day_provider_and_status_and_active_contacts(store, clock):
    start = clock.now()
    for number, status in enumerate((LogStatus.SENT, LogStatus.SENT, LogStatus.DEAD)):
        await store.log.record_outbound(
            f"job-{number}", OutboundMessage(recipient="+919812345678", text="x"), Provider.META
        )
        await store.log.set_outbound_status(f"job-{number}", status)
    clock.advance(days=1)
    await store.log.record_outbound("job-next", OutboundMessage(recipient="+919812345678", text="x"), Provider.TWILIO)
    assert await store.log.outbound_counts(start) == [
        ("2026-01-05", "meta", "dead", 1),
        ("2026-01-05", "meta", "sent", 2),
        ("2026-01-06", "twilio", "queued", 1),
    ]
    assert await store.log.outbound_counts(clock.now()) == [("2026-01-06", "twilio", "queued", 1)]
    await store.log.record_inbound(inbound(clock, "a", sender="+14155550100"))
    await store.log.record_inbound(inbound(clock, "b", sender="+14155550100"))
    await store.log.record_inbound(inbound(clock, "c", sender="+919812345678"))
    assert await store.log.active_contacts(start) == 2
    assert await store.log.active_contacts(clock.now() + timedelta(seconds=1)) == 0


async def test_a_status_that_arrives_before_the_send_is_recorded_is_applied_when_it_is(store, clock):
    assert not await store.log.add_status(status(clock, DeliveryStatus.DELIVERED, "wamid.FAST"))
    await store.log.record_outbound("job-f", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-f", LogStatus.SENT, provider_message_id="wamid.FAST")
    assert (await store.log.get("job-f")).status is LogStatus.DELIVERED


async def test_an_early_failure_is_applied_with_its_reason(store, clock):
    await store.log.add_status(status(clock, DeliveryStatus.READ, "wamid.LOST"))
    failed = status(clock, DeliveryStatus.FAILED, "wamid.LOST", error_code="131026", error_text="Undeliverable")
    await store.log.add_status(failed)
    await store.log.record_outbound("job-l", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-l", LogStatus.SENT, provider_message_id="wamid.LOST")
    logged = await store.log.get("job-l")
    assert logged.status is LogStatus.FAILED and logged.error == "131026: Undeliverable"


async def test_a_late_sent_never_moves_a_delivered_message_back(store, clock):
    await store.log.record_outbound("job-b", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-b", LogStatus.SENT, provider_message_id="wamid.OUT")
    await store.log.add_status(status(clock, DeliveryStatus.DELIVERED))
    # a worker that took the job over after a crash acknowledges the send once more
    await store.log.set_outbound_status("job-b", LogStatus.SENT, provider_message_id="wamid.OUT")
    assert (await store.log.get("job-b")).status is LogStatus.DELIVERED


async def test_a_requeued_dead_message_can_still_be_sent(store):
    await store.log.record_outbound("job-r", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-r", LogStatus.DEAD, error="HTTP 400")
    await store.log.set_outbound_status("job-r", LogStatus.SENT, provider_message_id="wamid.R")
    logged = await store.log.get("job-r")
    assert logged.status is LogStatus.SENT and logged.error is None


async def test_a_redelivered_status_report_is_kept_once(store, clock):
    await store.log.record_outbound("job-d", OutboundMessage(recipient="+919812345678", text="hi"), Provider.META)
    await store.log.set_outbound_status("job-d", LogStatus.SENT, provider_message_id="wamid.OUT")
    delivered = status(clock, DeliveryStatus.DELIVERED)
    assert await store.log.add_status(delivered)
    assert await store.log.add_status(delivered)
    assert [event.status for event in (await store.log.get("job-d")).status_history] == [DeliveryStatus.DELIVERED]
