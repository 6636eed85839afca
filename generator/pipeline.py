"""The pipeline as one library call per product, for the CLI and for tests.

data file → Dataset → facts → markup → Document → bytes. Each stage lives in
its own module; this one only connects them and names the results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from generator.planning import speech as speech_plan
from generator.sources import loader
from generator.facts import analysis
from generator.document import reader as blocks
from generator.sources import dataset
from generator.render import sandbox as templating
from generator.writers import text as text_writer
from generator.errors import DataError
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
    return analysis.analyse(load_dataset(data_path, mapping))


def template_context(facts: dict) -> dict:
    """What every template sees: the facts, and the plan of what to say and how to frame it."""
    return {**facts, "plan": speech_plan.plan(facts)}


def make_document(context: dict, template: str | jinja2.Template) -> Document:
    """Render a template (a name, a path or one already loaded) with escaped facts and
    parse the markup into the document model."""
    tpl = templating.load_template(template) if isinstance(template, str) else template
    markup = templating.render(tpl, context)
    source = template if isinstance(template, str) else tpl.name or "<template>"
    doc = blocks.parse(markup, source=tpl.filename or source)
    # Front matter is YAML, not Markdown: its escaped data must be unescaped.
    fields = {f.name: templating.unescape_markdown(getattr(doc.meta, f.name))
              for f in dataclasses.fields(doc.meta) if getattr(doc.meta, f.name)}
    if not fields.get("title"):
        fields["title"] = next((b.text for b in doc.blocks if isinstance(b, Title)), "")
    return replace(doc, meta=replace(doc.meta, **fields))


def encode(doc: Document, fmt: str, reference: str | Path | None = None) -> bytes:
    if fmt == "md":
        return text_writer.to_markdown(doc).encode("utf-8")
    if fmt == "txt":
        return text_writer.to_text(doc).encode("utf-8")
    from generator.writers.docx import body as docx_writer  # lxml and zip work only for .docx

    return docx_writer.render_docx(doc, docx_writer.Reference.load(reference))


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


def speech(data_path: str | Path, *, template: str | None = None, fmt: str = "docx",
           reference: str | Path | None = None, mapping: str | Path | None = None) -> Product:
    facts = load_facts(data_path, mapping)
    doc = make_document(templating.escape_facts(template_context(facts)),
                        template or DEFAULT_TEMPLATES["speech"])
    meta = facts["meta"]
    return Product(output_name(meta["region"], meta["period_code"], LABELS["speech"], fmt),
                   encode(doc, fmt, reference))


def notice(data_path: str | Path, *, template: str | None = None, fmt: str = "docx",
           reference: str | Path | None = None, mapping: str | Path | None = None) -> Product:
    facts = load_facts(data_path, mapping)
    if not facts["townships"]:
        raise DataError("a notice needs township data: the file has no townships.units",
                        "生成通报需要乡镇数据：文件中没有 townships.units",
                        file=str(data_path), key="townships")
    doc = make_document(templating.escape_facts(template_context(facts)),
                        template or DEFAULT_TEMPLATES["notice"])
    units = facts["townships"]["units"]
    if fmt == "docx":
        from generator.writers import charts

        chart = charts.score_chart([u["name"] for u in units], [u["score"] for u in units])
        doc = replace(doc, assets={**doc.assets, "scores": chart})
    meta = facts["meta"]
    return Product(output_name(meta["region"], meta["period_code"], LABELS["notice"], fmt),
                   encode(doc, fmt, reference))
