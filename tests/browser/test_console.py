"""The operator console in real browsers, against a real `wa-gateway serve` with the
simulator: a contact asks for a person and appears live in two operators' inboxes; one takes
the conversation and replies, sees the reply delivered once the phone reports it, and hands it
back, while the other operator's page follows without a reload."""

import json
import urllib.request
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import simulator_gateway
from tests.gateway.test_cli import run_gateway

pytestmark = pytest.mark.slow

WAIT_SECONDS = 15
PHONE = "+15550001111"
PASSWORDS = {"alice": "correct horse battery", "bob": "staple paper clip"}


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """`wa-gateway serve` with the simulator and two operators, alice and bob; its base URL."""
    for name, password in PASSWORDS.items():
        adding = run_gateway("operators", "add", name, "--password-stdin", cwd=tmp_path)
        _, errors = adding.communicate(password + "\n", timeout=60)
        assert adding.returncode == 0, errors
    with simulator_gateway(tmp_path) as url:
        yield url


def post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def transcript(gateway: str) -> list[dict]:
    with urllib.request.urlopen(f"{gateway}/simulator/api/messages?phone=%2B15550001111", timeout=5) as response:
        return json.loads(response.read())["messages"]


def sign_in(browser, gateway: str, name: str) -> None:
    browser.get(f"{gateway}/console")
    browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(PASSWORDS[name])
    browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: browser.find_elements(By.ID, "inbox-list"))


def shows(browser, selector: str, words: str) -> bool:
    """Whether an element matching `selector` holds `words` now (the page swaps parts as it goes)."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].some(element => element.innerText.includes(arguments[1]))",
        selector,
        words,
    )


def until(browser, probe) -> None:
    WebDriverWait(browser, WAIT_SECONDS).until(lambda _: probe())


def never_reloaded(browser) -> bool:
    return browser.execute_script("return window.stillThisPage === true")


def test_a_handover_from_the_simulator_to_two_operators_consoles(gateway, browser, second_browser):
    # the gateway is asked for first so that it outlives the browsers, which capture its pages on failure
    alice, bob = browser, second_browser
    sign_in(alice, gateway, "alice")
    sign_in(bob, gateway, "bob")
    alice.screens = bob.screens = {"inbox": f"{gateway}/console"}
    for page in (alice, bob):
        page.execute_script("window.stillThisPage = true")

    post_json(f"{gateway}/simulator/api/messages", {"phone": PHONE, "text": "I want to talk to a person"})
    for page in (alice, bob):
        until(page, lambda page=page: shows(page, ".conversation-item.state-waiting", "waiting"))
        until(page, lambda page=page: shows(page, "#announcer", "waiting for a person"))
        assert never_reloaded(page)

    alice.find_element(By.CSS_SELECTOR, ".conversation-item.state-waiting a").click()
    conversation = alice.current_url
    alice.screens["conversation"] = bob.screens["conversation"] = conversation
    bob.get(conversation)
    for page in (alice, bob):
        page.execute_script("window.stillThisPage = true")
    alice.find_element(By.XPATH, "//button[normalize-space()='Take']").send_keys(Keys.ENTER)  # by keyboard
    until(alice, lambda: shows(alice, ".facts .state", "assigned to you"))
    assert alice.switch_to.active_element.get_attribute("id") == "conversation-heading"  # focus not lost
    until(bob, lambda: shows(bob, ".facts .state", "assigned to alice"))

    alice.find_element(By.ID, "reply-text").send_keys("Hello, this is Alice. How can I help?")
    alice.find_element(By.XPATH, "//button[normalize-space()='Send']").click()
    for page in (alice, bob):
        until(page, lambda page=page: shows(page, ".bubble.by-operator", "How can I help?"))
        until(page, lambda page=page: shows(page, ".bubble.by-operator .delivery", "sent"))

    reply = next(m for m in transcript(gateway) if m.get("text") == "Hello, this is Alice. How can I help?")
    post_json(
        f"{gateway}/simulator/api/messages",
        {"phone": PHONE, "message_id": reply["provider_message_id"], "status": "delivered"},
    )
    for page in (alice, bob):
        until(page, lambda page=page: shows(page, ".bubble.by-operator .delivery", "delivered"))

    alice.find_element(By.XPATH, "//button[normalize-space()='Hand back to the bot']").click()
    for page in (alice, bob):
        until(page, lambda page=page: shows(page, ".facts .state", "with the bot"))
        until(page, lambda page=page: shows(page, ".conversation-item", "with the bot"))
        assert never_reloaded(page)

    alice.set_window_size(390, 900)  # a phone: the conversation is a screen of its own
    assert not alice.find_element(By.ID, "inbox-heading").is_displayed()
    alice.find_element(By.CSS_SELECTOR, ".conversation-head .back").click()
    assert alice.find_element(By.ID, "inbox-heading").is_displayed()
