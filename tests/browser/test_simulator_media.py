"""Files on the simulator page in a real browser, against a real `wa-gateway serve` with the
installed plugins: the README's factory operator attaches a photo while reporting a defect and
the bot records it; the demo customer asks for an order's status and sees its chart inline."""

from collections.abc import Iterator
from io import BytesIO

import pytest
from PIL import Image, ImageDraw
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import simulator_gateway
from tests.browser.test_simulator_page import press, texts

pytestmark = pytest.mark.slow

WAIT_SECONDS = 20
STAFF = "%2B15550003333"


@pytest.fixture
def gateway(tmp_path) -> Iterator[str]:
    with simulator_gateway(tmp_path) as url:
        yield url


@pytest.fixture
def photo(tmp_path) -> str:
    """A photo of a cracked weld, as a phone's camera saves it."""
    picture = Image.new("RGB", (640, 480), (176, 176, 168))
    ImageDraw.Draw(picture).line([(60, 420), (320, 220), (600, 80)], fill=(30, 20, 20), width=10)
    out = BytesIO()
    picture.save(out, "JPEG")
    path = tmp_path / "weld-crack.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def say(browser, text: str) -> None:
    browser.find_element(By.ID, "text").send_keys(text, Keys.ENTER)


def pictures(browser, direction: str) -> list[dict]:
    """The pictures in the chat's bubbles of one direction that the browser loaded and drew."""
    return browser.execute_script(
        "return [...document.querySelectorAll(`#chat .bubble.${arguments[0]} .media img`)].map(img => "
        "({src: img.getAttribute('src'), width: img.naturalWidth, caption: img.closest('.bubble').innerText}))",
        direction,
    )


def offered(browser, title: str) -> bool:
    return any(title in text for text in texts(browser, "outbound"))


def test_a_photo_attached_while_reporting_a_defect_is_recorded_with_it(browser, gateway, photo):
    browser.get(f"{gateway}/simulator?phone={STAFF}")
    wait = WebDriverWait(browser, WAIT_SECONDS)
    say(browser, "hi")
    press(browser, "Quality")
    press(browser, "Report a defect")
    wait.until(lambda _: offered(browser, "order"))
    say(browser, "4412")
    press(browser, "Surface Finish")
    press(browser, "Medium")
    wait.until(lambda _: offered(browser, "Skip"))

    browser.find_element(By.ID, "file").send_keys(photo)
    assert "weld-crack.jpg" in browser.find_element(By.ID, "pending").text
    say(browser, "crack along the seam")

    wait.until(lambda _: any(picture["width"] == 640 for picture in pictures(browser, "inbound")))
    assert "crack along the seam" in pictures(browser, "inbound")[-1]["caption"]
    wait.until(lambda _: offered(browser, "Defect recorded as"))
    assert browser.find_element(By.ID, "error").text == ""

def test_an_order_status_comes_with_its_chart_inline(browser, gateway):
    browser.get(f"{gateway}/simulator")
    wait = WebDriverWait(browser, WAIT_SECONDS)
    say(browser, "order 4411")

    wait.until(lambda _: any(picture["width"] > 0 for picture in pictures(browser, "outbound")))
    [chart] = [picture for picture in pictures(browser, "outbound") if picture["width"] > 0]
    assert chart["src"].startswith("/simulator/api/media/") and "ORD-4411" in chart["caption"]
