"""The simulator page in a real browser, against a real `wa-gateway serve`: a contact greets
the bot, sees its menu as buttons, and presses one."""

from collections.abc import Iterator

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import simulator_gateway

pytestmark = pytest.mark.slow

WAIT_SECONDS = 15


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    """`wa-gateway serve` with the simulator, on the embedded default; its base URL."""
    with simulator_gateway(tmp_path) as url:
        yield url


def texts(browser, direction: str) -> list[str]:
    """The chat's bubbles in one direction, read at one instant: the page redraws the chat as
    messages arrive, so elements found earlier may be gone."""
    return browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(bubble => bubble.innerText)",
        f"#chat .bubble.{direction}",
    )


def options(browser) -> list[str]:
    """The buttons of the bot's last message."""
    return browser.execute_script(
        "const last = [...document.querySelectorAll('#chat .bubble.outbound')].pop();"
        "return last ? [...last.querySelectorAll('button')].map(button => button.innerText) : [];"
    )


def press(browser, title: str) -> None:
    """Click the option `title` as a person would, finding it again if the chat was redrawn."""
    path = f"//div[contains(@class, 'outbound')]//button[normalize-space()='{title}']"
    WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda _: browser.find_element(By.XPATH, path).click() or True
    )


def test_a_greeting_gets_the_menu_as_buttons_and_a_press_is_answered(browser, gateway):
    browser.get(f"{gateway}/simulator")
    assert "simulator, not WhatsApp" in browser.find_element(By.ID, "notice").text
    browser.find_element(By.ID, "text").send_keys("hi", Keys.ENTER)
    wait = WebDriverWait(browser, WAIT_SECONDS)
    wait.until(lambda _: options(browser))
    choice, answered = options(browser)[0], len(texts(browser, "outbound"))
    press(browser, choice)
    wait.until(lambda _: any(choice in text for text in texts(browser, "inbound")))
    wait.until(lambda _: len(texts(browser, "outbound")) > answered)
    assert texts(browser, "inbound")[0].startswith("hi")
