"""Where each figure landed: the marks of the render stage taken out of a Document.

The render stage wraps every figure's words in invisible marks (figures.mark). After
the Markdown parse, `settle` removes them from every text of the Document (runs,
headings, table cells, captions, the front matter), and records for each figure the
text unit it is in (a paragraph, a heading, a table cell) and its characters there.
A draft's placeholders become highlighted runs. The result is the Document's `trace`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import NamedTuple

from generator.audit import figures
from generator.audit.figures import ANY_MARK, END, START, TEXT, Figure, Mode
from generator.document.model import (
    DocMeta,
    Document,
    Heading,
    Image,
    Paragraph,
    Run,
    Table,
    Title,
)
from generator.document.numbering import labelled


class Unit(NamedTuple):  # a tuple: a scorecard has a hundred and more
    """A piece of text a reader sees as one: a paragraph, a heading, a table cell."""

    block: int  # index in Document.blocks
    cell: tuple | None  # (row, column) in a table, row -1 the header; None otherwise
    text: str
    section: str  # the headings it stands under, numbered as printed: 一、… / （一）…


class Placed(NamedTuple):
    unit: int  # index in Trace.units
    start: int
    end: int
    text: str  # the characters it became (a template may have cut the unit off: 1.0个百分点 → 1.0)
    id: int
    record: tuple  # as figures.Tracing.record keeps it; `figure` is the same, readable

    @property
    def figure(self) -> Figure:
        return figures.figure_of(self.id, self.record)


@dataclass(frozen=True)
class Trace:
    units: tuple[Unit, ...]
    placed: tuple[Placed, ...]
    mode: Mode
    kind: str
    waiting: tuple = ()  # every figure of the data still pending (sources/pending entries)

    def pending(self) -> list[Placed]:
        return [p for p in self.placed if p.record[figures.R_PENDING] is not None]

    def to_json(self) -> dict:
        """The trace as `--trace FILE` writes it: each figure with its paragraph and section."""
        out = []
        for p in self.placed:
            unit = self.units[p.unit]
            item = p.figure.to_json()
            item.update({"paragraph": p.unit + 1, "section": unit.section,
                         "context": _context(unit.text, p.start, p.end)})
            if unit.cell is not None:
                item["cell"] = list(unit.cell)
            out.append(item)
        return {"kind": self.kind, "draft": self.mode.draft, "redacted": self.mode.redact,
                "figures": out}


def _context(text: str, start: int, end: int, width: int = 12) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    return ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")


# One figure whole: its opening mark and id, its words (no mark inside), its closing mark.
_FIGURE = re.compile("\ue000([\ue010-\ue019]+)\ue001([^\ue000-\ue002\ue010-\ue019]*)\ue002")
_new_tuple = tuple.__new__  # a NamedTuple without its Python-level __new__: hundreds a scorecard

# An opening mark with its figure's id, a closing mark, or a stray mark character.
_MARKS = re.compile("\ue000([\ue010-\ue019]+)\ue001|\ue002|[\ue000-\ue002\ue010-\ue019]")


class _Settler:
    def __init__(self, state: figures.Tracing | None):
        self.records = state.records if state is not None else []
        self.stack: list[tuple[int, tuple | None, int]] = []
        self.spans: list[tuple[int, int, int, tuple]] = []
        self.lit = 0  # placeholders open on the stack

    def _segments(self, text: str, offset: int) -> list[tuple[str, bool]]:
        """Text without marks, in pieces that are in a placeholder or not."""
        out: list[tuple[str, bool]] = []
        pos, clean = 0, offset
        records = self.records
        for m in _MARKS.finditer(text):
            start = m.start()
            if start > pos:
                out.append((text[pos:start], self.lit > 0))
                clean += start - pos
            pos = m.end()
            code = m.group(1)
            if code is not None:
                n = figures.decode(code)
                record = records[n - 1] if 0 < n <= len(records) else None
                self.stack.append((n, record, clean))
                self.lit += record is not None and record[figures.R_PENDING] is not None
            elif m.group() == END and self.stack:
                n, record, begin = self.stack.pop()
                if record is not None:
                    self.lit -= record[figures.R_PENDING] is not None
                    self.spans.append((begin, clean, n, record))
        if pos < len(text):
            out.append((text[pos:], self.lit > 0))
        return out

    def _reset(self) -> None:
        self.spans, self.stack, self.lit = [], [], 0

    def _whole(self, text: str, offset: int = 0) -> tuple[str, list] | None:
        """The usual case, quickly: each figure's marks around its words within this text, no
        placeholder. None when it is not that (the general way then decides)."""
        records = self.records
        spans, pieces, pos, removed = [], [], 0, 0
        for m in _FIGURE.finditer(text):
            n = figures.decode(m.group(1))
            record = records[n - 1] if 0 < n <= len(records) else None
            if record is None or record[figures.R_PENDING] is not None:
                return None
            inner = m.group(2)
            start = m.start()
            pieces.append(text[pos:start])
            pieces.append(inner)
            begin = offset + start - removed
            removed += m.end() - start - len(inner)
            spans.append((begin, begin + len(inner), n, record))
            pos = m.end()
        pieces.append(text[pos:])
        clean = "".join(pieces)
        if END in clean or ANY_MARK.search(clean):
            return None
        return clean, spans

    def _one(self, text: str) -> tuple[str, list] | None:
        """A text that is one figure and nothing else, as most table cells are: without a
        regex. None when it is not that (or is a placeholder)."""
        if text[-1] != END or text[0] != START:
            return None
        sep = text.find(TEXT, 1)
        n = figures.id_of(text[1:sep]) if sep > 0 else None
        if n is None or n > len(self.records):
            return None
        inner = text[sep + 1:-1]
        record = self.records[n - 1]
        if record[figures.R_PENDING] is not None or ANY_MARK.search(inner):
            return None
        return inner, [(0, len(inner), n, record)]

    def text(self, text: str) -> tuple[str, list]:
        if END not in text and not ANY_MARK.search(text):
            return text, []
        quick = self._one(text) or self._whole(text)
        if quick is not None:
            return quick
        self._reset()
        return "".join(t for t, _ in self._segments(text, 0)), self.spans

    def runs(self, runs: tuple[Run, ...]) -> tuple[tuple[Run, ...], list]:
        if not any(END in r.text or ANY_MARK.search(r.text) for r in runs):
            return runs, []
        if len(runs) == 1:
            quick = self._one(runs[0].text) or self._whole(runs[0].text)
            if quick is not None:
                return (Run(quick[0], runs[0].bold),), quick[1]
        self._reset()
        out: list[Run] = []
        offset = 0
        for run in runs:
            for piece, lit in self._segments(run.text, offset):
                offset += len(piece)
                if out and out[-1].bold == run.bold and out[-1].highlight == lit:
                    out[-1] = Run(out[-1].text + piece, run.bold, lit)
                else:
                    out.append(Run(piece, run.bold, lit))
        return tuple(out), self.spans


def settle(doc: Document) -> Document:
    """The Document without marks, its figures placed in `trace`."""
    state = figures.current()
    settler = _Settler(state)
    units: list[Unit] = []
    placed: list[Placed] = []
    blocks = []
    sections: list[str] = ["", "", "", ""]
    where = [""]  # the headings the next unit stands under, joined once per heading

    def add(block_index: int, cell, text: str, spans: list) -> None:
        units.append(_new_tuple(Unit, (block_index, cell, text, where[0])))
        for start, end, n, record in spans:
            placed.append(_new_tuple(Placed, (len(units) - 1, start, end, text[start:end], n, record)))

    for index, (block, label) in enumerate(labelled(doc.blocks)):
        if isinstance(block, Paragraph):
            runs, spans = settler.runs(block.runs)
            block = replace(block, runs=runs)
            add(index, None, block.text, spans)
        elif isinstance(block, Heading):
            runs, spans = settler.runs(block.runs)
            block = replace(block, runs=runs)
            sections[block.level - 1:] = [label + block.text] + [""] * (4 - block.level)
            where[0] = " / ".join(s for s in sections if s)
            add(index, None, block.text, spans)
        elif isinstance(block, Title):
            text, spans = settler.text(block.text)
            block = Title(text)
            sections[:] = ["", "", "", ""]
            where[0] = ""
            add(index, None, text, spans)
        elif isinstance(block, Table):
            header = []
            for col, cell in enumerate(block.header):
                text, spans = settler.text(cell)
                header.append(text)
                add(index, (-1, col), text, spans)
            rows = []
            for r, row in enumerate(block.rows):
                cells = []
                for col, cell in enumerate(row):
                    text, spans = settler.text(cell)
                    cells.append(text)
                    add(index, (r, col), text, spans)
                rows.append(tuple(cells))
            caption, _ = settler.text(block.caption)
            block = replace(block, header=tuple(header), rows=tuple(rows), caption=caption)
        elif isinstance(block, Image) and block.caption:
            block = replace(block, caption=settler.text(block.caption)[0])
        blocks.append(block)
    meta = DocMeta(**{f.name: figures.strip_marks(getattr(doc.meta, f.name))
                      for f in fields(DocMeta)})
    mode = state.mode if state is not None else figures.mode()
    trace = (Trace(tuple(units), tuple(placed), mode, meta.kind, state.waiting)
             if state is not None else None)
    settled = replace(doc, meta=meta, blocks=tuple(blocks), trace=trace)
    if state is not None:
        figures.collected(settled)
    return settled
