"""The canonical models enforce WhatsApp's limits with errors a person can act on."""

from datetime import UTC, datetime, timedelta, timezone

import bson
import pytest
from pydantic import ValidationError

from adapters.storage.sqlite.connection import dumps

from gateway.models import (
    InboundKind,
    InboundMessage,
    OutboundMessage,
    StatusUpdate,
    new_id,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def refusal(**fields) -> str:
    with pytest.raises(ValidationError) as refused:
        OutboundMessage(recipient="+14155550100", **fields)
    return str(refused.value)


def test_inbound_normalizes_numbers_and_times():
    message = InboundMessage(
        provider="twilio",
        provider_message_id="SM1",
        sender="whatsapp:+14155550100",
        recipient="whatsapp:+14155238886",
        timestamp=datetime(2026, 1, 5, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        kind="text",
        text="hi",
    )
    assert (message.sender, message.recipient) == ("+14155550100", "+14155238886")
    assert message.timestamp == NOW and message.timestamp.tzinfo is UTC
    assert len(message.id) == 32


def test_gateway_ids_sort_in_the_order_they_were_made():
    ids = [new_id() for _ in range(1000)]
    assert ids == sorted(ids) and len(set(ids)) == 1000


@pytest.mark.parametrize(
    ("kind", "needs"),
    [
        ("text", "text"),
        ("button_reply", "reply_id"),
        ("list_reply", "reply_id"),
        ("media", "media"),
        ("location", "location"),
    ],
)
def test_inbound_kind_requires_its_content(kind, needs):
    with pytest.raises(ValidationError, match=f"a {kind} message needs {needs}"):
        InboundMessage(provider="meta", provider_message_id="w", sender="+14155550100", timestamp=NOW, kind=kind)


def test_inbound_media_and_unsupported_keep_what_was_sent():
    image = InboundMessage(
        provider="meta",
        provider_message_id="w1",
        sender="919812345678",
        timestamp=NOW,
        kind="media",
        media={"media_id": "1234", "mime_type": "image/jpeg", "caption": "crack on part"},
    )
    assert image.media.media_id == "1234"
    reaction = InboundMessage(
        provider="meta",
        provider_message_id="w2",
        sender="919812345678",
        timestamp=NOW,
        kind=InboundKind.UNSUPPORTED,
        raw={"type": "reaction", "reaction": {"emoji": "👍"}},
    )
    assert reaction.raw["reaction"]["emoji"] == "👍"
    with pytest.raises(ValidationError, match="a url, a provider media id or a stored id"):
        InboundMessage(
            provider="meta", provider_message_id="w3", sender="919812345678", timestamp=NOW, kind="media", media={}
        )


def test_naive_timestamps_are_refused():
    with pytest.raises(ValidationError, match="timezone"):
        InboundMessage(
            provider="meta",
            provider_message_id="w",
            sender="+14155550100",
            timestamp=datetime(2026, 1, 5),
            kind="text",
            text="x",
        )


def test_text_body_is_limited_to_4096_characters():
    assert len(OutboundMessage(recipient="+14155550100", text="x" * 4096).text) == 4096
    assert "at most 4096 characters" in refusal(text="x" * 4097)


def test_buttons_are_limited_to_three_with_20_character_titles():
    buttons = [{"id": f"b{i}", "title": f"Option {i}"} for i in range(4)]
    assert "at most 3 items" in refusal(text="Pick one", buttons=buttons)
    assert "buttons.0.title" in refusal(text="Pick", buttons=[{"id": "b", "title": "A title that is too long"}])
    assert "button ids must be unique" in refusal(
        text="Pick", buttons=[{"id": "b", "title": "A"}, {"id": "b", "title": "B"}]
    )


def test_a_list_holds_at_most_ten_rows_across_sections():
    rows = [{"id": f"r{i}", "title": f"Row {i}"} for i in range(6)]
    menu = {"button": "Menu", "sections": [{"title": "One", "rows": rows}, {"title": "Two", "rows": rows[:5]}]}
    assert "at most 10 rows in all, got 11" in refusal(text="Choose", list=menu)
    ok = {
        "button": "Menu",
        "sections": [{"title": "One", "rows": rows[:5]}, {"title": "Two", "rows": [{"id": "x", "title": "X"}]}],
    }
    assert OutboundMessage(recipient="+14155550100", text="Choose", list=ok).list.sections[1].rows[0].id == "x"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({}, "needs text, media or a template"),
        ({"buttons": [{"id": "a", "title": "A"}]}, "need a text body"),
        ({"text": "x", "template": {"name": "t"}}, "template message carries no text"),
        (
            {
                "text": "x",
                "buttons": [{"id": "a", "title": "A"}],
                "list": {"button": "M", "sections": [{"rows": [{"id": "r", "title": "R"}]}]},
            },
            "either buttons or a list",
        ),
        ({"media": {"kind": "audio", "url": "https://example.com/a.ogg", "caption": "listen"}}, "captions on audio"),
        ({"media": {"kind": "image", "url": "not a url"}}, "media.url"),
    ],
)
def test_contradictory_content_is_refused(fields, reason):
    assert reason in refusal(**fields)


def test_media_template_and_scheduling_fields():
    media = OutboundMessage(
        recipient="+14155550100",
        media={
            "kind": "document",
            "url": "https://example.com/bill.pdf",
            "caption": "Your bill",
            "filename": "bill.pdf",
        },
        send_at=NOW,
        idempotency_key="bill-2026-01",
    )
    assert media.media.filename == "bill.pdf" and media.send_at == NOW
    template = OutboundMessage(
        recipient="+14155550100", template={"name": "payment_reminder", "language": "hi", "parameters": {"amount": 499}}
    )
    assert template.template.parameters == {"amount": 499}


def test_status_update_statuses_are_the_five_known():
    update = StatusUpdate(provider="meta", provider_message_id="wamid.1", status="delivered", timestamp=NOW)
    assert update.status == "delivered"
    with pytest.raises(ValidationError):
        StatusUpdate(provider="meta", provider_message_id="wamid.1", status="undelivered", timestamp=NOW)


def test_a_raw_payload_is_kept_as_both_stores_can_hold_it():
    raw = {"n": 2**64, "m": -(2**63), "deep": [{"a\x00b": 10**30}], "fine": 7}
    message = InboundMessage(
        provider="meta", provider_message_id="w", sender="+14155550100", timestamp=NOW, kind="unsupported", raw=raw
    )
    assert message.raw == {"n": str(2**64), "m": -(2**63), "deep": [{"a\ufffdb": str(10**30)}], "fine": 7}
    document = message.model_dump(mode="json")
    dumps(document)
    bson.encode(document)


def test_a_profile_name_is_cut_to_100_characters():
    message = InboundMessage(
        provider="meta",
        provider_message_id="w",
        sender="+14155550100",
        timestamp=NOW,
        kind="text",
        text="hi",
        profile_name="A" * 5000,
    )
    assert message.profile_name == "A" * 100


def test_a_time_past_the_end_of_the_calendar_in_utc_is_refused_not_an_overflow():
    late = datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1)))
    with pytest.raises(ValidationError, match="out of range"):
        StatusUpdate(provider="meta", provider_message_id="w", status="read", timestamp=late)
