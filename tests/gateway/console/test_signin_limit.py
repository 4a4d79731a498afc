"""Failed sign-ins are limited per name and per address through the store: across apps, on
the injected clock, on SQLite and the mongo adapter."""

from gateway.console.signin_limit import SigninLimit
from tests.adapters.storage.conftest import store  # noqa: F401  (SQLite and the mongo adapter, as the contract suite)
from tests.gateway.console.conftest import PASSWORD, operators, sign_in


async def test_five_failures_lock_the_name_out_for_15_minutes_even_with_the_right_password(console, clock):
    for _ in range(5):
        assert (await sign_in(console, "alice", "a wrong password")).status == 401
    locked = await sign_in(console, "alice", PASSWORD)
    assert locked.status == 429 and locked.headers["Retry-After"] == "900"
    assert "Too many failed sign-ins. Try again in 15 minutes." in await locked.text()
    clock.advance(minutes=14, seconds=59)
    assert (await sign_in(console, "alice", PASSWORD)).status == 429
    clock.advance(seconds=1)
    assert (await sign_in(console, "alice", PASSWORD)).status == 303


async def test_four_failures_still_let_the_right_password_in(console):
    for _ in range(4):
        await sign_in(console, "alice", "a wrong password")
    assert (await sign_in(console, "alice", PASSWORD)).status == 303


async def test_the_count_is_shared_by_every_process_on_the_store(make_gateway):
    first, second = await make_gateway(), await make_gateway()
    await operators(first).add("alice", PASSWORD)
    for client in (first, first, first, second, second):
        assert (await sign_in(client, "alice", "a wrong password")).status == 401
    assert (await sign_in(first, "alice", PASSWORD)).status == 429
    assert (await sign_in(second, "alice", PASSWORD)).status == 429


async def test_one_address_guessing_many_names_is_locked_out_and_others_are_not(console):
    guesser = {"X-Forwarded-For": "203.0.113.9"}
    for name in ("carol", "dave", "erin", "frank", "grace"):
        assert (await sign_in(console, name, "a wrong password", headers=guesser)).status == 401
    assert (await sign_in(console, "bob", PASSWORD, headers=guesser)).status == 429
    assert (await sign_in(console, "bob", PASSWORD, headers={"X-Forwarded-For": "198.51.100.7"})).status == 303


async def test_an_unknown_name_is_limited_like_a_known_one(console):
    for _ in range(5):
        await sign_in(console, "mallory", "a wrong password", headers={"X-Forwarded-For": f"192.0.2.{_}"})
    assert (await sign_in(console, "mallory", "a wrong password")).status == 429


async def test_the_limit_on_each_backend(store, clock):
    limit = SigninLimit(store, clock)
    for _ in range(4):
        await limit.failed("Alice", "192.0.2.1")
    assert await limit.retry_after("alice", "192.0.2.2") is None
    await limit.failed("alice", "192.0.2.3")
    assert await limit.retry_after("ALICE", "192.0.2.2") == 900
    clock.advance(minutes=10)
    assert await limit.retry_after("alice", "192.0.2.2") == 300
    clock.advance(minutes=5)
    assert await limit.retry_after("alice", "192.0.2.2") is None


async def test_behind_trusted_proxies_the_address_is_the_clients_whatever_it_prepends(make_gateway):
    client = await make_gateway(trusted_proxies="127.0.0.1,10.0.0.0/8")
    await operators(client).add("bob", PASSWORD)
    for forged in range(5):
        chain = f"6.6.6.{forged}, 198.51.100.7, 10.1.2.3"
        await sign_in(client, f"guess{forged}", "a wrong password", headers={"X-Forwarded-For": chain})
    locked = await sign_in(client, "bob", PASSWORD, headers={"X-Forwarded-For": "198.51.100.7, 10.1.2.3"})
    assert locked.status == 429
    another = await sign_in(client, "bob", PASSWORD, headers={"X-Forwarded-For": "192.0.2.1, 10.1.2.3"})
    assert another.status == 303


async def test_an_untrusted_peer_cannot_choose_its_address_with_the_header(make_gateway):
    client = await make_gateway(trusted_proxies="10.0.0.0/8")
    await operators(client).add("bob", PASSWORD)
    for forged in range(5):
        await sign_in(client, f"guess{forged}", "a wrong password", headers={"X-Forwarded-For": f"6.6.6.{forged}"})
    assert (await sign_in(client, "bob", PASSWORD, headers={"X-Forwarded-For": "192.0.2.1"})).status == 429
