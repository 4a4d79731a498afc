"""Where defects and SOPs live: the gateway's store (embedded; orders are the orders
plugin's embedded records) or a business system's REST API (http)."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, HttpUrl, TypeAdapter

from gateway.business_api import BusinessApi
from gateway.conversation.translated import Translated
from gateway.idempotency import reference_for
from gateway.ports.store import PluginRecords
from plugins.orders.backend import EmbeddedOrders, OrderStatus

NAMESPACE = "defects"
DEFECT_TYPES = ("internal_reject", "customer_return", "dimensional", "surface_finish", "other")
SEVERITIES = ("low", "medium", "high")


class DefectStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Defect(BaseModel):
    reference: str
    order_id: str
    defect_type: str
    severity: str
    reporter: str
    status: DefectStatus
    reported_at: AwareDatetime
    resolution_notes: Translated | None = None
    photo_media_id: str | None = None
    """The photo the reporter sent, in the gateway's media store (GET /api/v1/media/{id})."""


class Sop(BaseModel):
    """A standard operating procedure; its texts may come in several languages (Translated)."""

    id: str
    title: Translated
    steps: list[Translated]
    last_failure: Translated | None = None
    video_url: HttpUrl | None = None
    """A video of the procedure, sent after its steps: a direct MP4 or 3GP over https to arrive
    as a video, else sent as a link (gateway.media.videos)."""


class DefectsBackend(Protocol):
    async def order_exists(self, order_id: str) -> bool: ...

    async def report(
        self,
        order_id: str,
        defect_type: str,
        severity: str,
        reporter: str,
        at: datetime,
        key: str,
        photo_media_id: str | None = None,
    ) -> Defect:
        """Record a defect (with the media store id of its photo, if one was sent) under a new
        reference and put its order ON HOLD; a repeated `key` returns the defect recorded the
        first time."""

    async def defects_of(self, reporter: str) -> list[Defect]:
        """Defects the contact reported, newest first."""

    async def defect(self, reference: str) -> Defect | None: ...

    async def sop(self, sop_id: str) -> Sop | None: ...


class EmbeddedDefects:
    def __init__(self, records: PluginRecords) -> None:
        self._records = records
        self._orders = EmbeddedOrders(records)

    async def order_exists(self, order_id: str) -> bool:
        return await self._orders.order(order_id) is not None

    async def report(
        self,
        order_id: str,
        defect_type: str,
        severity: str,
        reporter: str,
        at: datetime,
        key: str,
        photo_media_id: str | None = None,
    ) -> Defect:
        # the hold first: it is harmless to repeat, so the defect record is the last write of a turn
        await self._orders.set_status(order_id, OrderStatus.ON_HOLD, key)
        reference = await reference_for(self._records, NAMESPACE, "defect", key, self.new_reference)
        defect = Defect(
            reference=reference,
            order_id=order_id,
            defect_type=defect_type,
            severity=severity,
            reporter=reporter,
            status=DefectStatus.OPEN,
            reported_at=at,
            photo_media_id=photo_media_id,
        )
        await self._records.insert(NAMESPACE, f"defect:{reference}", _document(defect))
        return Defect.model_validate(await self._records.get(NAMESPACE, f"defect:{reference}"))

    async def new_reference(self) -> str:
        """The next defect reference, e.g. DEF-000003."""
        return f"DEF-{await self._records.next_sequence(NAMESPACE, 'defect'):06d}"

    async def put(self, defect: Defect) -> None:
        await self._records.put(NAMESPACE, f"defect:{defect.reference}", _document(defect))

    async def defects_of(self, reporter: str) -> list[Defect]:
        found = await self._records.find(NAMESPACE, {"kind": "defect", "reporter": reporter})
        return sorted((Defect.model_validate(d) for d in found), key=lambda d: d.reported_at, reverse=True)

    async def defect(self, reference: str) -> Defect | None:
        found = await self._records.get(NAMESPACE, f"defect:{reference.upper()}")
        return Defect.model_validate(found) if found else None

    async def sop(self, sop_id: str) -> Sop | None:
        found = await self._records.get(NAMESPACE, f"sop:{sop_id.upper()}")
        return Sop.model_validate(found) if found else None


def _document(defect: Defect) -> dict[str, Any]:
    return {"kind": "defect"} | defect.model_dump(mode="json")


_DEFECTS = TypeAdapter(list[Defect])


class HttpDefects:
    """The business system's API; its JSON contract is in docs/plugins.md."""

    def __init__(self, api: BusinessApi) -> None:
        self._api = api

    async def order_exists(self, order_id: str) -> bool:
        return await self._api.get(f"orders/{order_id}") is not None

    async def report(
        self,
        order_id: str,
        defect_type: str,
        severity: str,
        reporter: str,
        at: datetime,
        key: str,
        photo_media_id: str | None = None,
    ) -> Defect:
        body = {"order_id": order_id, "defect_type": defect_type, "severity": severity, "reporter": reporter}
        body |= {"reported_at": at.isoformat(), "photo_media_id": photo_media_id}
        posted = await self._api.post("defects", body, idempotency_key=key)
        return Defect.model_validate(posted)

    async def defects_of(self, reporter: str) -> list[Defect]:
        return _DEFECTS.validate_python(await self._api.get("defects", reporter=reporter) or [])

    async def defect(self, reference: str) -> Defect | None:
        found = await self._api.get(f"defects/{reference.upper()}")
        return Defect.model_validate(found) if found else None

    async def sop(self, sop_id: str) -> Sop | None:
        found = await self._api.get(f"sops/{sop_id.upper()}")
        return Sop.model_validate(found) if found else None
