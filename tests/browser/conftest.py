"""A real browser for the pages' tests: Debian's headless Chromium driven by Selenium through
its chromedriver (`.ci/run` installs both). Without them these tests skip, saying why. A
failing test leaves screenshots at phone and desktop widths in its tmp_path: of the page each
browser was on, and of every page a test named in the browser's `screens` (such as the
console's inbox and conversation)."""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.gateway.test_cli import free_port, run_gateway, wait_for_health

WIDTHS = (390, 1280)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _chromium():
    chromedriver, chromium = shutil.which("chromedriver"), shutil.which("chromium")
    if chromedriver is None or chromium is None:
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.screens = {}
    return driver


def _screenshots(driver, folder, prefix: str) -> None:
    from selenium.common.exceptions import WebDriverException

    pages = {"page": None} | driver.screens
    for name, url in pages.items():
        try:
            if url is not None:
                driver.get(url)
        except WebDriverException as error:
            print(f"no screenshot of {name}: {error.msg}")
            continue
        for width in WIDTHS:
            driver.set_window_size(width, 900)
            driver.save_screenshot(str(folder / f"{prefix}{name}-{width}px.png"))
    print(f"screenshots in {folder}")


def _window(request: pytest.FixtureRequest, folder, prefix: str) -> Iterator:
    driver = _chromium()
    try:
        yield driver
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            _screenshots(driver, folder, prefix)
    finally:
        driver.quit()


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path) -> Iterator:
    """A headless Chromium window, 1280 px wide; a test may name pages to capture on failure in
    its `screens` ({"inbox": url})."""
    yield from _window(request, tmp_path, "")


@pytest.fixture
def second_browser(request: pytest.FixtureRequest, tmp_path) -> Iterator:
    """Another window with its own cookies: a second person at the same time."""
    yield from _window(request, tmp_path, "second-")


@contextmanager
def simulator_gateway(cwd: Path) -> Iterator[str]:
    """`wa-gateway serve` with the simulator on the embedded default in `cwd`; its base URL."""
    port = free_port()
    process = run_gateway("serve", cwd=cwd, GATEWAY_PORT=str(port), GATEWAY_SIMULATOR="true")
    try:
        wait_for_health(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
