"""One run of a document command as the writing office sees it: a draft, the public
version, the trace written out, and what is still missing said at the end.

The CLI opens a `Session` around the pipeline call; everything made inside is made in
the session's mode, and the Documents are kept so that the run can end by listing the
pending figures (data key, line, and the section each placeholder stands in) and, with
`--trace FILE`, by writing every figure's record as JSON.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.audit import figures
from generator.document.model import Title


@dataclass
class Session:
    draft: bool = False
    redact: bool = False
    documents: list = field(default_factory=list)  # Documents made, in order

    def made(self) -> list:
        """Each document once (a batch renders its first scorecard twice: once to fail early)."""
        seen: dict[str, object] = {}
        for doc in self.documents:
            seen[_title(doc) or str(id(doc))] = doc
        return list(seen.values())

    # ---------------------------------------------------------- the trace as JSON

    def trace_json(self, names: list[str] | None = None) -> dict:
        docs = self.made()
        names = names or []
        out = []
        for n, doc in enumerate(docs):
            trace = doc.trace
            if trace is None:
                continue
            item = {"document": names[n] if n < len(names) else _title(doc)}
            item.update(trace.to_json())
            out.append(item)
        return {"documents": out, "pending": self.pending()}

    def write_trace(self, path: str | Path, names: list[str] | None = None, force: bool = False) -> Path:
        from generator.output import write_output

        text = json.dumps(self.trace_json(names), ensure_ascii=False, indent=2) + "\n"
        return write_output(Path(path), text.encode("utf-8"), force=force)

    # ---------------------------------------------------------- what is missing

    def pending(self) -> list[dict]:
        """Every pending figure of the data, with the sections its placeholders stand in."""
        entries: dict[str, dict] = {}
        for doc in self.made():
            trace = doc.trace
            if trace is None:
                continue
            for e in trace.waiting:
                entries.setdefault(e["key"], {"key": e["key"], "line": e["line"], "label": e["label"],
                                              "sections": []})
            for placed in trace.pending():
                entry = entries.get(placed.figure.pending)
                section = trace.units[placed.unit].section or "（正文开头 opening）"
                where = f"{_title(doc)}：{section}" if len(self.made()) > 1 else section
                if entry is not None and where not in entry["sections"]:
                    entry["sections"].append(where)
        return list(entries.values())

    def summary(self, source: str) -> list[str]:
        """The lines a draft ends with: what is still pending, and where it stands."""
        waiting = self.pending()
        if not waiting:
            return []
        out = [(f"draft: {len(waiting)} figure{'s' if len(waiting) > 1 else ''} pending (待补) / "
               f"草稿：{len(waiting)}项数据待补")]
        for e in waiting:
            where = "; ".join(e["sections"]) if e["sections"] else "not in this document / 本文未用到"
            out.append(f"  {source}:{e['line']}: {e['key']}（{e['label']}）→ {where}")
        return out


def _title(doc) -> str:
    """A document's title as printed (its meta is filled in after it is made)."""
    return doc.meta.title or next((b.text for b in doc.blocks if isinstance(b, Title)), "")


@contextlib.contextmanager
def session(draft: bool = False, redact: bool = False, trace: bool = False) -> Iterator[Session]:
    """Make documents as a draft and/or the public version, keeping what was made when
    the run will use it: for the trace file (`trace`) or a draft's list of what is missing.

    Anything else keeps nothing: a batch of 10,000 scorecards kept every Document and its
    trace (1.2 GB at the end) for a summary that is empty outside a draft."""
    s = Session(draft=draft, redact=redact)
    keep = figures.collect() if trace or draft else contextlib.nullcontext([])
    with figures.run_mode(draft=draft, redact=redact), keep as docs:
        s.documents = docs
        yield s
