"""`speechgen check`: read a .docx back and compare every figure in it with the data.

The document may have been edited by hand in Word or WPS since it was written.
Every number in its text is found and set against the trace the writer left inside
it (writers/docx/trace_part): the paragraphs are aligned with the ones written
(a deleted or added paragraph does not shift the rest), then the characters within
each paragraph, so each number in the document is either one that was written
(a figure with its source, or a number of the template or the data's own text) or
one that has no source. Each written figure is worded again from the data as it
is now, with the filter and arguments that worded it then. Findings:

- edited: the figure no longer matches the data (changed by hand);
- unsourced: a number no figure accounts for (added by hand, or a document not
  written by speechgen);
- stale: the document still says what was written, but the data has changed since
  (a late correction from the bureau), or a placeholder's figure is still pending
  or has come in;
- removed: a figure that was written is gone (its paragraph deleted, or the number).
"""

from __future__ import annotations

import difflib
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from generator.audit import docx_text
from generator.audit.figures import path_text
from generator.errors import DataError

NUMBER = re.compile(r"\d+(?:\.\d+)?")

DIFFERENT = 3  # check's exit code when a figure differs (1 is a bug, 2 bad input)
EDITED, UNSOURCED, STALE, REMOVED = "edited", "unsourced", "stale", "removed"
TITLES = {
    EDITED: ("no longer matches the data", "与数据不符"),
    UNSOURCED: ("no source", "没有来源"),
    STALE: ("the data has changed since the document was written", "数据在成文后有变化"),
    REMOVED: ("written, but no longer in the document", "原有数字已不在文中"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    paragraph: int | None  # 1-based, as the document now stands (None: the paragraph is gone)
    text: str  # the number as the document has it ("" when removed)
    context: str  # the words around it
    expected: str | None = None  # what the data says now
    written: str | None = None  # what was written
    path: str | None = None
    raw: object = None  # the value now
    was: object = None  # the value when written

    def describe(self) -> str:
        where = f"第{self.paragraph}段" if self.paragraph else "已删除的段落"
        source = f" [{self.path}]" if self.path else ""
        if self.kind == EDITED:
            return (f"{where}: “{self.text}” — the data says / 数据为 “{self.expected}”{source}  "
                    f"…{self.context}…")
        if self.kind == UNSOURCED:
            return f"{where}: “{self.text}” — no figure of the data / 数据中没有对应来源  …{self.context}…"
        if self.kind == STALE:
            if self.expected is None:
                now = "no longer in the data / 数据中已没有这项"
            elif self.text.startswith("【待补"):
                now = ("still pending / 仍待补" if self.expected.startswith("【待补") else
                       f"the data has it now / 数据已有: “{self.expected}”")
            else:
                now = f"the data now says / 数据现为 “{self.expected}”"
            return (f"{where}: “{self.text}” (written from / 成文时为 {json.dumps(self.was, ensure_ascii=False)})"
                    f" — {now}{source}  …{self.context}…")
        return f"{where}: “{self.written}” — {self.context}{source}"


@dataclass
class Report:
    document: str
    traced: bool  # the document carries a trace
    figures: int = 0  # numbers found in its text
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        if self.ok:
            return [(f"{self.document}: {self.figures} figures, all match the data / "
                    f"{self.figures}处数字均与数据一致")]
        out = [(f"{self.document}: {len(self.findings)} difference{'s' if len(self.findings) > 1 else ''} "
               f"in {self.figures} figures / {self.figures}处数字中{len(self.findings)}处不一致")]
        if not self.traced:
            out.append("  the document carries no trace of where its figures came from (not written by "
                       "speechgen, or the trace was removed) / 文档中没有数字来源记录")
        for kind in (EDITED, STALE, UNSOURCED, REMOVED):
            found = [f for f in self.findings if f.kind == kind]
            if found:
                en, zh = TITLES[kind]
                out.append(f"  {en} / {zh} ({len(found)}):")
                out.extend(f"    {f.describe()}" for f in found)
        return out

    def to_json(self) -> dict:
        return {"document": self.document, "traced": self.traced, "figures": self.figures,
                "findings": [f.__dict__ for f in self.findings]}


# ---------------------------------------------------------------- reading

@dataclass
class _Written:
    """A figure as the trace has it."""

    start: int
    end: int
    filter: str
    kind: str
    text: str
    path: list | None
    raw: object
    args: list
    kwargs: dict
    transform: str
    pending: str | None
    redacted: bool


def read_document(path: str | Path) -> tuple[list[str], dict[int, str], dict[int, list[_Written]], bool]:
    """The paragraphs of a .docx, and its trace: written paragraphs and their figures."""
    from lxml import etree

    from generator import limits
    from generator.writers.docx import trace_part

    source = str(path)
    special = limits.not_a_file(source)
    if special is not None:
        raise DataError(f"{source} cannot be checked: {special[0]}", f"无法检查 {source}：{special[1]}",
                        file=source)
    try:
        with zipfile.ZipFile(source) as package:
            problem = limits.zip_problem(package)
            if problem is not None:
                raise DataError(f"{source} cannot be checked: {problem[0]}",
                                f"无法检查 {source}：{problem[1]}", file=source)
            paragraphs = docx_text.paragraphs(docx_text.parse(package.read(docx_text.DOCUMENT_PART)))
            root = trace_part.read(package)
    except FileNotFoundError:
        raise DataError(f"{source}: no such file", f"找不到文件：{source}", file=source) from None
    except IsADirectoryError:
        raise DataError(f"{source} is a folder, not a .docx", f"{source} 是文件夹，不是 .docx 文件",
                        file=source) from None
    except (zipfile.BadZipFile, KeyError, zipfile.LargeZipFile, EOFError):
        raise DataError(f"{source} is not a Word document (.docx)", f"{source} 不是 Word 文档（.docx）",
                        file=source) from None
    except etree.XMLSyntaxError as exc:
        raise DataError(f"{source}: the document's text part is damaged ({exc})",
                        f"{source} 的正文部分已损坏", file=source) from None
    except PermissionError as exc:
        raise DataError(f"{source} cannot be read: {exc.strerror}", f"无法读取 {source}：没有权限",
                        file=source) from None
    written: dict[int, str] = {}
    figures: dict[int, list[_Written]] = {}
    if root is None:
        return paragraphs, written, figures, False
    ns = root.tag[:root.tag.index("}") + 1]
    for el in root.iter(f"{ns}p"):
        written[int(el.get("n"))] = el.text or ""
    for item in trace_part.figures_of(root):
        figures.setdefault(int(item["p"]), []).append(_Written(
            start=int(item["start"]), end=int(item["end"]), filter=item.get("filter") or "",
            kind=item.get("kind") or "", text=item.get("text") or "", path=item.get("path"),
            raw=item.get("raw"), args=item.get("args") or [], kwargs=item.get("kwargs") or {},
            transform=item.get("transform") or "", pending=item.get("pending"),
            redacted=root.get("redacted") == "1"))
    return paragraphs, written, figures, True


# ---------------------------------------------------------------- the data now

_MISSING = object()


def resolve(context, steps: list | None):
    """The value at a recorded path in the facts as they are now; _MISSING if it is gone."""
    if steps is None:
        return _MISSING
    value = context
    for step in steps:
        try:
            if isinstance(step, dict):
                (key, want), = step.items()
                value = next(item for item in value if isinstance(item, dict) or hasattr(item, "get")
                             if item.get(key) == want)
            elif isinstance(step, int):
                value = value[step]
            else:
                value = value[step]
        except (KeyError, IndexError, TypeError, StopIteration, ValueError):
            return _MISSING
    return value


def reword(fig: _Written, context) -> tuple[str | None, object]:
    """The figure worded again from the data as it is now: (text, value); text None when
    the data no longer has it. A figure with no path is taken as written."""
    from generator.audit.figures import PLACEHOLDER
    from generator.wording import zh

    if fig.path is None:
        return (fig.text if not fig.pending else None), fig.raw
    value = resolve(context, fig.path)
    if value is _MISSING:
        return None, None
    if value is None and fig.pending:
        return PLACEHOLDER.format(""), None
    if value is None:
        return None, None
    if fig.transform == "neg" and isinstance(value, (int, float)):
        value = -value
    elif fig.transform == "abs" and isinstance(value, (int, float)):
        value = abs(value)
    if fig.filter == "raw":
        return str(value), value
    func = zh.PLAIN.get(fig.filter)
    if func is None:
        return fig.text, fig.raw
    try:
        return func(value, *fig.args, **fig.kwargs), value
    except (ValueError, TypeError, ArithmeticError):
        return None, value


# ---------------------------------------------------------------- comparing

def _tokens(text: str) -> list[re.Match]:
    return list(NUMBER.finditer(text))


def _context(text: str, start: int, end: int, width: int = 14) -> str:
    return text[max(0, start - width):min(len(text), end + width)]


def _pair_paragraphs(written: list[tuple[int, str]], now: list[str]) -> dict[int, int]:
    """Written paragraph number → paragraph index now, for those still there (perhaps edited)."""
    a = [t for _, t in written]
    matcher = difflib.SequenceMatcher(None, a, now, autojunk=False)
    pairs: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                pairs[written[i1 + k][0]] = j1 + k
        elif tag == "replace":
            # Edited paragraphs: each to the most similar one left in the block, in order.
            j = j1
            for i in range(i1, i2):
                best, best_j = 0.0, None
                for cand in range(j, j2):
                    ratio = difflib.SequenceMatcher(None, a[i], now[cand], autojunk=False).ratio()
                    if ratio > best:
                        best, best_j = ratio, cand
                if best_j is not None and best >= 0.5:
                    pairs[written[i][0]] = best_j
                    j = best_j + 1
    return pairs


def _mapped_range(opcodes, start: int, end: int) -> tuple[int, int] | None:
    """The written characters that the document's characters [start, end) stand for."""
    lo = hi = None
    for tag, i1, i2, j1, j2 in opcodes:
        if j2 < start or j1 > end:
            continue
        if tag == "equal":
            s, e = max(start, j1), min(end, j2)
            if s < e:
                a, b = i1 + (s - j1), i1 + (e - j1)
            else:
                continue
        elif tag in ("replace", "delete"):
            if tag == "replace" and (j2 <= start or j1 >= end):
                continue
            if tag == "delete" and not (start < j1 < end):
                continue
            a, b = i1, i2
        else:
            continue
        lo = a if lo is None else min(lo, a)
        hi = b if hi is None else max(hi, b)
    return None if lo is None else (lo, hi)


def compare(document: str, paragraphs: list[str], written: dict[int, str],
            figures: dict[int, list[_Written]], traced: bool, context) -> Report:
    report = Report(document=document, traced=traced)
    order = sorted(written.items())
    pairs = _pair_paragraphs(order, paragraphs)
    by_now = {j: n for n, j in pairs.items()}
    seen_written: set[tuple[int, int]] = set()  # (written paragraph, token start) matched

    for j, text in enumerate(paragraphs):
        tokens = _tokens(text)
        report.figures += len(tokens)
        n = by_now.get(j)
        if n is None:
            for t in tokens:
                report.findings.append(Finding(UNSOURCED, j + 1, t.group(), _context(text, t.start(), t.end())))
            continue
        old = written[n]
        old_tokens = _tokens(old)
        figs = figures.get(n, [])
        opcodes = difflib.SequenceMatcher(None, old, text, autojunk=False).get_opcodes()
        used: set[int] = set()
        for t in tokens:
            span = _mapped_range(opcodes, t.start(), t.end())
            match = None
            if span is not None:
                for k, o in enumerate(old_tokens):
                    if k not in used and o.start() < span[1] and o.end() > span[0]:
                        match = k
                        break
            ctx = _context(text, t.start(), t.end())
            if match is None:
                report.findings.append(Finding(UNSOURCED, j + 1, t.group(), ctx))
                continue
            used.add(match)
            o = old_tokens[match]
            seen_written.add((n, o.start()))
            fig = next((f for f in figs if f.start <= o.start() < f.end), None)
            if fig is None:  # a number of the template's or the data's own words
                if t.group() != o.group():
                    report.findings.append(Finding(EDITED, j + 1, t.group(), ctx, expected=o.group(),
                                                   written=o.group()))
                continue
            _judge(report, fig, old, o, t.group(), j + 1, ctx, context)
        # placeholders hold no digits: judged on their own
        for fig in figs:
            if fig.pending:
                _judge_pending(report, fig, text, j + 1, context)
    for n, old in order:
        figs = figures.get(n, [])
        for o in _tokens(old):
            if (n, o.start()) in seen_written:
                continue
            fig = next((f for f in figs if f.start <= o.start() < f.end), None)
            if fig is None:
                continue
            gone = n not in pairs
            report.findings.append(Finding(
                REMOVED, None if gone else pairs[n] + 1, "", ("paragraph deleted / 段落已删除: " if gone
                                                              else "number deleted / 数字已删除: ")
                + _context(old, o.start(), o.end(), 20), written=fig.text,
                path=path_text(fig.path)))
            seen_written.add((n, o.start()))
    return report


def _judge(report: Report, fig: _Written, old: str, o: re.Match, now: str, paragraph: int,
           ctx: str, context) -> None:
    """One number of a written figure: still what the data says?"""
    written_tokens = _tokens(old[fig.start:fig.end])
    k = next((i for i, w in enumerate(written_tokens) if fig.start + w.start() == o.start()), 0)
    was = o.group()
    if fig.redacted:
        return
    text, value = reword(fig, context)
    expected = None
    if text is not None:
        new_tokens = _tokens(text)
        expected = new_tokens[k].group() if k < len(new_tokens) else None
    path = path_text(fig.path)
    if expected is not None and now == expected:
        return
    if now == was and (expected is None or expected != was):
        report.findings.append(Finding(STALE, paragraph, fig.text, ctx, expected=text, written=fig.text,
                                       path=path, raw=value, was=fig.raw))
        return
    report.findings.append(Finding(EDITED, paragraph, now, ctx, expected=expected if expected is not None
                                   else text, written=was, path=path, raw=value, was=fig.raw))


def _judge_pending(report: Report, fig: _Written, text: str, paragraph: int, context) -> None:
    if fig.text not in text:
        return  # the placeholder was replaced by hand: its numbers were judged as unsourced
    now, value = reword(fig, context)
    report.findings.append(Finding(STALE, paragraph, fig.text, fig.text, expected=now or fig.text,
                                   written=fig.text, path=path_text(fig.path) or fig.pending,
                                   raw=value, was=None))


def check(document: str | Path, data: str | Path, mapping: str | Path | None = None) -> Report:
    """Read `document` back and compare its figures with `data` as it is now."""
    from generator import pipeline
    from generator.audit.figures import run_mode

    paragraphs, written, figures, traced = read_document(document)
    with run_mode(draft=True):  # a pending figure now is a finding, not an error
        facts = pipeline.load_facts(data, mapping)
        context = pipeline.template_context(facts)
    return compare(str(document), paragraphs, written, figures, traced, context)
