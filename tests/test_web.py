"""`speechgen serve`: the page as a user meets it, through Flask's test client.

Each test reads what the page shows (lxml over the HTML) and what is downloaded
(python-docx, zipfile), and compares the downloads with what the CLI writes from
the same data: the page is the library behind a form, not a second pipeline.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import docx
import lxml.html
import pytest
from click.testing import CliRunner

from generator import workspace
from generator.cli import main
from generator.render import catalogue
from generator.web import options as offer
from generator.web.app import Settings, create_app

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "indicators.yaml"
NOTICE = "青山县_2024-Q2_通报.docx"


def first_line(proc, seconds: float = 30.0) -> str:
    """The first line the server prints, or "" if it prints none in time (never a hung test)."""
    import select

    readable, _, _ = select.select([proc.stdout], [], [], seconds)
    return proc.stdout.readline() if readable else ""



@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """A working folder as `speechgen init` makes it, as the current directory."""
    folder = tmp_path_factory.mktemp("web") / "office"
    workspace.create(folder)
    before = Path.cwd()
    os.chdir(folder)
    yield folder
    os.chdir(before)


def make_app(office, **settings):
    app = create_app(Settings(office, **settings))
    app.testing = False  # errors go through the page's handlers, as for a user
    return app


@pytest.fixture(scope="module")
def app(office):
    app = make_app(office)
    yield app
    app.extensions["speechgen"]["store"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def page(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def texts(tree, xpath):
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def upload(client, path=DATA, name=None, **form):
    with open(path, "rb") as fh:
        return client.post("/upload", data={"data": (fh, name or Path(path).name), **form})


@pytest.fixture(scope="module")
def uploaded(app):
    """One session that uploaded the bundled data, and its data page's address."""
    client = app.test_client()
    response = upload(client, name="青山县数据.yaml")
    assert response.status_code == 303, response.get_data(as_text=True)
    return client, response.location


@pytest.fixture(scope="module")
def notice(uploaded):
    client, data_page = uploaded
    made = client.post(data_page + "/make", data={"template": "quarterly_notice", "format": "docx"})
    assert made.status_code == 303, made.get_data(as_text=True)
    result = client.get(made.location)
    download = client.get(made.location + "/file")
    return made.location, result, download


def cli(*args, cwd):
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(before)
    assert result.exit_code == 0, result.stderr
    return result


# --- upload and validation ---------------------------------------------------------------------

def test_the_upload_page_offers_the_working_folders_mappings(client):
    tree = page(client.get("/"))
    assert tree.xpath("//input[@type='file'][@name='data']")
    assert texts(tree, "//select[@name='mapping']/option") == ["mapping.yaml"]


def test_a_valid_upload_leads_to_the_picker_of_every_listed_template(uploaded, office):
    client, data_page = uploaded
    tree = page(client.get(data_page))
    summary = texts(tree, "//section[@id='summary']")[0]
    assert "青山县数据.yaml" in summary and "青山县" in summary and "15个乡镇" in summary
    offered = tree.xpath("//input[@name='template']/@value")
    listed = [e.name for e in catalogue.entries() if e.kind in ("speech", "notice", "scorecard")]
    assert offered == listed and {"quarterly_speech", "quarterly_notice", "township_scorecard"} <= set(offered)
    assert "_phrases" not in offered  # shared parts are not documents
    assert tree.xpath("//input[@name='town']/@value")[:2] and len(tree.xpath("//input[@name='town']")) == 15
    assert tree.xpath("//input[@name='format']/@value") == offer.formats()


def test_a_template_the_office_adds_is_offered_and_made(app, office):
    """A new occasion needs no change to the page: it is what `speechgen templates` lists."""
    source = (office / "speech_templates" / "quarterly_notice.md.j2").read_text("utf-8")
    added = office / "speech_templates" / "town_bulletin.md.j2"
    added.write_text(re.sub(r"description:[^-]*", "description: 乡镇简报（试用） ", source, count=1), "utf-8")
    try:
        client = app.test_client()
        data_page = upload(client).location
        tree = page(client.get(data_page))
        label = texts(tree, "//label[input[@value='town_bulletin']]")[0]
        assert "乡镇简报（试用）" in label and "工作文件夹中的模板" in label
        made = client.post(data_page + "/make", data={"template": "town_bulletin", "format": "docx"})
        assert made.status_code == 303
        assert "乡镇简报（试用）" in client.get(data_page).get_data(as_text=True)
    finally:
        added.unlink()


