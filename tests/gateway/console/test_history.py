"""A conversation as operators read it, from the message log."""

from datetime import UTC, datetime

from gateway.console.history import bubble
from gateway.ports.records import Direction, LogEntry, LogStatus

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def entry(direction: Direction, payload: dict, status: LogStatus = LogStatus.SENT, error: str | None = None):
    return LogEntry("e1", direction, None, "+15550001111", status, AT, payload, error=error)


def test_who_wrote_each_outbound_message():
    assert bubble(entry(Direction.OUTBOUND, {"text": "hi", "priority": 10})).author == "bot"
    by_operator = bubble(entry(Direction.OUTBOUND, {"text": "hi", "priority": 10, "sent_by": "alice"}))
    assert by_operator.author == "alice" and by_operator.by_operator
    assert bubble(entry(Direction.OUTBOUND, {"text": "due", "priority": 5})).author == "notification"


def test_buttons_and_lists_as_the_contact_saw_them():
    buttons = bubble(entry(Direction.OUTBOUND, {"text": "Severity?", "buttons": [{"id": "l", "title": "Low"}]}))
    assert [option.title for option in buttons.buttons] == ["Low"]
    rows = [{"id": "o", "title": "Track", "description": "x"}]
    menu = {"button": "Menu", "sections": [{"title": "Orders", "rows": rows}]}
    listed = bubble(entry(Direction.OUTBOUND, {"text": "Pick", "list": menu}))
    assert listed.list_button == "Menu" and listed.sections[0].title == "Orders"
    assert (listed.sections[0].rows[0].title, listed.sections[0].rows[0].description) == ("Track", "x")


def test_a_press_shows_the_title_the_contact_pressed():
    press = bubble(entry(Direction.INBOUND, {"kind": "button_reply", "reply_id": "sev.high", "reply_title": "High"}))
    assert press.inbound and press.text == "High" and press.delivery == ""


def test_delivery_in_words_with_the_reason_of_a_failure():
    assert bubble(entry(Direction.OUTBOUND, {"text": "hi"}, LogStatus.DELIVERED)).delivery == "delivered"
    failed = bubble(entry(Direction.OUTBOUND, {"text": "hi"}, LogStatus.FAILED, "131047: re-engagement message"))
    assert failed.delivery == "failed" and failed.error == "131047: re-engagement message"


def test_a_shared_location_reads_as_its_name_with_a_map_link():
    location = {"latitude": 19.07, "longitude": 72.87, "name": "Plant 2"}
    shared = bubble(entry(Direction.INBOUND, {"kind": "location", "location": location}))
    assert shared.text == "Plant 2"
    assert "mlat=19.07&mlon=72.87" in shared.place.map_url


def test_a_template_says_which():
    sent = {"provider_template": {"name": "order_update", "language": "en", "parameters": ["42"]}}
    assert bubble(entry(Direction.OUTBOUND, sent)).template == "order_update"
