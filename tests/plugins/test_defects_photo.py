"""A defect reported with a photo, or without one, in English and Hindi: the photo step, the
record keeping the photo, the defect's report as a PDF on request and attached to the quality
team's alert."""

import asyncio
import dataclasses
import io
import sqlite3
import unicodedata

import pytest
from pypdf import PdfReader

from gateway.appkeys import ENGINE, MEDIA, PLUGIN_CONTEXT, PLUGINS, STORE
from gateway.demo import DEMO_OPERATOR
from gateway.models import MediaKind
from gateway.notifications.notifier import role_key
from gateway.ports.records import Job, JobState
from gateway.testing import SimulatedContact
from plugins.defects import report
from plugins.defects.plugin import DefectsPlugin
from plugins.orders.plugin import OrdersPlugin
from tests.gateway_fixtures import eventually
from tests.inbound_files import LOCATION, STICKER, jpeg, photo, send_file, stored_photo, voice

QUALITY = "sim:+919800000002"


@pytest.fixture
async def operator(make_gateway, clock):
    client = await make_gateway([OrdersPlugin(), DefectsPlugin()])
    await client.app[STORE].settings.set(role_key("quality"), [QUALITY])
    return SimulatedContact(client, DEMO_OPERATOR, clock)


def t(contact: SimulatedContact, key: str, language: str, **params) -> str:
    return contact.client.app[ENGINE].catalog.text(key, language, **params)


async def at_the_photo_step(operator: SimulatedContact, language: str = "en") -> None:
    await operator.send({"en": "hello", "hi": "नमस्ते"}[language])
    await operator.press(t(operator, "defects.menu", language))
    await operator.press(t(operator, "defects.report", language))
    await operator.send("4411")
    await operator.press(t(operator, "defects.type.dimensional", language))
    [question] = await operator.press(t(operator, "defects.severity.medium", language))
    assert question.text == t(operator, "defects.ask_photo", language)
    assert question.titles == [t(operator, "core.form.skip", language)]


async def pdf_of(operator: SimulatedContact, reply) -> PdfReader:
    """The PDF a reply carries, downloaded as the simulator page does."""
    assert reply.media["kind"] == "document" and reply.media["filename"].endswith(".pdf")
    response = await operator.client.get(reply.media["url"])
    assert response.status == 200 and response.content_type == "application/pdf"
    data = await response.read()
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


async def queued(operator: SimulatedContact) -> list[Job]:
    """Every job in the queue, in the order queued; listed by state, a job the worker moves on
    meanwhile is listed twice, and kept once."""
    queue = operator.client.app[STORE].queue
    jobs = {job.id: job for state in JobState for job in await queue.list(state, limit=100)}
    return sorted(jobs.values(), key=lambda job: job.id)


async def quality_jobs(operator: SimulatedContact) -> list[tuple[str, str]]:
    """What is queued for the quality member, in order: a template's name or a file's kind, and its key."""
    return [
        (job.message["template"]["name"] if "template" in job.message else job.message["media"]["kind"],
         job.idempotency_key)
        for job in await queued(operator)
        if job.message["recipient"] == QUALITY
    ]  # fmt: skip


async def test_a_photo_is_kept_with_the_defect_and_shown_in_its_pdf(operator):
    await at_the_photo_step(operator)
    [recorded] = await operator.attach(jpeg(), "image/jpeg", "scratch.jpg")
    assert recorded.text == (
        "Defect recorded as *DEF-000003* (Dimensional, medium). Order ORD-4411 is now ON HOLD. "
        "Photo kept with the defect."
    )
    assert recorded.titles == ["Report as PDF", "Menu"]
    record = await operator.client.app[STORE].records.get("defects", "defect:DEF-000003")
    assert await operator.client.app[MEDIA].read(record["photo_media_id"]) == jpeg()

    [report] = await operator.press("Report as PDF")
    assert report.media["caption"] == "Defect report DEF-000003"
    pdf = await pdf_of(operator, report)
    text = text_of(pdf)
    for shown in ("DEF-000003", "ORD-4411", "Dimensional", "Medium", "sim:********3333", "Photo"):
        assert shown in text, shown
    assert "+15550003333" not in text, "the reporter's number is masked"
    assert sum(len(page.images) for page in pdf.pages) == 1, "the photo is in the report"


async def test_the_quality_team_is_alerted_with_the_pdf_after_the_template(operator):
    await at_the_photo_step(operator)
    await send_file(operator, await stored_photo(operator))
    key = f"defect.created:DEF-000003:{QUALITY}"
    alerted = [("quality_alert", key), ("document", f"{key}:media:0")]
    await eventually(lambda: alerted_with(operator, alerted))
    [attached] = [job for job in await queued(operator) if job.idempotency_key == f"{key}:media:0"]
    pdf = PdfReader(io.BytesIO(await operator.client.app[MEDIA].read(attached.message["media"]["media_id"])))
    assert "DEF-000003" in text_of(pdf) and sum(len(page.images) for page in pdf.pages) == 1


