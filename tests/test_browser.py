"""`speechgen serve` in a real browser: Debian's chromium, headless, driven by selenium.

The server is the real command (`python -m generator serve --port 0`) in a working
folder made by `speechgen init`; the browser uploads files through the page's own
form, reads what the page shows, downloads the notice and the test reads that file
back with python-docx. Screenshots are saved in the test's temporary folder.
Skipped, saying why, where chromium or its driver is not installed (CI has both).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest

from generator import workspace

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="chromium and chromium-driver are not installed "
                                       "(apt-get install chromium chromium-driver; .ci/run does)")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN")
NOTICE = "青山县_2024-Q2_通报.docx"


def first_line(proc, seconds: float = 30.0) -> str:
    """The first line the server prints, or "" if it prints none in time (never a hung test)."""
    import select

    readable, _, _ = select.select([proc.stdout], [], [], seconds)
    return proc.stdout.readline() if readable else ""



@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    names = ("office", "tmp", "downloads", "profile", "screenshots")
    paths = {name: base / name for name in names}
    for name, path in paths.items():
        if name != "office":
            path.mkdir()
    workspace.create(paths["office"])
    return paths


class Server:
    """The real command on a free loopback port, in the working folder."""

    def __init__(self, folders):
        env = {**os.environ, "TMPDIR": str(folders["tmp"]), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"],
                                     cwd=folders["office"], env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = first_line(self.proc)
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            self.proc.kill()
            pytest.fail(f"serve printed no address: {line!r} {self.proc.stderr.read()}")
        self.address = found[0]
        self.log = None

    def stop(self) -> str:
        """Stop it as a service manager would (SIGTERM); what it logged."""
        if self.log is None:
            self.proc.send_signal(signal.SIGTERM)
            _, self.log = self.proc.communicate(timeout=20)
        return self.log


@pytest.fixture(scope="module")
def server(folders):
    running = Server(folders)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser(folders):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={folders['profile']}")  # a fresh profile
    options.add_experimental_option("prefs", {"download.default_directory": str(folders["downloads"]),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait_for(driver, css, seconds=20):
    return WebDriverWait(driver, seconds).until(ready.presence_of_element_located((By.CSS_SELECTOR, css)))


def shoot(driver, folders, name):
    """A screenshot of the whole page (the window grown to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 600), 6000))
    path = folders["screenshots"] / f"{name}.png"
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)
    assert path.stat().st_size > 10_000
    return path


def upload(driver, address, path):
    driver.get(address)
    driver.find_element(By.ID, "data").send_keys(str(path))
    driver.find_element(By.ID, "upload").click()


def test_a_broken_file_shows_its_line_and_key(browser, server, folders, tmp_path):
    address = server.address
    bad = tmp_path / "二季度数据.yaml"
    text = (ROOT / "indicators.yaml").read_text("utf-8")
    bad.write_text(text.replace("growth: 4.2", "growth: 四点二", 1), "utf-8")
    line = next(n for n, t in enumerate(bad.read_text("utf-8").splitlines(), 1) if "四点二" in t)
    upload(browser, address, bad)
    wait_for(browser, "#problems")
    where = browser.find_element(By.CSS_SELECTOR, ".problem .where").text
    assert where == f"二季度数据.yaml · 第{line}行 · indicators.gdp.growth"
    assert browser.find_element(By.CSS_SELECTOR, ".problem .message").text == '应为数字，实际为"四点二"'
    marked = browser.find_element(By.CSS_SELECTOR, "td.bad")
    assert marked.text.strip() == "growth: 四点二"
    # The marked line is drawn differently from its neighbours, as the user sees it.
    plain = browser.find_element(By.CSS_SELECTOR, "table.excerpt tr:not(.bad-row) td")
    assert marked.value_of_css_property("background-color") != plain.value_of_css_property("background-color")
    shoot(browser, folders, "1-validation-error")


def test_a_bad_cell_of_a_bureau_sheet_is_shown_marked_in_its_rows(browser, server, folders, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(folders["office"] / "townships_2024Q2.xlsx")
    book["乡镇指标"]["D7"] = "一万二"
    bad = tmp_path / "乡镇指标二季度.xlsx"
    book.save(bad)
    browser.get(server.address)
    assert [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#mapping option")] == ["mapping.yaml"]
    upload(browser, server.address, bad)
    wait_for(browser, "#problems")
    assert browser.find_element(By.CSS_SELECTOR, ".problem .where").text == \
        "乡镇指标二季度.xlsx · 工作表“乡镇指标” · D7单元格"
    marked = browser.find_element(By.CSS_SELECTOR, "td.bad")
    assert marked.text == "一万二"
    row = marked.find_element(By.XPATH, "..")
    assert row.find_element(By.TAG_NAME, "th").text == "7"
    neighbour = row.find_elements(By.TAG_NAME, "td")[2]
    assert marked.value_of_css_property("background-color") != neighbour.value_of_css_property("background-color")
    shoot(browser, folders, "4-sheet-error")


def test_upload_generate_preview_and_download_the_notice(browser, server, folders):
    address = server.address
    upload(browser, address, ROOT / "indicators.yaml")
    summary = wait_for(browser, "#summary").text
    assert "indicators.yaml" in summary and "15个乡镇" in summary
    shoot(browser, folders, "2-document-picker")
    browser.find_element(By.CSS_SELECTOR, "input[name=template][value=quarterly_notice]").click()
    browser.find_element(By.ID, "make").click()
    wait_for(browser, "#preview")
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#preview .doc-heading")]
    assert headings[:2] == ["一、总体情况", "二、比拼排名"]
    chart = browser.find_element(By.CSS_SELECTOR, "#preview figure img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart) > 500
    shoot(browser, folders, "3-notice-preview")

    browser.find_element(By.ID, "download").click()
    target = folders["downloads"] / NOTICE
    deadline = time.monotonic() + 20

    def partial() -> bool:  # Chrome's .crdownload is gone only once the file is whole
        return any(p.suffix == ".crdownload" for p in folders["downloads"].iterdir())

    while (not target.exists() or partial()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert target.exists(), sorted(p.name for p in folders["downloads"].iterdir())
    assert sorted(p.name for p in folders["downloads"].iterdir()) == [NOTICE]  # the Chinese name, whole
    paragraphs = [p for p in docx.Document(target).paragraphs if p.text.strip()]
    assert paragraphs[0].text == "中共青山县委办公室"
    assert [p.text for p in paragraphs if p.style.name.startswith("Heading")] == headings


def test_the_server_logged_each_request_and_left_nothing(server, folders):
    """Runs last: stops the server and reads its log."""
    log = server.stop()
    assert server.proc.returncode == 0
    assert re.search(r'127\.0\.0\.1 "POST /upload" 303 \d+ \d+ms', log)
    assert re.search(r'"GET /d/[\w-]{22}/r/1/file" 200', log)
    assert "Traceback" not in log
    assert list(folders["tmp"].iterdir()) == []  # every upload removed at shutdown
