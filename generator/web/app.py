"""The Flask application: upload, check, choose, preview, download.

Pages are plain HTML forms (no script), rendered from the templates beside this
file; every piece of work goes through work.Runner to the library. Each browser
gets a random owner id in its signed session cookie, and an upload is found only
with its owner's cookie. With a password (serve --password-file) every page but
the login asks for it first.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, g, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from generator.web import options as offer
from generator.web.problems import Files, Problem
from generator.web.store import Store, StoreFull, Upload
from generator.web.store import Result as Made
from generator.web.work import Busy, Runner

log = logging.getLogger("speechgen.web")
HERE = Path(__file__).resolve().parent


def shown_name(filename: str) -> str:
    """The name of the user's file, for the page only (it is never a path here): its last
    part, without control or bidi characters that could disguise it, and not too long."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    return name if len(name) <= 120 else name[:100] + "…" + name[-19:]


@dataclass
class Settings:
    folder: Path  # the working folder: its speech_templates/ and mapping files
    password: str | None = None
    reference: Path | None = None  # serve --reference-doc: the office's styles
    keep_seconds: float = 3600.0  # an upload unused this long is removed
    max_upload_mb: int = 20
    workers: int = 2  # documents made at once
    job_seconds: float | None = None  # None: work.JOB_SECONDS


