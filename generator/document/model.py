"""The document model: what a document says, with no layout.

Readers (the Markdown parser in blocks.py) produce it; writers (docx_writer,
text_writer) consume it. Plain frozen dataclasses, so a Document can be built
by hand in tests, compared, and concatenated (the merged scorecard volume is
the blocks of many documents with PageBreaks between them).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    highlight: bool = False  # a draft's placeholder (【待补：…】): yellow in Word


@dataclass(frozen=True)
class Title:
    """Document title: 2号 小标宋, centred. A Title also restarts heading numbers."""

    text: str


@dataclass(frozen=True)
class Heading:
    """Level 1..4 → 一、 （一） 1. （1）; the writer adds the number, the text has none."""

    level: int
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


# Paragraph roles. The writer maps each to a style of the reference document.
BODY = "body"  # first-line indent 2 characters, justified
SPEAKER = "speaker"  # speaker and date line under a speech title: 楷体, centred
SALUTATION = "salutation"  # 同志们： and 主送机关: flush left, no indent
CENTER = "center"
SIGNATURE = "signature"  # 落款 and 成文日期: right-aligned
NOTE = "note"  # small print under tables (附注, 数据来源)
PARAGRAPH_ROLES = (BODY, SPEAKER, SALUTATION, CENTER, SIGNATURE, NOTE)


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    role: str = BODY

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()  # per column: "left" | "center" | "right"; empty = left
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """A picture from Document.assets (PNG bytes), shown full width."""

    asset: str
    caption: str = ""


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Title | Heading | Paragraph | Table | Image | PageBreak


@dataclass(frozen=True)
class DocMeta:
    """Document-level fields the writer lays out itself (from the template's front matter).

    kind: "speech" | "notice" | "scorecard". A notice gets the red 版头 (issuer,
    doc_number, red rule) before its blocks and the 版记 (cc, printer, print date)
    after them.
    """

    kind: str = "speech"
    title: str = ""  # for document properties; the visible title is a Title block
    issuer: str = ""  # 发文机关标志, e.g. 中共青山县委办公室
    doc_number: str = ""  # 发文字号, e.g. 青委办〔2024〕12号
    cc: str = ""  # 抄送
    printer: str = ""  # 印发机关
    print_date: str = ""  # 印发日期 as a worded date, 2024年7月16日; writers add "印发"
    date: str = ""  # ISO date for core properties (never the clock)


@dataclass(frozen=True)
class Document:
    meta: DocMeta
    blocks: tuple[Block, ...]
    assets: dict[str, bytes] = field(default_factory=dict, compare=False)
    # Where each figure came from and where it stands (generator/audit/placement.Trace);
    # None for a document not made from a template.
    trace: object = field(default=None, compare=False)
