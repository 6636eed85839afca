"""Validation and documents for the page, each run in a process of its own.

The CLI's bounds on time and memory (limits.time_limit, limits.memory_bound) work
in a process's main thread, and the memory bound caps the whole process: in a
threaded server they would bind nothing, or every user at once. So each piece of
work runs in a child process, in its main thread, calling the library as the CLI
does; the server waits for it at most JOB_SECONDS and then ends it. A child on
Linux and macOS is forked from a small server process that has the library
imported already (multiprocessing's forkserver), so a document costs what the CLI
spends on it and not an interpreter's start; on Windows it is spawned.

What comes back is plain data: a summary, the file written and the preview's
HTML, or the problems as the page shows them (problems.py).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

from generator import batch, pipeline
from generator.errors import ENVIRONMENT_ERRNOS, SpeechgenError, os_error
from generator.output import write_output
from generator.web import preview
from generator.web.problems import Files, Problem, describe

log = logging.getLogger("speechgen.web")

JOB_SECONDS = 300.0  # a whole piece of work: thousands of scorecards fit well inside
WAIT_SECONDS = 30.0  # how long a request waits for a free worker before "busy"
# Imported once by the forkserver, so each child starts with them.
PRELOAD = ["generator.web.work", "generator.cli", "generator.sources.spreadsheet", "generator.writers.docx.body",
           "generator.writers.charts", "openpyxl", "matplotlib.pyplot"]


# --- the work itself (in the child) ------------------------------------------------------------

def validate(files: Files) -> dict:
    """Load and check the data as `speechgen validate` does; what the page says about it."""
    facts = pipeline.load_facts(files.data, files.mapping)
    meta, towns = facts["meta"], facts["townships"]
    return {"region": meta["region"], "period": meta["period_code"],
            "period_name": meta.get("period_name", ""), "indicators": len(facts["indicators"]),
            "townships": [u["name"] for u in towns["units"]] if towns else []}


def make(files: Files, kind: str, template: str, towns: tuple[str, ...], options: dict,
         out: Path) -> dict:
    """Write one document (or the scorecards and their .zip) into `out`, as the CLI would:
    the version (draft, public) is the library's run mode, a PDF the .docx converted."""
    from generator.audit import session

    options = dict(options)
    mode = {k: options.pop(k) for k in ("draft", "redact") if k in options}
    with session.session(**mode):
        if kind == "scorecard":
            written = batch.scorecards(files.data, out, template=template, only=list(towns) or None,
                                       archive=True, mapping=files.mapping, **options)
            archive = written[-1]
            facts = pipeline.load_facts(files.data, files.mapping)
            names = list(towns) or [u["name"] for u in facts["townships"]["units"]]
            doc = batch.scorecard(facts, names[0], template)
            return {"file": str(archive), "download_name": archive.name, "preview": preview.html(doc),
                    "note": f"共{len(names)}份成绩单，打包为一个 .zip 文件；以下是{names[0]}的预览。"}
        make_product = {"speech": pipeline.speech, "notice": pipeline.notice}[kind]
        as_pdf = options.get("fmt") == "pdf"
        product = make_product(files.data, template=template, mapping=files.mapping,
                               **{**options, "fmt": "docx" if as_pdf else options.get("fmt", "docx")})
    document = product.document
    if as_pdf:
        from generator.writers import pdf

        product = pdf.as_pdf(product)
    path = write_output(out / product.name, product.data)
    return {"file": str(path), "download_name": product.name, "preview": preview.html(document),
            "note": ""}


WORK = {"validate": validate, "make": make}


def _child(conn, folder: str, name: str, args: tuple) -> None:
    """The child's main thread: chdir to the working folder (its templates), do the work, reply."""
    try:
        os.chdir(folder)
        reply = ("ok", WORK[name](*args))
    except SpeechgenError as exc:
        reply = ("problems", describe(exc, args[0]))
    except MemoryError:
        reply = ("failed", "处理所需内存超出上限，文件可能过大或模板过于复杂。")
    except OSError as exc:
        if exc.errno not in ENVIRONMENT_ERRNOS:
            traceback.print_exc()
            reply = ("failed", "程序内部错误，已记录在服务器的窗口中，请告知管理员。")
        else:
            reply = ("problems", describe(os_error(exc, doing=("cannot continue", "无法继续")), args[0]))
    except Exception:  # noqa: BLE001 - a bug: the traceback goes to the server's console, not the page
        traceback.print_exc()
        reply = ("failed", "程序内部错误，已记录在服务器的窗口中，请告知管理员。")
    try:
        conn.send(reply)
    finally:
        conn.close()


# --- running it (in the server) ------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    value: dict | None = None
    problems: tuple[Problem, ...] = ()
    failed: str = ""  # a message for the page when the work itself failed

    @property
    def ok(self) -> bool:
        return self.value is not None


class Busy(Exception):
    """Every worker is taken and none came free in WAIT_SECONDS."""


class Runner:
    """Runs work in child processes, at most `workers` at once, each for at most `seconds`."""

    def __init__(self, folder: Path, workers: int = 2, seconds: float = JOB_SECONDS):
        self.folder = str(folder)
        self.seconds = seconds
        self._slots = threading.BoundedSemaphore(workers)
        self._children: set = set()
        self._lock = threading.Lock()
        if sys.platform != "win32" and "forkserver" in multiprocessing.get_all_start_methods():
            self._context = multiprocessing.get_context("forkserver")
            self._context.set_forkserver_preload(PRELOAD)
        else:
            self._context = multiprocessing.get_context("spawn")

    def run(self, name: str, *args) -> Outcome:
        if not self._slots.acquire(timeout=WAIT_SECONDS):
            raise Busy()
        try:
            return self._run(name, args)
        finally:
            self._slots.release()

    def _run(self, name: str, args: tuple) -> Outcome:
        receive, send = self._context.Pipe(duplex=False)
        child = self._context.Process(target=_child, args=(send, self.folder, name, args),
                                      name=f"speechgen-{name}")
        child.start()
        send.close()
        with self._lock:
            self._children.add(child)
        try:
            if not receive.poll(self.seconds):
                child.kill()
                log.warning("%s took longer than %g s and was stopped", name, self.seconds)
                return Outcome(failed=f"处理超过{self.seconds:g}秒仍未完成，已停止。文件可能过大，或模板过于复杂。")
            kind, value = receive.recv()
        except EOFError:  # the child died without a word (killed, out of memory at the system's hand)
            return Outcome(failed="处理过程意外中止，请重试；如果再次出现，请告知管理员。")
        finally:
            receive.close()
            child.join(5)
            if child.is_alive():
                child.kill()
                child.join()
            with self._lock:
                self._children.discard(child)
        if kind == "ok":
            return Outcome(value=value)
        if kind == "problems":
            return Outcome(problems=tuple(value))
        return Outcome(failed=value)

    def close(self) -> None:
        """Stop the work still running (at shutdown)."""
        with self._lock:
            children = list(self._children)
        for child in children:
            child.kill()
