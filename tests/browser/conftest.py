"""A real browser for the pages' tests: Debian's headless Chromium driven by Selenium through
its chromedriver (`.ci/run` installs both). Without them these tests skip, saying why. A
failing test leaves screenshots of the page at phone and desktop widths in its tmp_path."""

import shutil
from collections.abc import Iterator

import pytest

WIDTHS = (390, 1280)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path) -> Iterator:
    """A headless Chromium window, 1280 px wide."""
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
    try:
        yield driver
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            for width in WIDTHS:
                driver.set_window_size(width, 900)
                driver.save_screenshot(str(tmp_path / f"page-{width}px.png"))
            print(f"screenshots in {tmp_path}")
    finally:
        driver.quit()
