"""Operator accounts for the console, kept in the store and hashed with argon2, so every
process signs in against the same accounts and a leaked store leaks no password."""

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from gateway.clock import Clock
from gateway.console.web_sessions import WebSessions
from gateway.ports.store import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

NAMESPACE = "gateway.operators"
MIN_PASSWORD_CHARS = 12
MAX_LISTED = 1000
NAME_RULE = "1 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
HASHER = PasswordHasher()
"""argon2id with argon2-cffi's current recommended parameters; a hash made with older ones is
replaced at the operator's next sign-in."""
HASHING_AT_ONCE = 2
_HASHING = ThreadPoolExecutor(HASHING_AT_ONCE, thread_name_prefix="argon2")
"""A hash takes ~0.15 s of CPU and 64 MiB: a flood of sign-ins queues here instead of taking
the host's memory, or the default executor's threads that DNS look-ups need."""


class AccountError(ValueError):
    """An account change that cannot be made; the message says why."""


class UnknownOperator(AccountError):
    """No operator has that name."""


@dataclass(frozen=True, slots=True)
class Operator:
    name: str
    disabled: bool
    created_at: datetime


def normalized(name: str) -> str:
    """The name as accounts are keyed: lower case, so `Alice` and `alice` are one operator."""
    cleaned = name.strip().lower()
    if not _NAME.fullmatch(cleaned):
        raise AccountError(f"name must be {NAME_RULE}")
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password must be at least {MIN_PASSWORD_CHARS} characters")


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """What an unknown name is verified against, so it takes as long as a wrong password."""
    return hasher.hash("no operator has this password")


async def prepare() -> None:
    """Make that hash before the first sign-in, which would otherwise take a hash longer for
    an unknown name than for a wrong password."""
    await _hashing(_dummy_hash, HASHER)


class Operators:
    """Create, change, list and authenticate operators."""

    def __init__(self, store: Store, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._store = store
        self._clock = clock
        self._hasher = hasher or HASHER

    async def add(self, name: str, password: str) -> Operator:
        """Create an operator; refused when the name is taken (in any case) or the password short."""
        key = normalized(name)
        check_password(password)
        document = {
            "name": key,
            "password_hash": await _hashing(self._hasher.hash, password),
            "disabled": False,
            "created_at": self._clock.now().isoformat(),
            "version": 1,
        }
        if not await self._store.records.insert(NAMESPACE, key, document):
            raise AccountError(f"operator {key} already exists")
        log.info("operator %s created", key)
        return _operator(document)

    async def get(self, name: str) -> Operator | None:
        try:
            document = await self._store.records.get(NAMESPACE, normalized(name))
        except AccountError:
            return None
        return _operator(document) if document else None

    async def list(self) -> list[Operator]:
        """Every operator, by name."""
        documents = await self._store.records.find(NAMESPACE, limit=MAX_LISTED)
        return sorted((_operator(document) for document in documents), key=lambda operator: operator.name)

    async def set_disabled(self, name: str, disabled: bool) -> Operator:
        """Disable (or enable again) an operator; disabling also ends their open sessions."""
        document = await self._change(name, lambda document: document.update(disabled=disabled))
        if disabled:
            await WebSessions(self._store, self._clock).end_all(document["name"])
        log.info("operator %s %s", document["name"], "disabled" if disabled else "enabled")
        return _operator(document)

    async def set_password(self, name: str, password: str) -> Operator:
        """Give an operator a new password and end their open sessions, which the old one opened."""
        check_password(password)
        password_hash = await _hashing(self._hasher.hash, password)
        document = await self._change(name, lambda document: document.update(password_hash=password_hash))
        ended = await WebSessions(self._store, self._clock).end_all(document["name"])
        log.info("operator %s has a new password; %d open sessions ended", document["name"], ended)
        return _operator(document)

    async def authenticate(self, name: str, password: str) -> Operator | None:
        """The operator when the password is theirs (disabled or not: the caller refuses those),
        else None; an unknown name costs the same hashing as a wrong password."""
        try:
            key = normalized(name)
        except AccountError:
            key = None
        document = await self._store.records.get(NAMESPACE, key) if key else None
        stored = document["password_hash"] if document else _dummy_hash(self._hasher)
        if not await _hashing(self._verifies, stored, password) or document is None:
            return None
        if self._hasher.check_needs_rehash(stored):
            rehashed = document | {
                "password_hash": await _hashing(self._hasher.hash, password),
                "version": document["version"] + 1,
            }
            # skipped when the account changed meanwhile (disabled, a new password): the next sign-in rehashes
            if await self._store.records.swap(NAMESPACE, key, rehashed, version=document["version"]):
                log.info("operator %s password rehashed with the current parameters", key)
        return _operator(document)

    def _verifies(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _change(self, name: str, change: Callable[[dict], None]) -> dict:
        """Apply `change` to the operator's record by compare-and-set, again on a fresh read
        whenever another process changed it first, so no change overwrites another."""
        key = normalized(name)
        while True:
            document = await self._store.records.get(NAMESPACE, key)
            if document is None:
                raise UnknownOperator(f"no operator {key}")
            changed = dict(document)
            change(changed)
            changed["version"] = document["version"] + 1
            if await self._store.records.swap(NAMESPACE, key, changed, version=document["version"]):
                return changed


async def _hashing(work: Callable[..., T], *arguments: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, work, *arguments)


def _operator(document: dict) -> Operator:
    return Operator(document["name"], document["disabled"], datetime.fromisoformat(document["created_at"]))