def test_a_broken_yaml_shows_line_key_and_the_lines_around(client, tmp_path, app):
    bad = tmp_path / "x.yaml"
    bad.write_text(DATA.read_text("utf-8").replace("growth: 4.2", "growth: 四点二", 1), "utf-8")
    line = next(n for n, text in enumerate(bad.read_text("utf-8").splitlines(), 1) if "四点二" in text)
    response = upload(client, bad, name="我的数据.yaml")
    assert response.status_code == 422
    tree = page(response)
    assert texts(tree, "//li[@class='problem']/p[@class='where']") == [
        f"我的数据.yaml · 第{line}行 · indicators.gdp.growth"]
    assert texts(tree, "//li[@class='problem']/p[@class='message']") == ['应为数字，实际为"四点二"']
    numbers = [int(n) for n in tree.xpath("//table[contains(@class,'lines')]//th/text()")]
    assert numbers == list(range(line - 2, line + 3))
    assert texts(tree, "//td[@class='bad']") == ["growth: 四点二"]
    html = response.get_data(as_text=True)
    root = str(app.extensions["speechgen"]["store"].root)
    assert root not in html and "Traceback" not in html and "data.yaml" not in html
    assert len(app.extensions["speechgen"]["store"]) == len(list(Path(root).iterdir()))  # nothing kept


def test_several_problems_are_listed_each_with_its_place(client, tmp_path):
    bad = tmp_path / "x.yaml"
    text = DATA.read_text("utf-8").replace("growth: 4.2", "growth: 四点二", 1)
    bad.write_text(text.replace("rank: 28", "rank: 第28", 1), "utf-8")
    tree = page(upload(client, bad))
    places = texts(tree, "//p[@class='where']")
    assert len(places) == 2 and any("indicators.gdp.growth" in p for p in places)
    assert any("rank" in p for p in places)
    assert texts(tree, "//section[@id='problems']/h2") == ["发现2处问题，请修改后重新上传"]


