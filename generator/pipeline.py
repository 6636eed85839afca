"""The pipeline as one library call per product, for the CLI and for tests.

data file → Dataset → facts → markup → Document → bytes. Each stage lives in
its own module; this one only connects them and names the results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from generator.planning import assessment as assessment_plan
from generator.planning import forum as forum_plan
from generator.planning import notice as notice_plan
from generator.planning import plenary as plenary_plan
from generator.planning import speech as speech_plan
from generator.sources import loader
from generator.facts import analysis
from generator.document import reader as blocks
from generator.sources import dataset
from generator.render import catalogue
from generator.render import sandbox as templating
from generator.writers import text as text_writer
from generator import limits
from generator.audit import figures
from generator.sources import pending
from generator.errors import DataError, TemplateError
from generator.document.model import Block, DocMeta, Document, PageBreak, Title
from generator.output import output_name

FORMATS = ("docx", "md", "txt")
LABELS = {"speech": "讲话", "notice": "通报", "scorecard": "成绩单"}
DEFAULT_TEMPLATES = {"speech": "quarterly_speech", "notice": "quarterly_notice",
                     "scorecard": "township_scorecard"}


@dataclass(frozen=True)
class Product:
    """One generated file, not yet written."""

    name: str  # file name, e.g. 青山县_2024-Q2_讲话.docx
    data: bytes
    # What was written, for a preview of the text (the web page): the same document, not a second render.
    document: Document | None = field(default=None, compare=False, repr=False)


def load_dataset(data_path: str | Path, mapping: str | Path | None = None) -> dataset.Dataset:
    """indicators.yaml, or a statistics bureau's spreadsheet read through a mapping file."""
    if mapping:
        from generator.sources import spreadsheet  # openpyxl only when a sheet is read

        return spreadsheet.load_dataset(data_path, mapping)
    if Path(data_path).suffix.lower() in (".xlsx", ".xlsm", ".csv"):
        raise DataError("a spreadsheet needs a mapping file: add --map mapping.yaml",
                        "读取表格需要映射文件：请加上 --map mapping.yaml", file=str(data_path))
    return loader.load(data_path)


def load_facts(data_path: str | Path, mapping: str | Path | None = None) -> dict:
    data = load_dataset(data_path, mapping)
    return pending.with_facts(analysis.analyse(data), data)  # 待补 figures, for drafts


def template_context(facts: dict) -> dict:
    """What every template sees: the facts, and the plan of what to say and how to frame it."""
    base = speech_plan.plan(facts)
    return {**facts, "plan": {**base, "notice": notice_plan.plan_notice(facts),
                              "plenary": plenary_plan.plan_plenary(facts, base),
                              "forum": forum_plan.plan_forum(facts, base)},
            # the assessment occasions (assessment_speech, commendation_notice); None without one
            "assessment_plan": assessment_plan.plan(facts)}


def file_label(template: str, kind: str) -> str:
    """The word in the output's name: the template's own `label:`, else the kind's (讲话, 通报)."""
    folder, file_name = templating.resolve(template)
    return catalogue.label(folder / file_name) or LABELS[kind]


def check_requirements(facts: dict, template: str, data_path: str | Path) -> None:
    """DataError naming the block and the template when the data lacks what the template needs.

    A template declares its needs in its front comment (`requires: assessment`); without
    the check it would render an empty section or fail on a missing fact.
    """
    folder, file_name = templating.resolve(template)
    name = file_name[:-len(templating.TEMPLATE_SUFFIX)] if file_name.endswith(templating.TEMPLATE_SUFFIX) \
        else file_name
    for block in catalogue.missing_blocks(facts, folder / file_name):
        en, zh, key = catalogue.block_name(block)
        raise DataError(f"the template {name} needs {en} ({key}), which the file does not have",
                        f"模板{name}需要{zh}（{key}），文件中没有", file=str(data_path), key=key)


