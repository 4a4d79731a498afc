"""References as people type them: the canonical id a backend uses, or a refusal; mentions in
free text; and the business's form in replies."""

import pytest

from gateway.conversation.flows import Flow, MenuEntry, Step
from gateway.conversation.references import Reference
from gateway.hookspecs import hookimpl
from gateway.models import Content
from gateway.testing import SimulatedContact

ORDER = Reference(
    "order",
    ("ORD",),
    words=("order", "pedido", "commande", "encomenda", "طلب", "ऑर्डर"),
    digits=(3, 10),
    prefixed_ids=False,
)
DEFECT = Reference("defect", ("DEF",), words=("defect", "defecto"), width=6)
TICKET = Reference("ticket", ("MAINT",), words=("ticket",), width=6)
SOP = Reference("sop", ("SOP",))
BOM = Reference("bom", ("BOM",))
MACHINE = Reference("machine", ("CNC", "PRESS"), words=("machine",), other_prefixes=True)


@pytest.mark.parametrize(
    "typed",
    [
        "4411",
        "ORD-4411",
        "ord 4411",
        "ORD4411",
        "#4411",
        "# 4411",
        "order 4411",
        "Order 4411",
        "4411.",
        "4411!",
        " 4411 ",
        "Order No. 4411",
        "order number 4411",
        "order #4411",
        "order: 4411",
        "٤٤١١",
        "४४११",
        "۴۴۱۱",
        "pedido 4411",
        "pedido nº 4411",
        "commande n° 4411",
        "encomenda 4411",
        "طلب ٤٤١١",
        "طلب رقم ٤٤١١",
        "ऑर्डर 4411",
        "ऑर्डर नंबर ४४११।",
        "it's 4411, thanks",
        "my order is 4411",  # a word and a space before a number are words, not a prefix
        "es el 4411",
        "¿el pedido 4411?",
        "ORD–4411",  # en dash, as smart punctuation and PDFs write it
        "ORD‑4411",  # U+2011, the non-breaking hyphen
        "order\n\n4411",
        "order" + " \t\n" * 5000 + "4411",  # spaces are folded before anything is read
    ],
)
def test_an_order_as_people_write_it(typed):
    assert ORDER.parse(typed) == "4411"


@pytest.mark.parametrize(
    ("reference", "typed", "canonical"),
    [
        (MACHINE, "cnc 01", "CNC-01"),
        (MACHINE, "CNC01", "CNC-01"),
        (MACHINE, "CNC-01", "CNC-01"),
        (MACHINE, "press 01.", "PRESS-01"),
        (MACHINE, "press-2", "PRESS-2"),  # as the business writes it: zeros are not invented
        (MACHINE, "lathe-3", "LATHE-3"),  # a family the business has and the plugin does not list
        (MACHINE, "the lathe 3 leaks", "LATHE-3"),
        (MACHINE, "machine CNC 01", "CNC-01"),
        (SOP, "SOP 101", "SOP-101"),
        (SOP, "sop-101", "SOP-101"),
        (SOP, "101", "SOP-101"),
        (SOP, "SOP-١٠١", "SOP-101"),
        (BOM, "BOM 7", "BOM-7"),
        (BOM, "bom7", "BOM-7"),
        (BOM, "#7", "BOM-7"),
        (DEFECT, "DEF-1", "DEF-000001"),
        (DEFECT, "def 000001", "DEF-000001"),
        (DEFECT, "DEF-000001.", "DEF-000001"),
        (DEFECT, "DEF‑1", "DEF-000001"),  # U+2011
        (DEFECT, "defecto 1", "DEF-000001"),
        (TICKET, "MAINT-1", "MAINT-000001"),
        (TICKET, "maint 000045", "MAINT-000045"),
        (TICKET, "ticket #45", "MAINT-000045"),
    ],
)
def test_other_references_as_people_write_them(reference, typed, canonical):
    assert reference.parse(typed) == canonical


