"""Plain writers for quick looks: Markdown (--format md) and text (--format txt).

Both show what the .docx shows in words: heading numbers are generated here as
there, and a notice gets its 版头 lines before and 版记 lines after the body.
Layout that plain text cannot carry (fonts, red rule) is left out.
"""

from __future__ import annotations

import unicodedata

from generator.document import escape
from generator.document.model import (
    BODY, CENTER, NOTE, SIGNATURE, SPEAKER, Block, DocMeta, Document, Heading, Image, PageBreak,
    Paragraph, Run, Table, Title,
)
from generator.document.numbering import heading_labels

INDENT = "　　"  # two full-width spaces: the body's first-line indent of 2 characters
LINE_CHARS = 28  # characters in a printed body line (GB/T 9704), for centring in text
PAGE_BREAK_MD = "* * *"  # not "---", which would read as front matter at the top
FORM_FEED = "\f"


def _notice_header(meta: DocMeta) -> list[str]:
    if meta.kind != "notice":
        return []
    return [line for line in (meta.issuer, meta.doc_number) if line]


def _notice_footer(meta: DocMeta) -> list[str]:
    """版记: 抄送 line, then 印发机关 and "<印发日期>印发"."""
    if meta.kind != "notice":
        return []
    lines = []
    if meta.cc:
        lines.append(f"抄送：{meta.cc.rstrip('。')}。")
    date = f"{meta.print_date}印发" if meta.print_date else ""
    printed = INDENT.join(part for part in (meta.printer, date) if part)
    if printed:
        lines.append(printed)
    return lines


def _finish(text: str) -> str:
    return text.rstrip("\n") + "\n"


# ---------------------------------------------------------------- Markdown

# What must be escaped is the document stage's rule, shared with the render stage.
_md_escape = escape.escape_inline
_md_line_start = escape.guard_line_start


def _md_runs(runs: tuple[Run, ...]) -> str:
    out = []
    for run in runs:
        core = run.text.strip()
        if not (run.bold and core):
            out.append(_md_escape(run.text))
            continue
        # ** must touch the bold text, so surrounding spaces go outside it.
        lead = run.text[:len(run.text) - len(run.text.lstrip())]
        trail = run.text[len(run.text.rstrip()):]
        out.append(f"{lead}**{_md_escape(core)}**{trail}")
    return "".join(out)


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_md_escape(c) for c in cells) + " |"


_MD_ALIGN = {"left": ":---", "center": ":---:", "right": "---:"}


def _md_table(table: Table) -> str:
    lines = [f"表：{_md_escape(table.caption)}"] if table.caption else []
    align = [table.align[k] if k < len(table.align) else "left" for k in range(len(table.header))]
    rows = [_md_row(table.header), "| " + " | ".join(_MD_ALIGN[a] for a in align) + " |"]
    rows += [_md_row(row) for row in table.rows]
    # The caption is its own paragraph, directly above the table.
    return "\n\n".join(lines + ["\n".join(rows)])


def _md_block(block: Block, label: str) -> str:
    if isinstance(block, Title):
        return "# " + _md_escape(block.text)
    if isinstance(block, Heading):
        return "#" * (block.level + 1) + " " + label + _md_runs(block.runs)
    if isinstance(block, Paragraph):
        return _md_line_start(_md_runs(block.runs)) if block.runs else ""
    if isinstance(block, Table):
        return _md_table(block)
    if isinstance(block, Image):
        return f"![{_md_escape(block.caption)}](asset:{block.asset})"
    if isinstance(block, PageBreak):
        return PAGE_BREAK_MD
    raise TypeError(f"not a block: {block!r}")


def to_markdown(doc: Document) -> str:
    """The document as Markdown, heading numbers written out, one blank line between blocks."""
    labels = heading_labels(doc.blocks)
    chunks = [_md_line_start(_md_escape(line)) for line in _notice_header(doc.meta)]
    chunks += [_md_block(b, label) for b, label in zip(doc.blocks, labels)]
    chunks += [_md_line_start(_md_escape(line)) for line in _notice_footer(doc.meta)]
    return _finish("\n\n".join(c for c in chunks if c))


# ---------------------------------------------------------------- text

def display_width(text: str) -> int:
    """Display width in half-character units: a Chinese character is 2, a digit 1."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _centre(text: str) -> str:
    return "　" * max(0, (LINE_CHARS * 2 - display_width(text)) // 4) + text


def _right(text: str) -> str:
    return "　" * max(0, (LINE_CHARS * 2 - display_width(text)) // 2) + text


def _text_table(table: Table) -> list[str]:
    grid = [table.header, *table.rows]
    columns = max(len(row) for row in grid)
    widths = [max(display_width(row[k]) for row in grid if k < len(row)) for k in range(columns)]
    align = [table.align[k] if k < len(table.align) else "left" for k in range(columns)]
    lines = [_centre(table.caption)] if table.caption else []
    for row in grid:
        cells = []
        for k, cell in enumerate(row):
            gap = widths[k] - display_width(cell)
            if align[k] == "right":
                cells.append(" " * gap + cell)
            elif align[k] == "center":
                cells.append(" " * (gap // 2) + cell + " " * (gap - gap // 2))
            else:
                cells.append(cell + " " * gap)
        lines.append("  ".join(cells).rstrip())
    return lines


def _text_paragraph(paragraph: Paragraph) -> str:
    text = paragraph.text
    if paragraph.role in (BODY, NOTE):
        return INDENT + text
    if paragraph.role in (SPEAKER, CENTER):
        return _centre(text)
    if paragraph.role == SIGNATURE:
        return _right(text)
    return text  # salutation: flush left


def _text_block(block: Block, label: str) -> list[str]:
    if isinstance(block, Title):
        return [_centre(block.text)]
    if isinstance(block, Heading):
        # Headings keep the body's indent, as in the printed document.
        return [INDENT + label + block.text]
    if isinstance(block, Paragraph):
        return [_text_paragraph(block)]
    if isinstance(block, Table):
        return _text_table(block)
    if isinstance(block, Image):
        return [_centre(f"[图 {block.asset}] {block.caption}".rstrip())]
    if isinstance(block, PageBreak):
        return [FORM_FEED]
    raise TypeError(f"not a block: {block!r}")


def to_text(doc: Document) -> str:
    """The document as plain text: one line per paragraph, a blank line around titles,
    tables and images, a form feed line per page break."""
    labels = heading_labels(doc.blocks)
    out: list[str] = [_centre(line) for line in _notice_header(doc.meta)]
    if out:
        out.append("")
    previous_spaced = False
    for block, label in zip(doc.blocks, labels):
        spaced = isinstance(block, (Title, Table, Image))
        if out and out[-1] != "" and (spaced or previous_spaced):
            out.append("")
        out += _text_block(block, label)
        previous_spaced = spaced
    footer = _notice_footer(doc.meta)
    if footer:
        out += ["", *footer]
    return _finish("\n".join(out))
