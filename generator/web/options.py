"""What the page offers, and the one seam through which a choice reaches the library.

Documents are what render.catalogue lists (`speechgen templates`): every template
whose kind the library can make, built-in or the working folder's, so a new
occasion appears on the page as soon as its template exists. A choice on the page
becomes keyword arguments for pipeline.speech / pipeline.notice / batch.scorecards,
built here and nowhere else (render_options), the same arguments the CLI passes.

Formats: .docx always; PDF when LibreOffice is installed (writers/pdf.py). Versions:
the full text, a draft with 【待补】 placeholders, the public version with figures as X
(VERSIONS, the CLI's --draft / --redact).
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from generator import limits
from generator.render import catalogue

KINDS = ("speech", "notice", "scorecard")  # what work.make can make, by the template's kind

# A version of a document → (label on the page, the library's run mode: audit.session's
# draft / redact, as the CLI's --draft / --redact give it).
VERSIONS: dict[str, tuple[str, dict]] = {
    "full": ("正式稿", {}),
    "draft": ("草稿（数据未齐时用【待补】占位）", {"draft": True}),
    "public": ("公开稿（数字以X代替）", {"redact": True}),
}
FORMAT_LABELS = {"docx": "Word 文档（.docx）", "pdf": "PDF"}
MAX_MAPPING_BYTES = 64 * 1024  # a mapping is a few lines; anything larger is not one


class Refused(Exception):
    """A form value the page never offered (a stale page, or a hand-made request)."""


def documents() -> list[catalogue.Entry]:
    """The templates the page offers, in the order `speechgen templates` lists them."""
    return [e for e in catalogue.entries() if e.kind in KINDS]


def pdf_available() -> bool:
    from generator.writers import pdf

    try:
        pdf.soffice()
    except pdf.PdfError:
        return False
    return True


def formats() -> list[str]:
    return ["docx"] + (["pdf"] if pdf_available() else [])


def mappings(folder: Path) -> dict[str, Path]:
    """The mapping files in the working folder (the IT contact puts them there), by file name.

    A mapping is a small YAML file with name_column and indicators at its top; the rest
    is checked when it is used, against its own lines. Each file is read once while it
    stays the same: an indicators.yaml of megabytes beside them is never parsed here.
    """
    found = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            info = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_MAPPING_BYTES and \
                _is_mapping(str(path), info.st_mtime_ns, info.st_size):
            found[path.name] = path
    return found


@lru_cache(maxsize=256)
def _is_mapping(path: str, mtime_ns: int, size: int) -> bool:
    try:
        data = yaml.safe_load(Path(path).read_bytes())
    except (OSError, yaml.YAMLError, ValueError):
        return False
    return isinstance(data, dict) and "name_column" in data and "indicators" in data


@dataclass(frozen=True)
class Choice:
    """What the user asked for, checked against what the page offered."""

    entry: catalogue.Entry
    towns: tuple[str, ...]  # scorecards: the chosen townships; () for all
    options: dict  # keyword arguments for the library: fmt, reference, a version's own


def choose(form, townships: list[str], reference: Path | None) -> Choice:
    """The form's choice, or Refused. Only names the page listed are taken."""
    entries = {e.name: e for e in documents()}
    entry = entries.get(form.get("template", ""))
    if entry is None:
        raise Refused("请选择要生成的文稿。")
    fmt = form.get("format", "docx")
    if fmt not in formats():
        raise Refused("不支持该输出格式。")
    towns: tuple[str, ...] = ()
    if entry.kind == "scorecard":
        known = set(townships)
        towns = tuple(t for t in form.getlist("town") if t in known)
        if len(towns) != len(form.getlist("town")):
            raise Refused("所选乡镇不在上传的数据中，请刷新页面后重选。")
    return Choice(entry, towns, render_options(fmt, reference, form.get("version", "")))


def render_options(fmt: str, reference: Path | None, version: str = "") -> dict:
    """The keyword arguments a document is made with, as the CLI's options give them."""
    options: dict = {"fmt": fmt}
    if reference is not None:
        options["reference"] = str(reference)
    version = version or next(iter(VERSIONS))  # the page checks the first one
    if version not in VERSIONS:
        raise Refused("请选择文稿版本。")
    options.update(VERSIONS[version][1])
    return options


def upload_limit(megabytes: int) -> int:
    """Bytes a request may carry: the upload and the form around it, never past what the
    readers take from a workbook (limits.MAX_INFLATED)."""
    return min(megabytes * 1024 * 1024, limits.MAX_INFLATED) + 64 * 1024