async def alerted_with(operator: SimulatedContact, expected: list[tuple[str, str]]) -> bool:
    return await quality_jobs(operator) == expected


async def logged(caplog, text: str) -> bool:
    return any(text in record.message for record in caplog.records)


async def test_the_reporters_answer_never_waits_on_the_alerts_pdf(operator, monkeypatch):
    media = operator.client.app[PLUGIN_CONTEXT].media
    rendering, render = asyncio.Event(), media.render

    async def slow_render(*args, **kwargs):
        await rendering.wait()  # a PDF that takes as long as the test likes
        return await render(*args, **kwargs)

    monkeypatch.setattr(media, "render", slow_render)
    await at_the_photo_step(operator)
    photo_sent = await stored_photo(operator)
    async with asyncio.timeout(10):  # a turn that waited on the PDF would wait for ever
        [recorded] = await send_file(operator, photo_sent)
    assert recorded.text.startswith("Defect recorded as *DEF-000003*")
    key = f"defect.created:DEF-000003:{QUALITY}"
    assert await quality_jobs(operator) == [("quality_alert", key)], "the alert is queued in the turn"
    rendering.set()
    await eventually(lambda: alerted_with(operator, [("quality_alert", key), ("document", f"{key}:media:0")]))


async def test_a_store_error_reading_the_photo_fails_not_the_turn_and_the_pdf_follows_once_it_passes(
    operator, monkeypatch
):
    monkeypatch.setattr(report, "RETRY_FIRST_SECONDS", 0.0)
    media = operator.client.app[PLUGIN_CONTEXT].media
    read, failures = media.read, []

    async def locked_at_first(media_id):
        if len(failures) < 3:
            failures.append(media_id)
            raise sqlite3.OperationalError("database is locked")
        return await read(media_id)

    monkeypatch.setattr(media, "read", locked_at_first)
    await at_the_photo_step(operator)
    [recorded] = await send_file(operator, await stored_photo(operator))
    assert recorded.text.startswith("Defect recorded as *DEF-000003*"), "recorded, and the reporter told so"
    key = f"defect.created:DEF-000003:{QUALITY}"
    await eventually(lambda: alerted_with(operator, [("quality_alert", key), ("document", f"{key}:media:0")]))
    assert len(failures) == 3


async def test_a_report_that_fails_for_good_leaves_the_alert_without_it(operator, monkeypatch, caplog):
    async def broken(media_id):
        raise RuntimeError("the media store lost its mind")

    monkeypatch.setattr(operator.client.app[PLUGIN_CONTEXT].media, "read", broken)
    await at_the_photo_step(operator)
    [recorded] = await send_file(operator, await stored_photo(operator))
    assert recorded.text.startswith("Defect recorded as *DEF-000003*")
    await eventually(lambda: logged(caplog, "was not attached to its alert"))
    assert await quality_jobs(operator) == [("quality_alert", f"defect.created:DEF-000003:{QUALITY}")]


async def test_in_hindi_files_that_do_not_answer_are_explained_and_skip_is_typed_in_hindi(operator):
    await at_the_photo_step(operator, "hi")
    skip_or_send = "कृपया फ़ोटो भेजें, या यह चरण छोड़ दें।"
    for file, said in (
        ((voice(),), f"मैं यहाँ वॉइस नोट नहीं सुन सकता। {skip_or_send}"),
        ((STICKER,), f"मैं यहाँ स्टिकर इस्तेमाल नहीं कर सकता। {skip_or_send}"),
        ((None, LOCATION), f"मैं यहाँ लोकेशन इस्तेमाल नहीं कर सकता। {skip_or_send}"),
        ((photo(None, unavailable="the file was declared image/jpeg but its bytes are application/pdf"),),
         "आपकी फ़ोटो नहीं पहुँची। इसे दोबारा भेजें, या यह चरण छोड़ दें।"),
    ):
        explained, again = await send_file(operator, *file)
        assert explained.text == said
        assert again.text == "दोष की फ़ोटो भेजें, या यह चरण छोड़ दें।" and [b.title for b in again.buttons] == ["छोड़ें"]
    [explained, _] = await operator.send("सतह पर खरोंच है")
    assert explained.text == skip_or_send, "text where a photo is asked for is no answer, and no strike"
    [recorded] = await operator.send("छोड़ें")
    assert recorded.text == "दोष *DEF-000003* के रूप में दर्ज हुआ (माप संबंधी, मध्यम गंभीरता)। ऑर्डर ORD-4411 अब रोक दिया गया है।"
    record = await operator.client.app[STORE].records.get("defects", "defect:DEF-000003")
    assert record["photo_media_id"] is None

    [report] = await operator.press("PDF रिपोर्ट")
    assert report.media["caption"] == "दोष रिपोर्ट DEF-000003"
    pdf = await pdf_of(operator, report)
    assert "DEF-000003" in text_of(pdf) and not any(page.images for page in pdf.pages)


