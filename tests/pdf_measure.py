"""Measure a rendered PDF in millimetres from the top-left corner of the paper.

Positions of characters are their em boxes (the square a CJK character is drawn in:
0.88 em above the baseline, 0.12 em below), which is what GB/T 9704 measures from;
a font's own ascent and descent differ from face to face.
"""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_PT = 25.4 / 72
EM_ABOVE = 0.88
EM_BELOW = 0.12


@dataclass
class Line:
    """Characters sharing a baseline: one printed line."""

    page: int  # from 1
    top: float  # mm, the em box's top edge
    bottom: float
    left: float
    right: float
    size: float  # pt
    text: str
    fonts: set[str]
    color: tuple


@dataclass
class Rule:
    page: int
    y: float
    left: float
    right: float
    width: float  # mm, stroke or height of the filled box
    color: tuple


def _font(name: str) -> str:
    """A subset font's face: BAAAAA+NotoSerifCJKjp-Bold-VKana → NotoSerifCJKjp-Bold."""
    face = name.split("+", 1)[-1]
    return face.removesuffix("-VKana")


def read(path) -> tuple[list[list[Line]], list[list[Rule]]]:
    """Lines and rules of every page, each page's lines from top to bottom."""
    import pdfplumber

    pages, rules = [], []
    with pdfplumber.open(str(path)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            height = float(page.height)
            by_baseline: dict[tuple[float, float], list[dict]] = {}
            for c in page.chars:
                if not c["text"].strip():
                    continue
                baseline = height - float(c["matrix"][5])
                by_baseline.setdefault((round(baseline * 2) / 2, c["size"]), []).append(c)
            lines = []
            for (baseline, size), chars in by_baseline.items():
                chars.sort(key=lambda c: c["x0"])
                lines.append(Line(
                    page=number,
                    top=(baseline - EM_ABOVE * size) * MM_PER_PT,
                    bottom=(baseline + EM_BELOW * size) * MM_PER_PT,
                    left=float(chars[0]["x0"]) * MM_PER_PT,
                    right=float(chars[-1]["x1"]) * MM_PER_PT,
                    size=round(float(size), 1),
                    text="".join(c["text"] for c in chars),
                    fonts={_font(c["fontname"]) for c in chars},
                    color=tuple(chars[0].get("non_stroking_color") or ()),
                ))
            # Lines of one size that share a baseline within half a point are one line;
            # a table row's cells come out as separate pieces of one line.
            lines.sort(key=lambda l: (l.top, l.left))
            pages.append(_merge(lines))
            found = []
            for r in list(page.rects) + list(page.lines):
                w = float(r["x1"] - r["x0"])
                h = float(r["bottom"] - r["top"])
                if w < 3 * h:  # a vertical stroke (table cell borders)
                    continue
                color = r.get("stroking_color") if r.get("stroke") else r.get("non_stroking_color")
                found.append(Rule(number, float(r["top"] + r["bottom"]) / 2 * MM_PER_PT,
                                  float(r["x0"]) * MM_PER_PT, float(r["x1"]) * MM_PER_PT,
                                  max(h, float(r.get("linewidth") or 0)) * MM_PER_PT,
                                  tuple(color or ())))
            rules.append(sorted(found, key=lambda r: r.y))
    return pages, rules


def _merge(lines: list[Line]) -> list[Line]:
    out: list[Line] = []
    for line in lines:
        last = out[-1] if out else None
        if last and abs(last.top - line.top) < 0.3 and last.size == line.size:
            last.text += line.text
            last.right = max(last.right, line.right)
            last.left = min(last.left, line.left)
            last.fonts |= line.fonts
        else:
            out.append(line)
    return out


def find(pages: list[list[Line]], text: str) -> Line:
    """The first line holding `text`."""
    for lines in pages:
        for line in lines:
            if text in line.text:
                return line
    raise AssertionError(f"no line holds {text!r}")
