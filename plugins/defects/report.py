"""A defect's report as a PDF in its reader's language and time zone: reference, order, type,
severity, status, the reporter's masked number, when it was reported, and the photo if one was
sent. Sent on request and attached to the quality alert of a new defect."""

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from pydantic import BaseModel, Field

from gateway.conversation.catalog import DEFAULT_LANGUAGE, Catalog
from gateway.conversation.context import Conversation, PluginContext
from gateway.conversation.formatting import moment
from gateway.conversation.translations import TranslationDomain, read_domain
from gateway.faults import patiently
from gateway.media.rendering import RenderingFailed
from gateway.media.service import attachment
from gateway.models import MediaKind, OutboundMedia
from gateway.phone import mask
from gateway.ports.media import MediaStoreError, StoredMedia
from gateway.ports.store import NotFound
from plugins.defects.backend import NAMESPACE, Defect
from plugins.defects.references import DEFECT
from plugins.orders.references import ORDER

log = logging.getLogger(__name__)

QUALITY_ROLES = ("supervisors", "quality")
"""Who is alerted of a new defect: the roles of the defect.created event."""
RETRY_FIRST_SECONDS = 1.0
RETRY_LONGEST_SECONDS = 60.0
"""A store hiccup while a report is made is waited out, as the inbox does, until shutdown."""
VERSION = "1"
"""Bumped when the report's layout changes, so reports made before are made again."""
PENDING = "report_pending"
"""The record of an alert whose reports are not attached yet, kept until they are."""
PENDING_CHECK = timedelta(minutes=1)
"""How often reports a stopped process left unattached are looked for."""
DOMAIN = TranslationDomain("defects", Path(__file__).parent / "locale")


class DefectReport(BaseModel):
    """What a report shows, its texts already in the reader's language. The photo's bytes are
    not part of the rendering's cache key: its digest is."""

    language: str
    title: str
    created: datetime
    fields: list[tuple[str, str]]
    photo_heading: str
    photo_note: str | None = None
    photo: bytes | None = Field(default=None, exclude=True)
    photo_sha256: str | None = None


def make_pdf(report: DefectReport) -> bytes:
    """The report's PDF; pure, run off the event loop by the rendering pool."""
    from gateway.media.pdf import Document  # imported when drawn: see gateway.media.rendering.DRAWING_MODULES

    document = Document(report.language, title=report.title, created=report.created)
    document.fields(report.fields)
    document.heading(report.photo_heading)
    if report.photo is not None:
        document.image(report.photo)
    else:
        document.paragraph(report.photo_note or "")
    return document.output()


