"""A document as HTML for the page: the same Document the .docx is written from.

Headings get their numbers from document.numbering, as the Word and text writers
do, so the preview reads 一、（一）1.（1） exactly as the file will; a notice's
ranking chart is the PNG the .docx embeds (writers/charts.py), shown inline. The
HTML comes from the page template preview.html with autoescaping: no text of the
data reaches the page unescaped.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

import jinja2

from generator.document.model import Document, Heading, Image, PageBreak, Paragraph, Table, Title
from generator.document.numbering import labelled

TEMPLATES = Path(__file__).resolve().parent / "templates"
_KINDS = {Title: "title", Heading: "heading", Paragraph: "paragraph", Table: "table",
          Image: "image", PageBreak: "break"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def html(doc: Document) -> str:
    """The preview of `doc`: its blocks in order, each heading with its number."""
    blocks = []
    for block, label in labelled(doc.blocks):
        item = {"kind": _KINDS[type(block)], "block": block, "label": label}
        if isinstance(block, Image):
            png = doc.assets.get(block.asset)
            item["src"] = ("data:image/png;base64," + base64.b64encode(png).decode("ascii")) if png else ""
        blocks.append(item)
    return _environment().get_template("preview.html").render(meta=doc.meta, blocks=blocks)