async def test_a_tracked_defect_offers_its_pdf(operator):
    await operator.send("menu")
    await operator.press("Quality")
    await operator.press("Track a defect")
    [tracked] = await operator.send("DEF-000001")
    assert tracked.titles == ["Report as PDF", "Menu"]
    [report] = await operator.press("Report as PDF")
    text = text_of(await pdf_of(operator, report))
    assert "DEF-000001" in text and "ORD-4414" in text and "No photo was sent." in text


async def test_a_pdf_is_only_for_staff(operator, clock):
    stranger = SimulatedContact(operator.client, "+15550009999", clock)
    await stranger.send("hello")
    [refusal] = await stranger.choose("defects.pdf:DEF-000001", "Report as PDF")
    assert refusal.text == "There is no defect DEF-000001." and refusal.media is None


async def test_the_http_backend_is_sent_the_photos_media_id(make_gateway, clock, business_system):
    posted = []

    def defect(path: str, body: dict, number: int) -> dict:
        posted.append(body)
        return body | {"reference": f"QA-{number}", "status": "open"}

    await business_system("DEFECTS", defect, {"/api/orders/4411": {"id": "4411"}})
    operator = await SimulatedContact(await make_gateway([DefectsPlugin()]), DEMO_OPERATOR, clock).hold("staff")
    await at_the_photo_step(operator)
    sent = await stored_photo(operator)
    [recorded] = await send_file(operator, sent)
    assert recorded.text.startswith("Defect recorded as *QA-1*")
    assert posted[0]["photo_media_id"] == sent.stored_id
    response = await operator.client.get(f"/api/v1/media/{sent.stored_id}")
    assert response.status == 401, "the system fetches it from the admin API, with its key"


async def test_a_report_that_cannot_be_made_is_apologised_for_and_the_alert_goes_without_it(operator, caplog):
    await at_the_photo_step(operator)
    lying = await operator.client.app[MEDIA].put(
        b"\xff\xd8 not really a JPEG", content_type="image/jpeg", kind=MediaKind.IMAGE, message_id="lying-photo"
    )
    [recorded] = await send_file(operator, photo(lying.id))
    assert recorded.text.startswith("Defect recorded as *DEF-000003*"), "the defect is recorded all the same"
    await eventually(lambda: logged(caplog, "was not made"))
    key = f"defect.created:DEF-000003:{QUALITY}"
    assert await quality_jobs(operator) == [("quality_alert", key)]
    [apology] = await operator.choose("defects.pdf:DEF-000003", "Report as PDF")
    assert apology.text == "Sorry, the report could not be made just now. Please try again in a few minutes."


@pytest.mark.parametrize(
    ("language", "labels"),
    [("es", ("Notificado por", "Fecha del aviso")), ("ar", ("المبلغ",))],  # Arabic compared without its marks
)
async def test_the_reports_labels_read_as_labels_in_one_register(operator, language, labels):
    plugin = next(p for p in operator.client.app[PLUGINS].manager.get_plugins() if isinstance(p, DefectsPlugin))
    reader = await operator.client.app[PLUGIN_CONTEXT].reader(QUALITY, operator.client.app[ENGINE].catalog)
    reader = dataclasses.replace(reader, language=language)
    stored = await plugin.reports.pdf(await plugin.service.backend.defect("DEF-000001"), reader)
    pdf = PdfReader(io.BytesIO(await operator.client.app[MEDIA].read(stored.id)))
    shown = "".join(ch for ch in unicodedata.normalize("NFKC", text_of(pdf)) if not unicodedata.combining(ch))
    for label in labels:
        assert label in shown or label[::-1] in shown, label


async def test_a_report_a_stopped_process_left_unattached_follows_its_alert_when_the_job_runs(operator, monkeypatch):
    plugin = next(p for p in operator.client.app[PLUGINS].manager.get_plugins() if isinstance(p, DefectsPlugin))

    async def stopped(*args):  # the process that took the report stops before attaching it
        return None

    monkeypatch.setattr(plugin.reports, "_attach_reports", stopped)
    await at_the_photo_step(operator)
    [recorded] = await send_file(operator, await stored_photo(operator))
    assert recorded.text.startswith("Defect recorded as *DEF-000003*")
    key = f"defect.created:DEF-000003:{QUALITY}"
    assert await quality_jobs(operator) == [("quality_alert", key)]
    monkeypatch.undo()
    await plugin._attach_pending()  # the scheduler's periodic job, on any process
    assert await quality_jobs(operator) == [("quality_alert", key), ("document", f"{key}:media:0")]
    records = operator.client.app[STORE].records
    assert await records.find("defects", {"kind": report.PENDING}) == [], "attached once, no longer pending"
    await plugin._attach_pending()
    assert len(await quality_jobs(operator)) == 2, "a second run attaches nothing twice"
