"""Files in a conversation as a contact sends them: a form's photo or voice step answered by a
stored file or skipped, and a photo, voice note, sticker or location where something else is
expected explained without a strike, in English and Arabic."""

import pytest

from gateway.appkeys import STORE
from gateway.conversation.flows import Choice, Flow, MenuEntry, Step
from gateway.hookspecs import hookimpl
from gateway.models import Content, Media, MediaKind
from gateway.testing import SimulatedContact
from tests.inbound_files import LOCATION, STICKER, photo, send_file, voice


class Inspection:
    """A form with a typed answer, an optional photo, a required photo or voice note, and a choice."""

    def __init__(self) -> None:
        self.reports: list[dict[str, str]] = []

    @hookimpl
    def register_menu_entries(self):
        return [MenuEntry("inspection.report", "inspection.report", "inspection.menu", flow="inspection.report")]

    @hookimpl
    def register_flows(self):
        steps = (
            Step("part", "inspection.ask_part", pattern=r"P-\d+"),
            Step("photo", "inspection.ask_photo", media=frozenset({MediaKind.IMAGE}), optional=True),
            Step("evidence", "inspection.ask_evidence", media=frozenset({MediaKind.IMAGE, MediaKind.AUDIO})),
            Step("grade", "inspection.ask_grade", choices=(Choice("a", "inspection.a"), Choice("b", "inspection.b"))),
        )
        return [Flow("inspection.report", steps, self._complete)]

    @hookimpl
    def register_translations(self):
        english = {
            "inspection.menu": "Inspection",
            "inspection.report": "Inspect",
            "inspection.ask_part": "Which part?",
            "inspection.ask_photo": "Send a photo of the part, or skip.",
            "inspection.ask_evidence": "Send a photo or a voice note.",
            "inspection.ask_grade": "Grade?",
            "inspection.a": "A",
            "inspection.b": "B",
            "inspection.done": "Inspected.",
        }
        arabic = {
            "inspection.menu": "الفحص",
            "inspection.report": "افحص",
            "inspection.ask_part": "أي قطعة؟",
            "inspection.ask_photo": "أرسل صورة للقطعة، أو تخطَّ.",
            "inspection.ask_evidence": "أرسل صورة أو رسالة صوتية.",
            "inspection.ask_grade": "الدرجة؟",
            "inspection.done": "تم الفحص.",
        }
        return {"en": english, "ar": arabic}

    async def _complete(self, answers, conversation):
        self.reports.append(answers)
        return [Content(text=conversation.t("inspection.done"))]


@pytest.fixture
async def inspector(make_gateway, clock):
    plugin = Inspection()
    contact = SimulatedContact(await make_gateway([plugin]), clock=clock)
    contact.plugin = plugin
    return contact


async def at_the_photo_step(contact: SimulatedContact, language: str = "en") -> None:
    await contact.send("hello" if language == "en" else "مرحبا")
    await contact.send("1")
    await contact.send("P-7")


async def test_a_photo_answers_the_photo_step_and_its_stored_id_is_the_answer(inspector):
    await inspector.send("hello")
    await inspector.send("1")
    [question] = await inspector.send("P-7")
    assert question.text == "Send a photo of the part, or skip." and question.titles == ["Skip"]
    [evidence] = await send_file(inspector, photo("m-part"))
    assert evidence.text == "Send a photo or a voice note."
    [grade] = await send_file(inspector, voice("m-noise"))
    assert grade.text == "Grade?"
    await inspector.send("A")
    assert inspector.plugin.reports == [{"part": "P-7", "photo": "m-part", "evidence": "m-noise", "grade": "a"}]


@pytest.mark.parametrize("skip", ["Skip", "skip", "1", "no"])
async def test_an_optional_step_is_skipped_by_its_button_its_number_or_a_word(inspector, skip):
    await at_the_photo_step(inspector)
    [evidence] = await (inspector.press(skip) if skip == "Skip" else inspector.send(skip))
    assert evidence.text == "Send a photo or a voice note."
    await send_file(inspector, photo("m-2"))
    await inspector.send("B")
    assert inspector.plugin.reports[0]["photo"] == ""