def make_document(context: dict, template: str | jinja2.Template) -> Document:
    """Render a template (a name, a path or one already loaded) with escaped facts and
    parse the markup into the document model."""
    tpl = templating.load_template(template) if isinstance(template, str) else template
    source = template if isinstance(template, str) else tpl.name or "<template>"
    # One bound in time and memory from the facts to the document: the render and the
    # Markdown parse of what it produced (limits.py).
    seconds = templating.RENDER_SECONDS
    try:
        # Every figure is recorded as it is worded, and placed as the markup is parsed.
        with limits.time_limit(seconds), limits.memory_bound(), figures.tracing(context):
            markup = templating.render(tpl, context)
            doc = blocks.parse(markup, source=tpl.filename or source)
    except limits.TimeLimit:
        raise TemplateError(f"turning the template's output into a document took longer than "
                            f"{seconds:g} s; the template produces too much or too tangled Markdown",
                            f"把模板输出转为文档超过{seconds:g}秒，模板输出的Markdown过多或过于复杂",
                            file=tpl.filename or source) from None
    except MemoryError:
        raise templating.too_much_memory(tpl.filename or source) from None
    except RecursionError:
        raise TemplateError("the template's output is nested too deeply to be a document",
                            "模板输出的Markdown嵌套过深，无法转为文档", file=tpl.filename or source) from None
    # Front matter is YAML, not Markdown: its escaped data must be unescaped.
    fields = {f.name: templating.unescape_markdown(getattr(doc.meta, f.name))
              for f in dataclasses.fields(doc.meta) if getattr(doc.meta, f.name)}
    if not fields.get("title"):
        fields["title"] = next((b.text for b in doc.blocks if isinstance(b, Title)), "")
    return replace(doc, meta=replace(doc.meta, **fields))


def encode(doc: Document, fmt: str, reference: str | Path | None = None,
           source: str | None = None) -> bytes:
    """The document as the bytes of a file, within the memory bound (limits.MEMORY_MB).

    `source` names the template the document came from, for the message."""
    try:
        with limits.memory_bound():
            if fmt == "md":
                return text_writer.to_markdown(doc).encode("utf-8")
            if fmt == "txt":
                return text_writer.to_text(doc).encode("utf-8")
            from generator.writers.docx import body as docx_writer  # lxml and zip work only for .docx

            return docx_writer.render_docx(doc, docx_writer.Reference.load(reference))
    except MemoryError:
        raise TemplateError(f"the document is too large to write: it needs more than "
                            f"{limits.MEMORY_MB} MB of memory", f"文档过大，写出需要超过{limits.MEMORY_MB} MB内存",
                            file=source) from None


def encode_volume(meta: DocMeta, docs: Iterable[Document], fmt: str,
                  reference: str | Path | None = None) -> bytes:
    """Documents one after another in one file, each from a new page.

    A .docx volume is written as the documents come, never held whole.
    """
    if fmt == "docx":
        from generator.writers.docx import body as docx_writer

        return docx_writer.render_stream(meta, one_page_each(docs),
                                         docx_writer.Reference.load(reference))
    return encode(Document(meta=meta, blocks=tuple(one_page_each(docs))), fmt)


def one_page_each(docs: Iterable[Document]) -> Iterator[Block]:
    """The documents' blocks in turn, a page break between one and the next."""
    for n, doc in enumerate(docs):
        if n:
            yield PageBreak()
        yield from doc.blocks


def _uses_asset(doc: Document, name: str) -> bool:
    return any(getattr(b, "asset", None) == name for b in doc.blocks)


def speech(data_path: str | Path, *, template: str | None = None, fmt: str = "docx",
           reference: str | Path | None = None, mapping: str | Path | None = None) -> Product:
    facts = load_facts(data_path, mapping)
    template = template or DEFAULT_TEMPLATES["speech"]
    check_requirements(facts, template, data_path)
    doc = make_document(templating.escape_facts(template_context(facts)), template)
    meta = facts["meta"]
    return Product(output_name(meta["region"], meta["period_code"], file_label(template, "speech"), fmt),
                   encode(doc, fmt, reference, source=template), doc)


def notice(data_path: str | Path, *, template: str | None = None, fmt: str = "docx",
           reference: str | Path | None = None, mapping: str | Path | None = None) -> Product:
    facts = load_facts(data_path, mapping)
    template = template or DEFAULT_TEMPLATES["notice"]
    check_requirements(facts, template, data_path)
    doc = make_document(templating.escape_facts(template_context(facts)), template)
    if figures.mode().redact:
        # the public version prints no figure, and a bar's height is one: the chart is left out
        doc = replace(doc, blocks=tuple(b for b in doc.blocks if getattr(b, "asset", None) != "scores"))
    elif fmt == "docx" and facts["townships"] and _uses_asset(doc, "scores"):
        units = facts["townships"]["units"]
        from generator.writers import charts

        chart = charts.score_chart([u["name"] for u in units], [u["score"] for u in units])
        doc = replace(doc, assets={**doc.assets, "scores": chart})
    meta = facts["meta"]
    return Product(output_name(meta["region"], meta["period_code"], file_label(template, "notice"), fmt),
                   encode(doc, fmt, reference, source=template), doc)