class DefectReports:
    def __init__(self, context: PluginContext) -> None:
        self._context = context
        self._attaching: set[asyncio.Task[None]] = set()
        self._catalog = Catalog()
        self._catalog.add(read_domain(DOMAIN))

    async def pdf(self, defect: Defect, reader: Conversation) -> StoredMedia:
        """The defect's report for `reader`, made once per content (raises RenderingFailed)."""
        photo, note = await self._photo(defect, reader)
        report = DefectReport(
            language=reader.language,
            title=reader.t("defects.pdf.caption", reference=DEFECT.show(defect.reference)),
            created=defect.reported_at,
            fields=[
                (reader.t("defects.pdf.reference"), DEFECT.show(defect.reference)),
                (reader.t("defects.pdf.order"), ORDER.show(defect.order_id)),
                (reader.t("defects.pdf.type"), reader.t(f"defects.type.{defect.defect_type}")),
                (reader.t("defects.pdf.severity"), reader.t(f"defects.severity.{defect.severity}")),
                (reader.t("defects.pdf.status"), reader.t(f"defects.status.{defect.status.value}")),
                (reader.t("defects.pdf.reporter"), mask(defect.reporter)),
                (reader.t("defects.pdf.time"), moment(defect.reported_at, reader)),
            ],
            photo_heading=reader.t("defects.pdf.photo"),
            photo_note=note,
            photo=photo,
            photo_sha256=hashlib.sha256(photo).hexdigest() if photo is not None else None,
        )
        return await self._context.media.render(
            make_pdf,
            report,
            kind=MediaKind.DOCUMENT,
            content_type="application/pdf",
            filename=f"defect-{DEFECT.show(defect.reference)}.pdf",
            version=VERSION,
        )

    async def attachment(self, defect: Defect, reader: Conversation) -> OutboundMedia:
        stored = await self.pdf(defect, reader)
        return attachment(stored, caption=reader.t("defects.pdf.caption", reference=DEFECT.show(defect.reference)))

    async def alert(self, defect: Defect, reporter: Conversation) -> None:
        """Alert supervisors and quality of a new defect: the quality_alert template is queued
        in the reporter's turn, keyed by the defect so a turn run again alerts once; the report
        as a PDF in each one's language and zone follows it from the background, so the
        reporter's answer never waits on a rendering nor fails by one."""
        notifier = self._context.notifier
        data = {
            "defect_id": DEFECT.show(defect.reference),
            "order_id": ORDER.show(defect.order_id),
            "defect_type": reporter.catalog.text(f"defects.type.{defect.defect_type}", DEFAULT_LANGUAGE),
            "severity": reporter.catalog.text(f"defects.severity.{defect.severity}", DEFAULT_LANGUAGE),
        }
        members = await notifier.members(QUALITY_ROLES)
        key = f"defect.created:{defect.reference}"
        await notifier.notify("quality_alert", members, data, key=key)
        pending = {"kind": PENDING, "reference": defect.reference, "members": members, "data": data}
        await self._context.store.records.put(NAMESPACE, f"{PENDING}:{defect.reference}", pending)
        task = asyncio.create_task(self._attach_reports(defect, members, data))
        self._attaching.add(task)
        task.add_done_callback(self._attaching.discard)

    async def attach_pending(self, defect_of: Callable[[str], Awaitable[Defect | None]]) -> None:
        """The reports a process stopped before attaching (a deploy, a crash), attached now: a
        periodic job, so every alert gets its PDF whatever happens to the process that took it."""
        for pending in await self._context.store.records.find(NAMESPACE, {"kind": PENDING}):
            defect = await defect_of(pending["reference"])
            if defect is None:
                await self._context.store.records.delete(NAMESPACE, f"{PENDING}:{pending['reference']}")
                continue
            await self._attach_reports(defect, pending["members"], pending["data"])

    async def _attach_reports(self, defect: Defect, members: list[str], data: dict[str, str]) -> None:
        """The reports, tried again while the store fails transiently (every step is keyed or
        cached, so a second try queues nothing twice); a report that cannot be made for another
        reason is logged and the alert stays without it. Either way the report is no longer pending."""
        attach = partial(self._attach_all, defect, members, data, f"defect.created:{defect.reference}")
        try:
            await patiently(
                f"attaching the report of {defect.reference}",
                attach,
                first=RETRY_FIRST_SECONDS,
                longest=RETRY_LONGEST_SECONDS,
                on_retry=lambda: None,
            )
        except (RenderingFailed, MediaStoreError) as error:
            log.warning("the report of %s was not made (%s); the alert goes without it", defect.reference, error)
        except Exception:
            log.exception("the report of %s was not attached to its alert; the alert goes without it", defect.reference)
        await self._context.store.records.delete(NAMESPACE, f"{PENDING}:{defect.reference}")

    async def _attach_all(self, defect: Defect, members: list[str], data: dict[str, str], key: str) -> None:
        """Each group of members who read alike gets one PDF, queued after their alert (the
        same key finds the alert already queued)."""
        groups: dict[tuple[str, str, str], tuple[Conversation, list[str]]] = {}
        for member in members:
            reader = await self._context.reader(member, self._catalog)
            groups.setdefault((reader.language, reader.locale, reader.time_zone), (reader, []))[1].append(member)
        for reader, readers in groups.values():
            attachments = [await self.attachment(defect, reader)]
            await self._context.notifier.notify("quality_alert", readers, data, key=key, attachments=attachments)

    async def close(self) -> None:
        """Stop attaching reports still being made (at shutdown)."""
        for task in list(self._attaching):
            task.cancel()
        await asyncio.gather(*self._attaching, return_exceptions=True)

    async def _photo(self, defect: Defect, reader: Conversation) -> tuple[bytes | None, str | None]:
        """The photo's bytes, or why the report has none."""
        if defect.photo_media_id is None:
            return None, reader.t("defects.pdf.no_photo")
        try:
            return await self._context.media.read(defect.photo_media_id), None
        except NotFound:
            return None, reader.t("defects.pdf.photo_lost")