async def test_in_arabic_skip_is_typed_in_arabic_and_the_answers_are_arabic(inspector):
    await at_the_photo_step(inspector, "ar")
    explained, again = await send_file(inspector, voice())
    assert explained.text == "لا أستطيع الاستماع إلى الرسائل الصوتية هنا. من فضلك أرسل صورة، أو تخطَّ هذه الخطوة."
    assert again.text == "أرسل صورة للقطعة، أو تخطَّ." and [b.title for b in again.buttons] == ["تخطي"]
    explained, _ = await send_file(inspector, photo(None, unavailable="download failed: 404"))
    assert explained.text == "لم تصلنا الصورة. أرسلها مرة أخرى، أو تخطَّ هذه الخطوة."
    [evidence] = await inspector.send("تخطي")
    assert evidence.text == "أرسل صورة أو رسالة صوتية."
    explained, _ = await inspector.send("المحرك يصدر صوتًا")
    assert explained.text == "من فضلك أرسل صورة أو رسالة صوتية."


async def test_the_wrong_kind_of_file_at_a_media_step_is_named_and_the_step_asked_again(inspector):
    await at_the_photo_step(inspector)
    explained, again = await send_file(inspector, voice())
    assert explained.text == "I can't listen to voice notes here. Please send a photo, or skip this step."
    assert again.text == "Send a photo of the part, or skip."
    explained, _ = await send_file(inspector, STICKER)
    assert explained.text == "I can't use stickers here. Please send a photo, or skip this step."
    explained, _ = await send_file(inspector, location=LOCATION)
    assert explained.text == "I can't use a location here. Please send a photo, or skip this step."
    explained, _ = await inspector.send("it is scratched")
    assert explained.text == "Please send a photo, or skip this step."
    [evidence] = await send_file(inspector, photo())
    assert evidence.text == "Send a photo or a voice note.", "four wrong messages did not end the form"


async def test_a_photo_sent_as_a_document_answers_a_photo_step_and_a_pdf_does_not(inspector):
    """People send photos "as a document" to keep their quality: its checked type is a picture."""
    await at_the_photo_step(inspector)
    pdf = Media(media_id="wamid-doc", kind=MediaKind.DOCUMENT, mime_type="application/pdf", stored_id="m-pdf")
    explained, _ = await send_file(inspector, pdf)
    assert explained.text == "I can't read documents here. Please send a photo, or skip this step."
    as_document = Media(media_id="wamid-doc", kind=MediaKind.DOCUMENT, mime_type="image/jpeg", stored_id="m-hd")
    [evidence] = await send_file(inspector, as_document)
    assert evidence.text == "Send a photo or a voice note."
    await send_file(inspector, voice())
    await inspector.send("A")
    assert inspector.plugin.reports[0]["photo"] == "m-hd"


async def test_a_photo_that_did_not_come_through_is_asked_for_again(inspector):
    await at_the_photo_step(inspector)
    await inspector.send("skip")
    explained, again = await send_file(inspector, voice(None, unavailable="too large"))
    assert explained.text == "Your voice note didn't come through. Please send it again."
    assert again.text == "Send a photo or a voice note." and again.buttons is None, "a required step has no Skip"
    explained, _ = await send_file(inspector, photo(None))
    assert explained.text == "Your photo didn't come through. Please send it again.", "never fetched: not had"
    explained, _ = await inspector.send("skip")
    assert explained.text == "Please send a photo or a voice note.", "a required step is not skipped"


async def test_files_where_text_is_expected_get_a_helpful_answer_and_never_a_strike(inspector):
    await inspector.send("hello")
    await inspector.send("1")
    for file, said in (
        ((voice(),), "I can't listen to voice notes here. Please type your answer."),
        ((photo(),), "I can't look at photos here. Please type your answer."),
        ((STICKER,), "I can't use stickers here. Please type your answer."),
        ((None, LOCATION), "I can't use a location here. Please type your answer."),
    ):
        explained, again = await send_file(inspector, *file)
        assert (explained.text, again.text) == (said, "Which part?")
    [question] = await inspector.send("P-1")
    assert question.text == "Send a photo of the part, or skip.", "four files and the form goes on"


async def test_a_file_at_a_choice_step_asks_for_one_of_the_options(inspector):
    await at_the_photo_step(inspector)
    await inspector.send("skip")
    await send_file(inspector, photo())
    explained, again = await send_file(inspector, voice())
    assert explained.text == "I can't listen to voice notes here. Please choose one of the options."
    assert [b.title for b in again.buttons] == ["A", "B"]
    reason, _ = await inspector.send("C")
    assert reason.text == "Please choose one of the options."


