"""Console sessions: a random id in a cookie, and in the store only its SHA-256 with the
operator, a CSRF token and two times, so every process knows every session and a copy of the
store opens none of them."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web

from gateway.appkeys import SETTINGS
from gateway.clock import Clock
from gateway.ports.store import Store

NAMESPACE = "gateway.console.sessions"
COOKIE = "wa_console_session"
IDLE_TIMEOUT = timedelta(hours=12)
"""A session no request used for this long is over: a console left open overnight signs out."""
ABSOLUTE_TIMEOUT = timedelta(hours=24)
"""However busy, a session ends a day after its sign-in."""
TOUCH_EVERY = timedelta(minutes=1)
"""Use is written back at most this often, not at every request."""


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    operator: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime


SESSION = web.RequestKey("console_session", ConsoleSession)
"""The signed-in request's session, set by the guard."""


def record_key(session_id: str) -> str:
    """Where a session is kept: the SHA-256 of its id, never the id."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class WebSessions:
    """Start, find and end sessions on the injected clock."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._records = store.records
        self._clock = clock

    async def start(self, operator: str) -> tuple[str, ConsoleSession]:
        """A new session (a new id at every sign-in, so an id planted before it is worthless);
        the operator's expired sessions are cleared on the way."""
        await self._clear_expired(operator)
        now = self._clock.now()
        session = ConsoleSession(operator, secrets.token_urlsafe(32), now, now)
        session_id = secrets.token_urlsafe(32)
        key = record_key(session_id)
        await self._records.insert(NAMESPACE, key, _document(key, session))
        return session_id, session

    async def find(self, session_id: str) -> ConsoleSession | None:
        """The live session with this id, its use noted; None when unknown or expired."""
        key = record_key(session_id)
        document = await self._records.get(NAMESPACE, key)
        if document is None:
            return None
        session = _session(document)
        now = self._clock.now()
        if self._expired(session, now):
            await self._records.delete(NAMESPACE, key)
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            touched = document | {"last_seen_at": now.isoformat(), "version": document["version"] + 1}
            if not await self._records.swap(NAMESPACE, key, touched, version=document["version"]):
                # another process got there first: a sign-out (the session stays ended) or a touch
                again = await self._records.get(NAMESPACE, key)
                return _session(again) if again else None
            session = _session(touched)
        return session

    async def end(self, session_id: str) -> None:
        await self._records.delete(NAMESPACE, record_key(session_id))

    async def end_all(self, operator: str) -> int:
        """End every session of `operator`; how many there were."""
        ended = 0
        for document in await self._records.find(NAMESPACE, {"operator": operator}, limit=1000):
            ended += await self._records.delete(NAMESPACE, document["key"])
        return ended

    async def _clear_expired(self, operator: str) -> None:
        now = self._clock.now()
        for document in await self._records.find(NAMESPACE, {"operator": operator}, limit=1000):
            if self._expired(_session(document), now):
                await self._records.delete(NAMESPACE, document["key"])

    @staticmethod
    def _expired(session: ConsoleSession, now: datetime) -> bool:
        return now - session.last_seen_at >= IDLE_TIMEOUT or now - session.created_at >= ABSOLUTE_TIMEOUT


def _document(key: str, session: ConsoleSession) -> dict:
    """A new session's stored form; it names its own key so an operator's sessions can be found
    and ended, and has a version for compare-and-set."""
    return {
        "key": key,
        "operator": session.operator,
        "csrf": session.csrf,
        "created_at": session.created_at.isoformat(),
        "last_seen_at": session.last_seen_at.isoformat(),
        "version": 1,
    }


def _session(document: dict) -> ConsoleSession:
    return ConsoleSession(
        document["operator"],
        document["csrf"],
        datetime.fromisoformat(document["created_at"]),
        datetime.fromisoformat(document["last_seen_at"]),
    )


def session_id_of(request: web.Request) -> str | None:
    return request.cookies.get(COOKIE) or None


def set_cookie(response: web.StreamResponse, request: web.Request, session_id: str) -> None:
    """The session cookie: never readable by scripts, sent only to /console, not on cross-site
    posts, and only over HTTPS wherever the console is reached by it."""
    response.set_cookie(
        COOKIE, session_id, path="/console", httponly=True, samesite="Lax", secure=reached_over_https(request)
    )


def clear_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/console")


def reached_over_https(request: web.Request) -> bool:
    """HTTPS when GATEWAY_PUBLIC_URL says so, the connection is TLS, or a proxy says it took
    HTTPS (X-Forwarded-Proto). Trusting the header is safe here: it can only add the Secure
    flag, never remove it, and a client that forges it only breaks its own sign-in."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return request.config_dict[SETTINGS].public_url.scheme == "https" or request.secure or forwarded == "https"