@pytest.mark.parametrize(
    ("reference", "typed"),
    [
        (ORDER, "hello"),
        (ORDER, ""),
        (ORDER, "44"),  # shorter than any order number
        (ORDER, "#44"),
        (ORDER, "12345678901"),  # longer than any
        # two numbers where one is asked for: guessing could show or change the wrong order,
        # asking again costs one message
        (ORDER, "4411 4412"),
        (ORDER, "order 4411 or 4412"),
        (ORDER, "SOP-101"),  # another kind's reference is not an order
        (ORDER, "DEF-000001"),
        (ORDER, "4411-4412"),
        (ORDER, "A4411"),
        (MACHINE, "01"),  # which machine? several prefixes share numbers
        (MACHINE, "طلب 01"),  # a business's families are written in Latin letters
        (SOP, "XYZ-101"),  # a prefix not declared, where others are not allowed
        (SOP, "BOM-7"),
        (DEFECT, "MAINT-1"),
        # digits grouped as people write thousands: one number or two? "411" would be another
        # order, so neither is read
        (ORDER, "4 411"),
        (ORDER, "4,411"),
        (ORDER, "4.411"),
        (ORDER, "4\u00a0411"),
        (ORDER, "4\u202f411"),
        (ORDER, "order 4 411"),
        # Latin letters joined to a number are a prefix, and not this kind's: the business's own
        # reference ("QA-7", "WO-1"), never DEF-000007 or MAINT-000001
        (DEFECT, "qa7"),
        (DEFECT, "QA-7"),
        (TICKET, "wo-1"),
        (TICKET, "it is WO/1"),
    ],
)
def test_what_is_not_a_reference_is_refused(reference, typed):
    assert reference.parse(typed) is None


@pytest.mark.parametrize(
    ("reference", "text", "found"),
    [
        (ORDER, "where is my order 4411?", "4411"),
        (ORDER, "¿dónde está mi pedido 4411?", "4411"),
        (ORDER, "où en est ma commande n° 4411 ?", "4411"),
        (ORDER, "cadê minha encomenda 4411?", "4411"),
        (ORDER, "أين طلب رقم ٤٤١١؟", "4411"),
        (ORDER, "मेरा ऑर्डर ४४११ कहाँ है?", "4411"),
        (ORDER, "status of ORD-4411 please", "4411"),
        (ORDER, "any news on #4411", "4411"),
        (ORDER, "order 4411, 500 pieces", "4411"),
        (DEFECT, "DEF-000001", "DEF-000001"),
        (DEFECT, "what happened to def 1?", "DEF-000001"),
        (MACHINE, "cnc 01 is leaking oil", "CNC-01"),
    ],
)
def test_a_mention_in_free_text(reference, text, found):
    assert reference.find(text) == found


@pytest.mark.parametrize(
    ("reference", "text"),
    [
        (ORDER, "I need 4411 screws"),  # a bare number in a sentence names nothing
        (ORDER, "hello"),
        (ORDER, "reorder 4411"),  # the word must stand alone
        (ORDER, "order 4411 and order 4412"),  # two: which one?
        (ORDER, "order 44"),
        (DEFECT, "where is my order 4411?"),
        (MACHINE, "where is my order 4411?"),
        (MACHINE, "lathe 3 is leaking"),  # in free text only the declared families count
    ],
)
def test_no_mention_in_free_text(reference, text):
    assert reference.find(text) is None


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("QA-7", "QA-7"),
        ("qa 7", "QA-7"),
        ("QA-007", "QA-007"),  # the digits as the system wrote them
        ("defect QA-7.", "QA-7"),
        ("DEF-1", "DEF-1"),  # not padded: the system's ids may not be
        ("#7", None),  # the system's prefix is not known, so a bare number names nothing
        ("defect 7", None),
        ("7", None),
        ("qa 7 or qa 8", None),
    ],
)
def test_a_reference_as_a_business_system_issues_it(typed, canonical):
    assert DEFECT.as_issued().parse(typed) == canonical


