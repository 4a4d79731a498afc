"""Signing in and out of the console, the session cookie, and what the guard lets through."""

import logging

import pytest

from gateway.appkeys import STORE
from gateway.console import accounts
from gateway.console.accounts import NAMESPACE
from gateway.console.web_sessions import COOKIE
from tests.gateway.console.conftest import PASSWORD, csrf_of, operators, session_cookie, sign_in


async def test_pages_without_a_session_go_to_sign_in_and_come_back(console):
    response = await console.get("/console?state=waiting", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/console/signin?next=%2Fconsole%3Fstate%3Dwaiting"
    page = await (await console.get(response.headers["Location"])).text()
    assert 'name="next" value="/console?state=waiting"' in page
    signed_in = await sign_in(console, next="/console?state=waiting")
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/console?state=waiting"


async def test_the_sign_in_page_sends_a_signed_in_operator_on(console):
    await sign_in(console)
    response = await console.get("/console/signin?next=/console%3Fstate%3Dwaiting", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console?state=waiting"


@pytest.mark.parametrize("path", ["/console/api/conversations", "/console/events"])
async def test_the_consoles_json_and_events_answer_401_without_a_session(console, path):
    response = await console.get(path, allow_redirects=False)
    assert response.status == 401
    assert (await response.json())["error"]["message"] == "sign in to the console first"


@pytest.mark.parametrize(
    "target", ["https://evil.example/console", "//evil.example/console", "/simulator", "/consolex"]
)
async def test_only_console_paths_are_followed_after_sign_in(console, target):
    response = await sign_in(console, next=target)
    assert response.headers["Location"] == "/console"


async def test_the_cookie_is_httponly_samesite_and_for_the_console_only(console):
    cookie = (await sign_in(console)).cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/console"
    assert not cookie["secure"], "plain http on 127.0.0.1 would never send it back"
    page = await (await console.get("/console")).text()
    assert "Signed in as <strong>alice</strong>" in page and 'action="/console/signout"' in page


async def test_the_cookie_is_secure_when_the_console_is_reached_over_https(make_gateway):
    client = await make_gateway(public_url="https://gw.example.com")
    await operators(client).add("alice", PASSWORD)
    assert (await sign_in(client)).cookies[COOKIE]["secure"]


async def test_the_cookie_is_secure_behind_a_proxy_that_took_https(console):
    response = await console.post(
        "/console/signin",
        data={"name": "alice", "password": PASSWORD},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert response.cookies[COOKIE]["secure"]


async def test_a_wrong_password_and_an_unknown_name_read_the_same(console):
    wrong = await sign_in(console, "alice", "not the password")
    unknown = await sign_in(console, "mallory", "not the password")
    assert wrong.status == unknown.status == 401
    assert COOKIE not in wrong.cookies and COOKIE not in unknown.cookies
    wrong_page, unknown_page = await wrong.text(), await unknown.text()
    assert "Wrong name or password." in wrong_page
    assert wrong_page.replace("alice", "mallory") == unknown_page
    assert 'aria-describedby="signin-error"' in wrong_page and 'id="signin-error"' in wrong_page


async def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(console):
    session_id = session_cookie(await sign_in(console))
    response = await console.post("/console/signout", data={"csrf": await csrf_of(console)}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/console/signin"
    assert response.cookies[COOKIE].value == ""
    assert (await visit_with(console, session_id)).status == 302


async def test_signing_in_issues_a_new_id_and_ends_the_one_the_browser_carried(console):
    planted = "an-id-someone-planted-in-this-browser"
    first = session_cookie(await sign_in(console, headers={"Cookie": f"{COOKIE}={planted}"}))
    assert first != planted
    assert (await visit_with(console, planted)).status == 302
    second = session_cookie(await sign_in(console, headers={"Cookie": f"{COOKIE}={first}"}))
    assert second != first
    assert (await visit_with(console, first)).status == 302
    assert (await visit_with(console, second)).status == 200


async def visit_with(client, session_id: str):
    """The console page with this session id alone, as another browser holding a copy would ask."""
    client.session.cookie_jar.clear()
    return await client.get("/console", headers={"Cookie": f"{COOKIE}={session_id}"}, allow_redirects=False)


@pytest.mark.parametrize("token", [None, "forged-token", ""])
async def test_a_state_change_without_the_sessions_csrf_token_is_refused(console, token):
    await sign_in(console)
    data = {} if token is None else {"csrf": token}
    response = await console.post("/console/signout", data=data, allow_redirects=False)
    assert response.status == 403
    assert "did not carry the console&#39;s CSRF token for your session" in await response.text()
    assert (await console.get("/console", allow_redirects=False)).status == 200, "still signed in: nothing changed"


async def test_the_csrf_token_is_also_accepted_in_a_header(console):
    await sign_in(console)
    token = await csrf_of(console)
    assert (await console.post("/console/signout", headers={"X-CSRF-Token": "forged"})).status == 403
    response = await console.post("/console/signout", headers={"X-CSRF-Token": token}, allow_redirects=False)
    assert response.status == 303


async def test_another_operators_token_does_not_pass(console):
    await sign_in(console, "bob")
    bobs_token = await csrf_of(console)
    await sign_in(console, "alice")
    assert (await console.post("/console/signout", data={"csrf": bobs_token})).status == 403


async def test_a_sign_in_posted_from_another_site_is_refused(console):
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/login"}):
        response = await sign_in(console, headers=header)
        assert response.status == 403 and COOKIE not in response.cookies
        assert "did not come from the console&#39;s own page" in await response.text()
    own = f"http://{console.host}:{console.port}"
    assert (await sign_in(console, headers={"Origin": own})).status == 303


async def test_a_disabled_operators_open_session_stops_at_their_next_request(console):
    await sign_in(console)
    assert (await console.get("/console", allow_redirects=False)).status == 200
    await operators(console).set_disabled("alice", True)
    assert (await console.get("/console", allow_redirects=False)).status == 302
    assert (await console.get("/console/api/conversations")).status == 401
    refused = await sign_in(console)
    assert refused.status == 403 and "This account is disabled" in await refused.text()
    assert COOKIE not in refused.cookies


async def test_a_disabled_operators_session_stops_even_when_only_the_flag_changed(console):
    """Another process may have disabled them; the guard reads the account at every request."""
    await sign_in(console)
    document = await console.app[STORE].records.get(NAMESPACE, "alice")
    await console.app[STORE].records.put(NAMESPACE, "alice", document | {"disabled": True})
    assert (await console.get("/console", allow_redirects=False)).status == 302


async def test_the_session_expires_after_12_idle_hours_on_the_gateways_clock(console, clock):
    await sign_in(console)
    clock.advance(hours=11)
    assert (await console.get("/console", allow_redirects=False)).status == 200
    clock.advance(hours=12)
    assert (await console.get("/console", allow_redirects=False)).status == 302


async def test_no_session_id_or_csrf_token_reaches_the_logs(console, caplog):
    caplog.set_level(logging.DEBUG)
    response = await sign_in(console)
    session_id = session_cookie(response)
    token = await csrf_of(console)
    await console.post("/console/signout", data={"csrf": "forged"})
    await console.post("/console/signout", data={"csrf": token})
    await sign_in(console, "alice", "wrong password here")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "operator alice signed in" in logged and "operator alice signed out" in logged
    assert "console sign-in as alice from 127.0.0.1 failed" in logged
    assert session_id not in logged and token not in logged and PASSWORD not in logged


async def test_pages_are_neither_cached_nor_framed_and_run_only_the_consoles_own_scripts(console):
    await sign_in(console)
    response = await console.get("/console")
    assert response.headers["Cache-Control"] == "no-store"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


async def test_the_stylesheet_is_served_cacheable_under_its_hash(console):
    page = await (await console.get("/console/signin")).text()
    assert '<html lang="en">' in page and '<label for="name">' in page and '<label for="password">' in page
    href = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert href.startswith("/console/static/console.css?v=")
    response = await console.get(href)
    assert response.status == 200 and response.content_type == "text/css"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "prefers-color-scheme: dark" in await response.text()


async def test_the_hash_unknown_names_are_checked_against_is_made_at_start_up(make_gateway):
    """Else the first unknown name would take a hash longer than a wrong password, and tell."""
    accounts._dummy_hash.cache_clear()
    await make_gateway()
    assert accounts._dummy_hash.cache_info().currsize == 1