def create_app(settings: Settings) -> Flask:
    app = Flask("generator.web", template_folder=str(HERE / "templates"),
                static_folder=str(HERE / "static"))
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # sessions end with the server, as uploads do
        MAX_CONTENT_LENGTH=offer.upload_limit(settings.max_upload_mb),
        # Cookies do not tell ports apart: a second server on this machine must not replace ours.
        SESSION_COOKIE_NAME=f"speechgen-{secrets.token_hex(4)}",
        SESSION_COOKIE_SAMESITE="Lax",  # no other site's page can post a form with it
        SESSION_COOKIE_HTTPONLY=True,
        TEMPLATES_AUTO_RELOAD=False,
    )
    store = Store(settings.keep_seconds)
    runner = Runner(settings.folder, settings.workers,
                    **({"seconds": settings.job_seconds} if settings.job_seconds else {}))
    app.extensions["speechgen"] = {"store": store, "runner": runner, "settings": settings}
    password = (hashlib.sha256(settings.password.encode("utf-8")).digest()
                if settings.password else None)

    # --- every request ----------------------------------------------------------------------

    @app.before_request
    def begin():
        g.started = time.perf_counter()
        if request.method == "POST" and not _same_origin():
            abort(403)
        if password is not None and not session.get("signed_in") and request.endpoint not in (
                "login", "login_post", "static"):
            return redirect(url_for("login"))
        if "owner" not in session:
            session["owner"] = secrets.token_urlsafe(16)
        return None

    @app.after_request
    def finish(response):
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; script-src 'none'; "
                                    "object-src 'none'; frame-ancestors 'none'; form-action 'self'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"  # no-referrer would make the Origin of a form "null"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        log.info('%s "%s %s" %s %s %.0fms', request.remote_addr, request.method, request.path,
                 response.status_code, response.content_length if response.content_length is not None
                 else "-", took)
        return response

    def _same_origin() -> bool:
        origin = request.headers.get("Origin")
        return origin is None or origin == request.host_url.rstrip("/")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, RequestEntityTooLarge):
            return index_page([Problem("上传的文件", f"文件过大：网页上传不能超过{settings.max_upload_mb} MB。")],
                              status=413)
        messages = {403: "该请求来自其他网站，已拒绝。",
                    404: "没有找到这个页面。上传的文件可能已过期被清除，请重新上传。",
                    405: "不支持这种请求方式。",
                    503: "服务器正忙（同时处理的文件过多），请稍后再试。"}
        return render_template("error.html", message=messages.get(exc.code, "请求无法处理。"),
                               code=exc.code), exc.code

    @app.errorhandler(Exception)
    def bug(exc: Exception):
        log.exception("internal error on %s %s", request.method, request.path)
        return render_template("error.html", message="程序内部错误，已记录在服务器的窗口中，请告知管理员。",
                               code=500), 500

    # --- pages --------------------------------------------------------------------------------

    def owner() -> str:
        return session["owner"]

    def index_page(problems=(), status=200, name: str = ""):
        return render_template("index.html", problems=problems, name=name,
                               mappings=list(offer.mappings(settings.folder)),
                               keep_minutes=round(settings.keep_seconds / 60),
                               max_mb=settings.max_upload_mb), status

    def upload_of(token: str) -> Upload:
        upload = store.get(token, owner())
        if upload is None:
            abort(404)
        return upload

    def data_page(upload: Upload, problems=(), failed: str = "", status=200):
        return render_template("data.html", upload=upload, summary=upload.summary,
                               documents=offer.documents(), formats=offer.formats(),
                               format_labels=offer.FORMAT_LABELS, versions=offer.VERSIONS,
                               problems=problems,
                               failed=failed), status

    def run(*args):
        try:
            return runner.run(*args)
        except Busy:
            abort(503)

    @app.get("/login")
    def login():
        return render_template("login.html", wrong=False)

    @app.post("/login")
    def login_post():
        given = hashlib.sha256(request.form.get("password", "").encode("utf-8")).digest()
        if password is None or secrets.compare_digest(given, password):
            session["signed_in"] = True
            return redirect(url_for("index"), 303)
        log.warning("wrong password from %s", request.remote_addr)
        return render_template("login.html", wrong=True), 403

    @app.get("/")
    def index():
        return index_page()

    @app.post("/upload")
    def upload():
        sent = request.files.get("data")
        if sent is None or not sent.filename:
            return index_page([Problem("", "请选择要上传的数据文件。")], 400)
        name = shown_name(sent.filename)
        suffix = Store.suffix(name)
        if suffix is None:
            return index_page([Problem(name, "只能上传 indicators.yaml（.yaml）或统计表（.xlsx、.csv）。")],
                              400, name)
        mapping, mapping_name = None, ""
        if suffix not in (".yaml", ".yml"):
            found = offer.mappings(settings.folder)
            mapping_name = request.form.get("mapping", "")
            if mapping_name not in found:
                message = ("请选择与该统计表对应的映射文件。" if found else
                           "工作文件夹中没有映射文件（mapping.yaml），无法读取统计表，请联系管理员。")
                return index_page([Problem(name, message)], 400, name)
            mapping = found[mapping_name]
        try:
            made = store.add(owner(), name, suffix, sent.read(), mapping, mapping_name)
        except StoreFull:
            abort(503)
        try:
            with store.working(made):
                outcome = run("validate", Files(made.stored, name, mapping, mapping_name))
        except HTTPException:  # busy: nothing of this upload is kept
            store.remove(made)
            raise
        if not outcome.ok:
            store.remove(made)
            problems = outcome.problems or [Problem(name, outcome.failed)]
            return index_page(problems, 422, name)
        made.summary = outcome.value
        return redirect(url_for("data", token=made.token), 303)

    @app.get("/d/<token>")
    def data(token: str):
        return data_page(upload_of(token))

    @app.post("/d/<token>/make")
    def make(token: str):
        upload = upload_of(token)
        try:
            choice = offer.choose(request.form, upload.summary["townships"], settings.reference)
        except offer.Refused as exc:
            return data_page(upload, failed=str(exc), status=400)
        out = upload.next_folder()
        files = Files(upload.stored, upload.name, upload.mapping, upload.mapping_name)
        with store.working(upload):
            outcome = run("make", files, choice.entry.kind, choice.entry.name, choice.towns,
                          choice.options, out)
        if not outcome.ok:
            return data_page(upload, outcome.problems, outcome.failed, 422)
        value = outcome.value
        label = choice.entry.description or choice.entry.kind_zh
        made = Made(len(upload.results) + 1, label, Path(value["file"]), value["download_name"],
                    value["preview"], value["note"])
        upload.results.append(made)
        return redirect(url_for("result", token=token, number=made.number), 303)

    @app.get("/d/<token>/r/<int:number>")
    def result(token: str, number: int):
        upload = upload_of(token)
        made = upload.result(number)
        if made is None:
            abort(404)
        return render_template("result.html", upload=upload, made=made)

    @app.get("/d/<token>/r/<int:number>/file")
    def download(token: str, number: int):
        upload = upload_of(token)
        made = upload.result(number)
        if made is None or not made.file.is_file():
            abort(404)
        # Werkzeug writes filename="<ASCII>" and filename*=UTF-8''<the name> (RFC 5987): the
        # browser saves 青山县_2024-Q2_通报.docx as it is called.
        return send_file(made.file, as_attachment=True, download_name=made.download_name,
                         max_age=0)

    return app
