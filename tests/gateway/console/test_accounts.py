"""Operator accounts on SQLite and on the mongo adapter: hashed passwords, unique
case-insensitive names, the rules for both, disabling, rehashing."""

import asyncio
import json
import threading
import time

import pytest
from argon2 import PasswordHasher

from gateway.console.accounts import HASHING_AT_ONCE, NAMESPACE, AccountError, Operators, UnknownOperator
from gateway.console.web_sessions import WebSessions
from tests.adapters.storage.conftest import store  # noqa: F401  (SQLite and the mongo adapter, as the contract suite)
from tests.gateway.console.conftest import PASSWORD, QUICK, OvertakenReads


class CountingHasher(PasswordHasher):
    """Counts verifications, to show an unknown name costs one as a wrong password does."""

    verified = 0

    def verify(self, hash, password):  # noqa: A002  (argon2's own parameter name)
        CountingHasher.verified += 1
        return super().verify(hash, password)


async def test_the_store_keeps_an_argon2_hash_never_the_password(store, clock):
    operators = Operators(store, clock, QUICK)
    await operators.add("alice", PASSWORD)
    document = await store.records.get(NAMESPACE, "alice")
    assert document["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in json.dumps(document)
    assert (await operators.authenticate("alice", PASSWORD)).name == "alice"
    assert await operators.authenticate("alice", PASSWORD + "!") is None


async def test_names_are_one_account_whatever_their_case(store, clock):
    operators = Operators(store, clock, QUICK)
    await operators.add("Alice", PASSWORD)
    with pytest.raises(AccountError, match="operator alice already exists"):
        await operators.add("ALICE", "another long password")
    assert (await operators.authenticate("aLiCe", PASSWORD)).name == "alice"
    assert [operator.name for operator in await operators.list()] == ["alice"]


@pytest.mark.parametrize("name", ["", "al ice", "-alice", "alice@example.com", "a" * 33, "ålice"])
async def test_a_name_outside_the_charset_is_refused_with_the_rule(store, clock, name):
    with pytest.raises(AccountError, match="name must be 1 to 32 letters, digits, dots, dashes or underscores"):
        await Operators(store, clock, QUICK).add(name, PASSWORD)
    assert await store.records.find(NAMESPACE) == []


async def test_a_short_password_is_refused_and_nothing_is_stored(store, clock):
    with pytest.raises(AccountError, match="password must be at least 12 characters"):
        await Operators(store, clock, QUICK).add("alice", "elevenchars")
    assert await store.records.get(NAMESPACE, "alice") is None


async def test_disabling_and_enabling_an_unknown_operator_says_so(store, clock):
    with pytest.raises(UnknownOperator, match="no operator carol"):
        await Operators(store, clock, QUICK).set_disabled("carol", True)


async def test_a_disabled_operator_is_known_disabled_and_their_sessions_end(store, clock):
    operators, sessions = Operators(store, clock, QUICK), WebSessions(store, clock)
    await operators.add("alice", PASSWORD)
    session_id, _ = await sessions.start("alice")
    assert (await operators.set_disabled("alice", True)).disabled
    assert (await operators.get("alice")).disabled
    assert await sessions.find(session_id) is None
    assert not (await operators.set_disabled("alice", False)).disabled


async def test_a_new_password_replaces_the_old_and_ends_open_sessions(store, clock):
    operators, sessions = Operators(store, clock, QUICK), WebSessions(store, clock)
    await operators.add("alice", PASSWORD)
    await operators.add("bob", PASSWORD)
    alices, _ = await sessions.start("alice")
    bobs, _ = await sessions.start("bob")
    await operators.set_password("alice", "a brand new passphrase")
    assert await operators.authenticate("alice", PASSWORD) is None
    assert await operators.authenticate("alice", "a brand new passphrase") is not None
    assert await sessions.find(alices) is None
    assert await sessions.find(bobs) is not None


async def test_a_hash_made_with_older_parameters_is_replaced_at_sign_in(store, clock):
    await Operators(store, clock, QUICK).add("alice", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert await Operators(store, clock, stronger).authenticate("alice", PASSWORD) is not None
    rehashed = (await store.records.get(NAMESPACE, "alice"))["password_hash"]
    assert not stronger.check_needs_rehash(rehashed)
    assert await Operators(store, clock, stronger).authenticate("alice", PASSWORD) is not None


async def test_an_unknown_name_costs_a_verification_as_a_wrong_password_does(store, clock):
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    operators = Operators(store, clock, hasher)
    await operators.add("alice", PASSWORD)
    CountingHasher.verified = 0
    assert await operators.authenticate("alice", "a wrong password") is None
    assert await operators.authenticate("mallory", "a wrong password") is None
    assert await operators.authenticate("not a valid name!", "a wrong password") is None
    assert CountingHasher.verified == 3


async def test_a_rehash_at_sign_in_never_undoes_a_disable_made_meanwhile(store, clock):
    await Operators(store, clock, QUICK).add("alice", PASSWORD)

    async def disable_elsewhere():
        await Operators(store, clock, QUICK).set_disabled("alice", True)

    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    racing = Operators(OvertakenReads(store, "alice", disable_elsewhere), clock, stronger)
    await racing.authenticate("alice", PASSWORD)
    assert (await Operators(store, clock, QUICK).get("alice")).disabled


async def test_a_new_password_and_a_disable_at_once_both_hold(store, clock):
    await Operators(store, clock, QUICK).add("alice", PASSWORD)

    async def disable_elsewhere():
        await Operators(store, clock, QUICK).set_disabled("alice", True)

    racing = Operators(OvertakenReads(store, "alice", disable_elsewhere), clock, QUICK)
    await racing.set_password("alice", "a brand new passphrase")
    operators = Operators(store, clock, QUICK)
    assert (await operators.get("alice")).disabled
    assert await operators.authenticate("alice", "a brand new passphrase") is not None


class PeakHasher(PasswordHasher):
    """Notes how many verifications run at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.running, self.peak, self._lock = 0, 0, threading.Lock()

    def verify(self, hash, password):  # noqa: A002  (argon2's own parameter name)
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        time.sleep(0.02)  # long enough for verifications to overlap if they may
        with self._lock:
            self.running -= 1
        return super().verify(hash, password)


async def test_a_flood_of_sign_ins_hashes_two_at_a_time(store, clock):
    """argon2 takes 64 MiB a hash: a hundred sign-ins at once must not take 6.4 GB."""
    hasher = PeakHasher()
    operators = Operators(store, clock, hasher)
    await operators.add("alice", PASSWORD)
    await asyncio.gather(*(operators.authenticate("alice", "a wrong password") for _ in range(12)))
    assert hasher.peak == HASHING_AT_ONCE == 2