def test_a_yaml_syntax_error_names_its_line(client, tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text("meta:\n  region: 青山县\n\tperiod: 2024-Q2\n", "utf-8")
    tree = page(upload(client, bad))
    assert texts(tree, "//p[@class='where']") == ["x.yaml · 第3行"]
    assert texts(tree, "//p[@class='message']") == ["使用了Tab缩进，请改用空格缩进"]
    assert texts(tree, "//td[@class='bad']") == ["period: 2024-Q2"]
    bad.write_text("meta:\n  region: 青山县\n  period: [2024-Q2\n", "utf-8")
    tree = page(upload(client, bad))
    assert texts(tree, "//p[@class='where']") == ["x.yaml · 第4行"]  # the list is still open at the end
    assert texts(tree, "//td[@class='bad']") == ["（文件末尾）"]


def test_a_bureau_sheet_is_read_through_the_chosen_mapping(client, office):
    response = upload(client, office / "townships_2024Q2.xlsx", name="二季度.xlsx", mapping="mapping.yaml")
    assert response.status_code == 303
    summary = texts(page(client.get(response.location)), "//section[@id='summary']")[0]
    assert "二季度.xlsx" in summary and "映射文件 mapping.yaml" in summary and "15个乡镇" in summary


def test_a_bad_cell_is_shown_in_its_rows_with_the_cell_marked(client, office, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(office / "townships_2024Q2.xlsx")
    book["乡镇指标"]["D7"] = "一万二"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    response = upload(client, bad, name="二季度.xlsx", mapping="mapping.yaml")
    assert response.status_code == 422
    tree = page(response)
    assert texts(tree, "//p[@class='where']") == ["二季度.xlsx · 工作表“乡镇指标” · D7单元格"]
    assert "应为数字" in texts(tree, "//p[@class='message']")[0]
    assert tree.xpath("//table[contains(@class,'cells')]//tbody/tr/th/text()") == ["5", "6", "7", "8", "9"]
    assert texts(tree, "//td[@class='bad']") == ["一万二"]
    assert texts(tree, "//tr[@class='bad-row']/td[2]") == ["南岭镇"]  # the row the cell is in
    assert texts(tree, "//th[@class='mark-col']") == ["D"]


def test_a_sheet_needs_a_mapping_and_other_files_are_refused(client, office):
    response = upload(client, office / "townships_2024Q2.xlsx", mapping="../../etc/passwd")
    assert response.status_code == 400
    assert texts(page(response), "//p[@class='message']") == ["请选择与该统计表对应的映射文件。"]
    response = upload(client, office / "reference.docx")
    assert response.status_code == 400
    assert "只能上传" in texts(page(response), "//p[@class='message']")[0]
    response = client.post("/upload", data={})
    assert texts(page(response), "//p[@class='message']") == ["请选择要上传的数据文件。"]


def test_an_upload_over_the_limit_is_refused_on_the_page(office):
    app = make_app(office, max_upload_mb=1)
    try:
        client = app.test_client()
        response = client.post("/upload", data={"data": (io.BytesIO(b"a: 1\n" * 300_000), "big.yaml")})
        assert response.status_code == 413
        assert texts(page(response), "//p[@class='message']") == ["文件过大：网页上传不能超过1 MB。"]
    finally:
        app.extensions["speechgen"]["store"].close()


# --- documents, preview and download -----------------------------------------------------------

def test_the_notice_preview_numbers_headings_as_the_docx_does(notice):
    _, result, download = notice
    tree = page(result)
    headings = texts(tree, "//section[@id='preview']//*[contains(@class,'doc-heading')]")
    word = docx.Document(io.BytesIO(download.data))
    in_word = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == in_word and headings[0] == "一、总体情况" and len(headings) >= 3
    # Word breaks the title between words (writers/docx/title_lines.py); the page lets it flow
    assert texts(tree, "//h2[@class='doc-title']") == [p.text.replace("\n", "") for p in word.paragraphs
                                                       if p.style.name == "Title"]
    assert texts(tree, "//p[@class='issuer']") == ["中共青山县委办公室"]
    table = tree.xpath("//section[@id='preview']//table[@class='doc-table']")[0]
    assert len(table.xpath(".//tbody/tr")) == 15  # the ranking, one row per township


def test_the_preview_shows_the_ranking_chart_the_docx_embeds(notice):
    import base64

    _, result, download = notice
    src = page(result).xpath("//section[@id='preview']//img/@src")
    assert len(src) == 1 and src[0].startswith("data:image/png;base64,")
    png = base64.b64decode(src[0].split(",", 1)[1])
    with zipfile.ZipFile(io.BytesIO(download.data)) as package:
        media = [package.read(n) for n in package.namelist() if n.startswith("word/media/")]
    assert png in media


def test_the_download_is_what_the_cli_writes_with_its_chinese_name(notice, office, tmp_path):
    _, _, download = notice
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(NOTICE)}" in disposition  # RFC 5987
    cli("notice", "--data", str(DATA), "--out", str(tmp_path), cwd=office)
    assert download.data == (tmp_path / NOTICE).read_bytes()


def test_the_speech_preview_and_download(uploaded, office, tmp_path):
    client, data_page = uploaded
    made = client.post(data_page + "/make", data={"template": "quarterly_speech", "format": "docx"})
    tree = page(client.get(made.location))
    assert texts(tree, "//p[@class='role-salutation']") == ["同志们："]
    levels = texts(tree, "//*[contains(@class,'level-1')]/span[@class='number']")
    assert levels == ["一、", "二、", "三、"][:len(levels)] and len(levels) >= 2
    download = client.get(made.location + "/file")
    cli("speech", "--data", str(DATA), "--out", str(tmp_path), cwd=office)
    assert download.data == (tmp_path / "青山县_2024-Q2_讲话.docx").read_bytes()
    assert quote("青山县_2024-Q2_讲话.docx") in download.headers["Content-Disposition"]


def test_scorecards_of_chosen_townships_come_as_one_zip(uploaded, office, tmp_path):
    client, data_page = uploaded
    made = client.post(data_page + "/make", data={"template": "township_scorecard", "format": "docx",
                                                  "town": ["东山镇", "西河镇"]})
    assert made.status_code == 303
    tree = page(client.get(made.location))
    assert "共2份成绩单" in texts(tree, "//p[@class='hint']")[0]
    assert "东山镇" in texts(tree, "//h2[@class='doc-title']")[0]
    download = client.get(made.location + "/file")
    assert quote("青山县_2024-Q2_成绩单.zip") in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.namelist() == ["青山县_2024-Q2_成绩单/东山镇.docx", "青山县_2024-Q2_成绩单/西河镇.docx"]
        card = docx.Document(io.BytesIO(archive.read(archive.namelist()[0])))
    assert any("东山镇" in p.text for p in card.paragraphs)
    cli("scorecards", "--data", str(DATA), "--out", str(tmp_path), "--only", "东山镇,西河镇", "--zip",
        cwd=office)
    assert download.data == (tmp_path / "青山县_2024-Q2_成绩单.zip").read_bytes()


def test_no_township_chosen_means_all_of_them(uploaded):
    client, data_page = uploaded
    made = client.post(data_page + "/make", data={"template": "township_scorecard", "format": "docx"})
    with zipfile.ZipFile(io.BytesIO(client.get(made.location + "/file").data)) as archive:
        assert len(archive.namelist()) == 15


def test_choices_the_page_never_offered_are_refused(uploaded):
    client, data_page = uploaded
    for form, message in [({"template": "../../../etc/passwd"}, "请选择要生成的文稿。"),
                          ({"template": "_phrases"}, "请选择要生成的文稿。"),
                          ({"template": "township_scorecard", "town": "不存在乡"}, "所选乡镇不在上传的数据中"),
                          ({"template": "quarterly_notice", "format": "exe"}, "不支持该输出格式。")]:
        response = client.post(data_page + "/make", data=form)
        assert response.status_code == 400
        assert message in texts(page(response), "//section[@id='problems']")[0]


def test_a_template_error_is_shown_by_file_and_line(app, office):
    broken = office / "speech_templates" / "broken_speech.md.j2"
    broken.write_text("{#- description: 坏模板 -#}\n---\nkind: speech\n---\n# 标题\n\n{{ meta.no_such_fact }}\n",
                      "utf-8")
    try:
        client = app.test_client()
        data_page = upload(client).location
        response = client.post(data_page + "/make", data={"template": "broken_speech"})
        assert response.status_code == 422
        tree = page(response)
        assert "broken_speech.md.j2" in texts(tree, "//p[@class='where']")[0]
        assert "Traceback" not in response.get_data(as_text=True)
    finally:
        broken.unlink()


def test_work_past_its_time_is_stopped_with_a_message(office):
    slow = office / "speech_templates" / "slow_speech.md.j2"
    slow.write_text("---\nkind: speech\n---\n# 标题\n\n{% for i in range(100000) %}{% for j in range(100000) %}"
                    "{% endfor %}{% endfor %}\n", "utf-8")
    app = make_app(office, job_seconds=0.8)
    try:
        client = app.test_client()
        data_page = upload(client).location
        started = time.monotonic()
        response = client.post(data_page + "/make", data={"template": "slow_speech"})
        assert time.monotonic() - started < 5
        assert response.status_code == 422
        assert "处理超过0.8秒仍未完成，已停止" in texts(page(response), "//section[@id='problems']")[0]
    finally:
        slow.unlink()
        app.extensions["speechgen"]["store"].close()


# --- two users, expiry, password -------------------------------------------------------------

def test_another_browser_never_sees_an_upload_or_its_files(app, notice, uploaded):
    result_page = notice[0]
    data_page = uploaded[1]
    stranger = app.test_client()
    for path in (data_page, result_page, result_page + "/file"):
        response = stranger.get(path)
        assert response.status_code == 404 and "没有找到" in response.get_data(as_text=True)
    assert stranger.post(data_page + "/make", data={"template": "quarterly_notice"}).status_code == 404
    owner = uploaded[0]
    for path in ("/d/..%2f..%2fetc", "/d/AAAAAAAAAAAAAAAAAAAAAA", "/d/" + "x" * 22 + "/r/1/file"):
        assert owner.get(path).status_code == 404


def test_two_users_at_once_each_get_their_own_document(app):
    """Two browsers upload different counties and make their notices at the same moment."""
    import threading

    district = ROOT / "tests" / "data" / "district_q3.yaml"
    got = {}

    def user(path):
        client = app.test_client()
        data_page = upload(client, path).location
        made = client.post(data_page + "/make", data={"template": "quarterly_notice"})
        got[path] = (client.get(made.location + "/file"), made.location)

    threads = [threading.Thread(target=user, args=(path,)) for path in (DATA, district)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    mine, theirs = got[DATA], got[district]
    assert quote(NOTICE) in mine[0].headers["Content-Disposition"]
    assert quote(NOTICE) not in theirs[0].headers["Content-Disposition"]
    first = [p.text for p in docx.Document(io.BytesIO(mine[0].data)).paragraphs if p.text.strip()]
    other = [p.text for p in docx.Document(io.BytesIO(theirs[0].data)).paragraphs if p.text.strip()]
    assert first[0] == "中共青山县委办公室" and other[0] != first[0]
    assert mine[1].split("/")[2] != theirs[1].split("/")[2]


def test_uploads_expire_and_nothing_is_left_at_shutdown(office):
    app = make_app(office, keep_seconds=60)
    store = app.extensions["speechgen"]["store"]
    client = app.test_client()
    data_page = upload(client).location
    upload_folder = store.root / data_page.rsplit("/", 1)[1]
    assert upload_folder.is_dir() and [p.name for p in upload_folder.iterdir()] == ["data.yaml"]
    assert store.expire(now=time.monotonic() + 30) == 0 and client.get(data_page).status_code == 200
    (made,) = store._uploads.values()
    with store.working(made):  # work still running on it: kept, whatever the time
        assert store.expire(now=time.monotonic() + 61) == 0
    assert store.expire(now=time.monotonic() + 61) == 1
    assert not upload_folder.exists() and client.get(data_page).status_code == 404
    upload(client)
    store.close()
    assert not store.root.exists()


def test_unused_uploads_are_removed_without_any_request(office):
    app = make_app(office, keep_seconds=0.2)
    store = app.extensions["speechgen"]["store"]
    stop = store.reap(every=0.05)
    try:
        data_page = upload(app.test_client()).location
        folder = store.root / data_page.rsplit("/", 1)[1]
        deadline = time.monotonic() + 5
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not folder.exists() and len(store) == 0
    finally:
        stop.set()
        store.close()


def test_a_document_the_data_cannot_make_says_why(app):
    client = app.test_client()
    data_page = upload(client, ROOT / "tests" / "data" / "minimal.yaml").location
    tree = page(client.get(data_page))
    assert "没有乡镇数据" in texts(tree, "//section[@id='summary']")[0]
    assert not tree.xpath("//input[@name='town']")
    response = client.post(data_page + "/make", data={"template": "quarterly_notice"})
    assert response.status_code == 422
    tree = page(response)
    assert texts(tree, "//p[@class='where']") == ["minimal.yaml · townships.units"]
    assert texts(tree, "//p[@class='message']") == ["模板quarterly_notice需要乡镇数据（townships.units），文件中没有"]


def test_a_password_guards_every_page_but_the_login(office):
    app = make_app(office, password="青山2024")
    try:
        client = app.test_client()
        response = client.get("/")
        assert response.status_code == 302 and response.location.endswith("/login")
        assert upload(client).status_code == 302
        wrong = client.post("/login", data={"password": "guess"})
        assert wrong.status_code == 403 and "密码不正确" in wrong.get_data(as_text=True)
        assert client.post("/login", data={"password": "青山2024"}).status_code == 303
        assert client.get("/").status_code == 200 and upload(client).status_code == 303
    finally:
        app.extensions["speechgen"]["store"].close()


def test_a_form_posted_from_another_site_is_refused(client):
    response = client.post("/upload", data={}, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_one_log_line_per_request_and_no_trace_on_the_page(client, caplog, monkeypatch):
    caplog.set_level("INFO", logger="speechgen.web")
    client.get("/")
    client.get("/static/style.css")
    lines = [r.getMessage() for r in caplog.records if r.name == "speechgen.web"]
    assert len(lines) == 2 and re.fullmatch(r'\S+ "GET /" 200 \d+ \d+ms', lines[0])
    monkeypatch.setattr(offer, "mappings", lambda folder: 1 / 0)
    response = client.get("/")
    assert response.status_code == 500
    assert "程序内部错误" in response.get_data(as_text=True)
    assert "ZeroDivisionError" not in response.get_data(as_text=True)


# --- what the page offers as the library grows ----------------------------------------------

def test_pdf_is_offered_only_where_the_library_and_libreoffice_can_write_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert offer.formats() == ["docx"]
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/soffice" if name == "soffice" else None)
    assert offer.formats() == ["docx", "pdf"]


def test_versions_pass_through_the_render_options(uploaded):
    assert offer.render_options("docx", None) == {"fmt": "docx"}  # the full text unless asked
    assert offer.render_options("docx", Path("/r.docx"), "public") == {"fmt": "docx", "reference": "/r.docx",
                                                                       "redact": True}
    assert offer.render_options("docx", None, "draft") == {"fmt": "docx", "draft": True}
    with pytest.raises(offer.Refused):
        offer.render_options("docx", None, "secret")
    client, data_page = uploaded
    tree = page(client.get(data_page))
    labels = texts(tree, "//label[input[@name='version']]")
    assert [l[:3] for l in labels] == ["正式稿", "草稿（", "公开稿"]


def test_the_public_version_is_what_the_cli_writes_with_redact(uploaded, office, tmp_path):
    client, data_page = uploaded
    made = client.post(data_page + "/make", data={"template": "quarterly_speech", "format": "docx",
                                                  "version": "public"})
    assert made.status_code == 303, made.get_data(as_text=True)
    download = client.get(made.location + "/file")
    cli("speech", "--data", str(DATA), "--out", str(tmp_path), "--redact", cwd=office)
    assert download.data == (tmp_path / "青山县_2024-Q2_讲话.docx").read_bytes()
    text = "".join(p.text for p in docx.Document(io.BytesIO(download.data)).paragraphs)
    assert "地区生产总值完成X亿元" in text and "156.3" not in text


# --- the command ------------------------------------------------------------------------------

def test_serve_prints_the_address_warns_when_opened_and_cleans_up(tmp_path, office):
    password = tmp_path / "password.txt"
    password.write_text("青山2024\n", "utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--host", "0.0.0.0", "--port", "0",
                             "--password-file", str(password)], cwd=office, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = first_line(proc)
        address = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert address, first
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{address[1]}/login", timeout=10) as response:
            assert "请输入密码" in response.read().decode("utf-8")
        assert [p.name[:14] for p in temp.iterdir()] == ["speechgen-web-"]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "warning: listening on 0.0.0.0" in err and "警告：已对网络开放" in err
    assert re.search(r'127\.0\.0\.1 "GET /login" 200', err)
    assert "已停止" in err and list(temp.iterdir()) == []


def test_serve_refuses_an_empty_password_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", "utf-8")
    result = CliRunner().invoke(main, ["serve", "--password-file", str(empty)])
    assert result.exit_code == 2
    assert "密码文件为空" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_reference_document_it_cannot_use(tmp_path):
    bad = tmp_path / "styles.docx"
    bad.write_bytes(b"not a zip")
    result = CliRunner().invoke(main, ["serve", "--reference-doc", str(bad)])
    assert result.exit_code == 2 and "styles.docx" in result.stderr and "Traceback" not in result.stderr


def test_the_users_file_name_is_shown_without_its_folders_or_hidden_characters(client):
    # Browsers send the bare name; an old one sent its folders too. (Werkzeug 3.1.9 reads a
    # backslash in the header as an escape, so the folders are written with slashes here.)
    response = upload(client, name="C:/Users/张三/桌面/二季度\u202e数据.yaml")
    summary = texts(page(client.get(response.location)), "//section[@id='summary']")[0]
    assert "二季度数据.yaml" in summary and "张三" not in summary and "\u202e" not in summary