HOSTILE = [
    "order" + " " * 20_000 + "x",
    "order" + "\n" * 20_000 + "x",
    "pedido " + "\t" * 20_000 + "?",
    "#" + " " * 20_000 + "x",
    "ORD" + " " * 20_000 + "-",
    "cnc" + " \t\n" * 7_000 + "x",
    "order " * 4_000 + "x",
    "4" * 20_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("reference", [ORDER, DEFECT, MACHINE, DEFECT.as_issued()], ids=lambda r: r.kind)
def test_a_long_message_is_read_at_once(reference, text):
    """Runs of spaces, newlines or tabs between a word and junk once made the regexes try every
    way of splitting the run: seconds per 4,000 characters, minutes for these, all on the event
    loop (the engine reads every free-text message for intents). A message is long, not a hang."""
    assert reference.parse(text) is None
    assert reference.find(text) is None


def test_a_mention_among_many_spaces_is_found():
    assert ORDER.find("where is my order" + " \t\n" * 5_000 + "4411?") == "4411"


def test_a_mention_past_the_first_few_hundred_characters_is_not_looked_for():
    assert ORDER.find("order 4411 " + "é" * 2_000) == "4411"
    assert ORDER.find("é " * 2_000 + "order 4411") is None


def test_the_same_reference_mentioned_twice_is_one():
    assert ORDER.find("order 4411: is ORD-4411 late?") == "4411"


@pytest.mark.parametrize(
    ("reference", "canonical", "shown"),
    [
        (ORDER, "4411", "ORD-4411"),
        (DEFECT, "DEF-000001", "DEF-000001"),
        (MACHINE, "CNC-01", "CNC-01"),
        (MACHINE, "PRESS-01", "PRESS-01"),
        (BOM, "BOM-7", "BOM-7"),
        (SOP, "SOP-101", "SOP-101"),
        (TICKET, "MAINT-000045", "MAINT-000045"),
        (MACHINE, "LATHE-9", "LATHE-9"),  # an id of another shape is shown as the backend has it
    ],
)
def test_replies_show_the_business_form(reference, canonical, shown):
    assert reference.show(canonical) == shown


def test_a_reference_typed_any_way_is_shown_one_way():
    shown = {ORDER.show(ORDER.parse(typed)) for typed in ("#4411", "order 4411", "٤٤١١", "ORD-4411.")}
    assert shown == {"ORD-4411"}


class Tracking:
    """A small plugin whose one form asks for an order by its Reference; the lookup records
    what it receives."""

    def __init__(self) -> None:
        self.looked_up: list[str] = []

    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("tracking.order", "tracking.order", "tracking.menu", flow="tracking.order")]

    @hookimpl
    def register_flows(self):
        step = Step("order", "tracking.ask", invalid="tracking.bad", lookup=self._lookup, reference=ORDER)
        return [Flow("tracking.order", (step,), self._complete)]

    @hookimpl
    def register_translations(self):
        english = {
            "tracking.menu": "Tracking",
            "tracking.order": "Track",
            "tracking.ask": "Which order?",
            "tracking.bad": "That is not an order number.",
            "tracking.done": "Tracking {order}.",
        }
        return {"en": english}

    async def _lookup(self, answer: str, conversation) -> str:
        self.looked_up.append(answer)
        return answer

    async def _complete(self, answers, conversation):
        return [Content(text=conversation.t("tracking.done", order=ORDER.show(answers["order"])))]


@pytest.fixture
async def tracking(make_gateway, clock):
    plugin = Tracking()
    contact = SimulatedContact(await make_gateway([plugin]), clock=clock)
    contact.plugin = plugin
    await contact.send("menu")
    await contact.press("Tracking")
    return contact


async def test_a_step_with_a_reference_hands_the_lookup_the_canonical_id(tracking):
    [done] = await tracking.send("Order No. ٤٤١١.")
    assert done.text == "Tracking ORD-4411."
    assert tracking.plugin.looked_up == ["4411"]


async def test_a_step_with_a_reference_refuses_what_is_not_one_with_its_own_words(tracking):
    reason, again = await tracking.send("4411 4412")
    assert (reason.text, again.text) == ("That is not an order number.", "Which order?")
    assert tracking.plugin.looked_up == [], "the lookup never sees a refused answer"