async def test_three_files_where_text_is_expected_do_not_end_the_form_but_three_wrong_answers_do(inspector):
    await inspector.send("hello")
    await inspector.send("1")
    for _ in range(3):
        await send_file(inspector, voice())
    [question] = await inspector.send("P-2")
    assert question.text == "Send a photo of the part, or skip."
    await inspector.send("back")
    await inspector.send("x")
    await inspector.send("y")
    stopped, _ = await inspector.send("z")
    assert stopped.text.startswith("That was not valid three times")


async def test_a_file_outside_a_form_gets_a_short_answer_and_the_menu(inspector):
    await inspector.send("hello")
    explained, menu = await send_file(inspector, photo())
    assert explained.text == "I can't look at photos here."
    assert menu.text == "What would you like to do?" and [row.title for row in menu.list.sections[0].rows] == [
        "Inspection",
        "Help",
    ]
    [question] = await inspector.send("1")
    assert question.text == "Which part?", "the menu it showed is the one a number picks from"


async def test_a_file_outside_a_form_in_arabic(inspector):
    await inspector.send("مرحبا")
    explained, menu = await send_file(inspector, voice())
    assert explained.text == "لا أستطيع الاستماع إلى الرسائل الصوتية هنا."
    assert menu.text == "ماذا تريد أن تفعل؟"


async def test_a_photo_sent_after_the_idle_timeout_still_answers_the_photo_step(inspector, clock):
    await at_the_photo_step(inspector)
    clock.advance(hours=2)
    [evidence] = await send_file(inspector, photo("m-late"))
    assert evidence.text == "Send a photo or a voice note.", "the form goes on: the photo is not lost"
    await send_file(inspector, voice("m-noise"))
    await inspector.send("A")
    assert inspector.plugin.reports == [{"part": "P-7", "photo": "m-late", "evidence": "m-noise", "grade": "a"}]


async def test_a_voice_note_after_the_idle_timeout_at_a_photo_step_offers_to_continue(inspector, clock):
    await at_the_photo_step(inspector)
    clock.advance(hours=2)
    [offer] = await send_file(inspector, voice())
    assert [button.title for button in offer.buttons] == ["Continue", "Start over", "Menu"]


async def test_a_file_the_gateway_refused_is_explained_not_asked_for_again(inspector):
    await at_the_photo_step(inspector)
    too_large = photo(None, unavailable="the image is 6.2 MB, over WhatsApp's limit of 5 MB", refused="too_large")
    explained, again = await send_file(inspector, too_large)
    assert explained.text == "That file is too large: the limit is 5 megabytes. Please send a photo, or skip this step."
    assert again.text == "Send a photo of the part, or skip."
    lying = photo(None, unavailable="declared image/jpeg but its bytes are application/pdf", refused="wrong_type")
    explained, _ = await send_file(inspector, lying)
    assert explained.text == "That file isn't the type it says it is, so I can't use it. Please send a photo, or skip this step."
    await inspector.send("skip")
    explained, _ = await send_file(inspector, voice(None, unavailable="over the limit", refused="too_large"))
    assert explained.text == "That file is too large: the limit is 16 megabytes. Please send a photo or a voice note."


@pytest.mark.parametrize(
    ("language", "too_large", "wrong_type"),
    [
        ("es", "Ese archivo es demasiado grande: el límite es de 5 megabytes.", "Ese archivo no es del tipo"),
        ("fr", "Ce fichier est trop volumineux : la limite est de 5\u00a0mégaoctets.", "Ce fichier n'est pas du type"),
        ("pt", "Esse arquivo é grande demais: o limite é de 5 megabytes.", "Esse arquivo não é do tipo"),
        ("ar", "هذا الملف كبير جدًا: الحد الأقصى 5 ميغابايت.", "هذا الملف ليس من النوع"),
        ("hi", "यह फ़ाइल बहुत बड़ी है: सीमा 5 मेगाबाइट है।", "यह फ़ाइल उस प्रकार की नहीं है"),
    ],
)
async def test_a_refused_file_is_explained_in_the_contacts_language(inspector, language, too_large, wrong_type):
    await inspector.client.app[STORE].settings.update_contact(inspector.phone, {"language": language})
    for typed in ("menu", "1", "P-7"):
        await inspector.send(typed)
    explained, _ = await send_file(inspector, photo(None, unavailable="over the limit", refused="too_large"))
    assert explained.text.startswith(too_large)
    explained, _ = await send_file(inspector, photo(None, unavailable="a PDF", refused="wrong_type"))
    assert explained.text.startswith(wrong_type)
