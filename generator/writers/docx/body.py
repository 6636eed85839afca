"""Write a model.Document as a GB/T 9704 .docx, fast.

Page set-up, footers and styles come from a reference .docx (see generator.writers.docx.build_reference); this
module only writes the body, the document properties and any pictures. The body is built
as a string and the package zipped by generator.writers.docx.ooxml with the reference's parts
compressed once, instead of python-docx parsing and re-serialising the whole package per
document: a county prints a scorecard for every township and department at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.document.model import (
    Block,
    DocMeta,
    Document,
    Heading,
    Image,
    PageBreak,
    Paragraph,
    Run,
    SIGNATURE,
    Table,
    Title,
)
from generator.document.numbering import labelled
from generator.writers.docx import title_lines
from generator.writers.docx import trace_part
from generator.writers.docx.ooxml import (
    A_NS,
    CT_CORE,
    CT_CUSTOM,
    EMU_PER_TWIP,
    PIC_NS,
    R_NS,
    REL_CORE,
    REL_CUSTOM,
    REL_IMAGE,
    W_NS,
    WP_NS,
    WPS_NS,
    XML_DECL,
    ZipMember,
    build_zip,
    deflate,
    deflate_pieces,
    escape,
    insert_before_close,
    part_order,
)
from generator.writers.docx.reference import (
    CONTENT_TYPES_PART,
    CORE_PART,
    CUSTOM_PART,
    DOCUMENT_PART,
    DOCUMENT_RELS_PART,
    PACKAGE_RELS_PART,
    ROLE_STYLES,
    Reference,
)


def _ppr(style: str, extra: str = "") -> str:
    """Paragraph properties: a style plus direct properties, already in schema order."""
    return f'<w:pPr><w:pStyle w:val="{style}"/>{extra}</w:pPr>'


_BOLD = "<w:rPr><w:b/><w:bCs/></w:rPr>"
_HIGHLIGHT = '<w:highlight w:val="yellow"/>'  # a draft's placeholder, 【待补：…】
_BREAK_BEFORE = "<w:pageBreakBefore/>"


def _run(text: str, bold: bool = False, highlight: bool = False) -> str:
    if not text:
        return ""
    if highlight:
        rpr = f"<w:rPr>{'<w:b/><w:bCs/>' if bold else ''}{_HIGHLIGHT}</w:rPr>"
        return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
    return f'<w:r>{_BOLD if bold else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _runs(runs: tuple[Run, ...], label: str = "") -> str:
    if label:
        first = runs[0] if runs else Run("")
        runs = (Run(label + first.text, first.bold, first.highlight),) + tuple(runs[1:])
    return "".join(_run(r.text, r.bold, r.highlight) for r in runs)


# Table text is 小四 (12 pt): a CJK character is 240 twips wide; Latin digits are
# counted at 0.6 em (144 twips), since fallback fonts draw them wider than
# Times New Roman's half em. Each cell adds its left and right margins (85
# twips each in the reference's table style) and a little air.
CJK_TWIPS = 240
LATIN_TWIPS = 144
CELL_PADDING = 2 * 85 + 60
MIN_COLUMN = 4 * LATIN_TWIPS + CELL_PADDING


def _text_twips(text: str) -> int:
    wide = (len(text.encode("utf-8")) - len(text)) // 2  # CJK: 3 UTF-8 bytes each
    return wide * CJK_TWIPS + (len(text) - wide) * LATIN_TWIPS


def _column_widths(table: Table, columns: int, total: int) -> list[int]:
    """Share the text width by content so figures never wrap.

    Each column asks for its widest cell on one line (a header may take two).
    When the asks add up to more than the line, the widest columns (names,
    never the short figures) are cut down to a common cap; leftover room is
    shared in proportion to the asks.
    """
    widest = [0] * columns
    for row in table.rows:  # one pass over the cells, row by row
        for c, text in enumerate(row[:columns]):
            width = _text_twips(text)
            if width > widest[c]:
                widest[c] = width
    need = []
    for c in range(columns):
        header = _text_twips(table.header[c]) if c < len(table.header) else 0
        need.append(max(MIN_COLUMN, widest[c] + CELL_PADDING, (header + 1) // 2 + CELL_PADDING))
    if sum(need) > total:
        cap = _water_level(need, total)
        need = [min(n, cap) for n in need]
    scale = sum(need)
    widths = [total * n // scale for n in need]
    widths[-1] += total - sum(widths)
    return widths


def _water_level(need: list[int], total: int) -> int:
    """The largest cap such that sum(min(n, cap)) fits in total."""
    ordered = sorted(need)
    below = 0
    for i, n in enumerate(ordered):
        rest = len(ordered) - i
        if below + n * rest > total:
            return max(MIN_COLUMN, (total - below) // rest)
        below += n
    return ordered[-1]


_JC = {"center": '<w:jc w:val="center"/>', "right": '<w:jc w:val="right"/>'}


def _cell_open(width: int) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'


def _cell(width: int, paragraph: str) -> str:
    return f"{_cell_open(width)}{paragraph}</w:tc>"


def _table(table: Table, ref: Reference, out: list[str]) -> None:
    st = ref.styles
    if table.caption:
        out.append(f'<w:p>{_ppr(st["Caption"], "<w:keepNext/>")}{_run(table.caption)}</w:p>')
    columns = max([len(table.header)] + [len(r) for r in table.rows]) or 1
    widths = _column_widths(table, columns, ref.text_width)
    out.append(f'<w:tbl><w:tblPr><w:tblStyle w:val="{st["OfficialTable"]}"/>'
               f'<w:tblW w:w="{ref.text_width}" w:type="dxa"/><w:jc w:val="center"/>'
               '<w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>')
    out.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out.append("</w:tblGrid>")
    if table.header:
        head_ppr = _ppr(st["TableHeading"])
        out.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        for c in range(columns):
            text = table.header[c] if c < len(table.header) else ""
            out.append(_cell(widths[c], f"<w:p>{head_ppr}{_run(text)}</w:p>"))
        out.append("</w:tr>")
    # Everything around a body cell's text depends on its column only: built once per
    # table, as a scorecard's table has 160 cells.
    before = [_cell_open(widths[c]) + "<w:p>"
              + _ppr(st["TableText"], _JC.get(table.align[c], "") if c < len(table.align) else "")
              for c in range(columns)]
    for row in table.rows:
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        out.extend(f"{before[c]}{_run(row[c] if c < len(row) else '')}</w:p></w:tc>"
                   for c in range(columns))
        out.append("</w:tr>")
    out.append("</w:tbl>")


class _Media:
    """Pictures of one document: one part per asset, relationship ids the reference lacks."""

    def __init__(self, assets: Mapping[str, bytes], ref: Reference):
        self.assets = assets
        self.ref = ref
        self.rel_ids: dict[str, str] = {}
        self.parts: list[ZipMember] = []
        self.rels: list[str] = []
        self.types: list[str] = []  # content types of parts other than pictures (the trace's)
        self.drawings = 0

    def embed(self, asset: str) -> tuple[str, bytes]:
        data = self.assets.get(asset)
        if data is None:
            raise ValueError(f"image asset {asset!r} is not in Document.assets")
        rid = self.rel_ids.get(asset)
        if rid is None:
            n = len(self.rel_ids) + 1
            rid = f"rIdImg{n}"
            while rid in self.ref.rel_ids:
                rid += "x"
            self.rel_ids[asset] = rid
            self.parts.append(deflate(f"word/media/image{n}.png", data, 6))
            self.rels.append(f'<Relationship Id="{rid}" Type="{REL_IMAGE}" '
                             f'Target="media/image{n}.png"/>')
        return rid, data


def _png_size(data: bytes, asset: str) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"image asset {asset!r} is not a PNG")
    return struct.unpack(">II", data[16:24])


def _image(image: Image, ref: Reference, media: _Media, out: list[str]) -> None:
    rid, data = media.embed(image.asset)
    px_w, px_h = _png_size(data, image.asset)
    cx = ref.text_width * EMU_PER_TWIP
    cy = cx * px_h // px_w
    max_cy = ref.text_height * EMU_PER_TWIP * 3 // 4  # leave room for the caption
    if cy > max_cy:
        cx, cy = cx * max_cy // cy, max_cy
    media.drawings += 1
    n = media.drawings
    # Auto line spacing: an exact 579-twip line would crop the picture to one line.
    extra = ('<w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
             if image.caption else
             '<w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>')
    out.append(
        f'<w:p>{_ppr(ref.styles["Center"], extra)}<w:r><w:drawing>'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:docPr id="{n}" name="图片 {n}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        f'<a:graphic><a:graphicData uri="{PIC_NS}"><pic:pic><pic:nvPicPr>'
        f'<pic:cNvPr id="{n}" name="image{n}.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/><a:stretch><a:fillRect/></a:stretch>'
        f'</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/>'
        '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
        '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>')
    if image.caption:
        out.append(f'<w:p>{_ppr(ref.styles["Caption"])}{_run(image.caption)}</w:p>')


_PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
_EMPTY = "<w:p/>"


def _letterhead(doc: Document, ref: Reference, out: list[str]) -> None:
    """版头 (GB/T 9704 §7.2): red issuer mark, document number, red rule.

    The distances are the reference's styles (DocMark: 35 mm from the top of the text
    block; DocNumber: two blank lines under the mark), off the line grid so that
    they are measured, not rounded to grid lines. The rule is the bottom border of
    a short paragraph under the number, 4 mm below it and as wide as the text block;
    its spacing after leaves the two blank lines above the title (§7.3.1).
    """
    meta, st = doc.meta, ref.styles
    out.append(f'<w:p>{_ppr(st["DocMark"])}{_run(meta.issuer)}</w:p>')
    if meta.doc_number:
        out.append(f'<w:p>{_ppr(st["DocNumber"])}{_run(meta.doc_number)}</w:p>')
    out.append('<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="12" w:space="0" '
               'w:color="FF0000"/></w:pBdr><w:snapToGrid w:val="0"/>'
               f'<w:spacing w:before="0" w:after="{RULE_AFTER}" w:line="{RULE_LINE}" '
               'w:lineRule="exact"/><w:ind w:left="0" w:right="0" w:firstLine="0"/>'
               '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


# The rule paragraph: its line ends 4 mm under the number's characters; after it, two
# blank lines of body text (2 × 579 twips) stand above the title.
RULE_LINE = 130
RULE_AFTER = 2 * 579 - 193


def _imprint_lines(doc: Document, ref: Reference) -> list[str]:
    """The 版记's paragraphs: 抄送 (continuation lines after "抄送："), then 印发."""
    meta, style = doc.meta, ref.styles["Imprint"]
    width = ref.text_width
    rows = []
    if meta.cc:
        cc = meta.cc.rstrip("。")  # the data may already end the list with 。
        # One character in, and a continuation line starts under the first name: a
        # hanging indent as wide as "抄送：" (three 14 pt characters).
        hang = ('<w:ind w:leftChars="400" w:left="1120" w:rightChars="100" w:right="280" '
                'w:hangingChars="300" w:hanging="840"/>')
        rows.append(f'<w:p>{_ppr(style, hang)}{_run(f"抄送：{cc}。")}</w:p>')
    print_date = meta.print_date if meta.print_date.endswith("印发") else meta.print_date + "印发"
    # One 14 pt character in from the right, like the indent on the left.
    tabs = f'<w:tabs><w:tab w:val="right" w:pos="{width - 280}"/></w:tabs>'
    rows.append(f'<w:p>{_ppr(style, tabs)}{_run(meta.printer)}<w:r><w:tab/></w:r>'
                f'{_run(print_date)}</w:p>')
    return rows


def _imprint(doc: Document, ref: Reference, out: list[str]) -> None:
    """版记 (GB/T 9704 §7.4): 抄送 and 印发 between rules as wide as the text block, thick
    outside and thin between, the words one character in, the last rule on the last line
    of the last page.

    A table gives full-width rules around indented words (paragraph borders would follow
    the indents). It stands in a text box anchored to the bottom of the text block of the
    page where the document ends: LibreOffice ignores a floating table's page-bottom
    position, and both it and Word keep an anchored box where it is put. The box wraps
    top and bottom, so body text never runs under it: a last page too full for it moves
    the box, with the document's last paragraph, to a page of its own.
    """
    width = ref.text_width
    rows = _imprint_lines(doc, ref)
    table = [
        '<w:tbl><w:tblPr>'
        f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>'
        '<w:top w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
        '<w:insideH w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tblBorders>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
        '<w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>']
    for row in rows:
        table.append(f'<w:tr><w:trPr><w:cantSplit/></w:trPr>{_cell(width, row)}</w:tr>')
    table.append("</w:tbl>")
    # A text box's content must end in a paragraph: a 1 pt one, so the box's bottom is
    # the table's last rule.
    table.append('<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" '
                 'w:line="20" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')
    cx = width * EMU_PER_TWIP
    # The box has a fixed height with its text at the bottom (a box that grows to fit
    # grows downwards in LibreOffice, off the last line): a line per 29 characters of
    # 14 pt, one 579-twip line each, and a spare line in case the office's fonts run wider.
    per_line = max(1, (width - 2 * 280) // 280)
    lines = (1 + len(f"抄送：{doc.meta.cc}") // per_line if doc.meta.cc else 0) + 1
    cy = ((lines + 1) * 579 + 20) * EMU_PER_TWIP
    out.append(
        '<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="20" '
        'w:lineRule="exact"/><w:ind w:firstLine="0"/></w:pPr><w:r><w:drawing>'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="0"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapTopAndBottom/><wp:docPr id="{IMPRINT_SHAPE_ID}" name="版记"/>'
        f'<wp:cNvGraphicFramePr/><a:graphic><a:graphicData uri="{WPS_NS}"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        '<a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{"".join(table)}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" '
        'anchor="b" anchorCtr="0"/></wps:wsp></a:graphicData>'
        '</a:graphic></wp:anchor></w:drawing></w:r></w:p>')


# Pictures are numbered from 1 as they come; the 版记's box takes an id none of them will.
IMPRINT_SHAPE_ID = 9999


def _title(block: Title, ref: Reference, brk: str) -> str:
    """The title, broken between words into a trapezoid or diamond (§7.3.1)."""
    lines = title_lines.break_title(block.text, ref.text_width / TITLE_EM - TITLE_SLACK)
    runs = '<w:r><w:br/></w:r>'.join(_run(line) for line in lines)
    return f'<w:p>{_ppr(ref.styles["Title"], brk)}{runs}</w:p>'


# 2号 is 22 pt, 440 twips a character; a title line keeps a character's air at its ends.
TITLE_EM = 440
TITLE_SLACK = 1
BODY_EM = 320  # 3号, 16 pt
BODY_ADVANCE = 315  # what the Normal style's condensed spacing leaves of a character
BLANK_LINE = 579


def _signature_indents(name: str, date: str) -> tuple[int, int]:
    """Right indents (twips) of 发文机关署名 and 成文日期 without a seal (§7.3.5.2).

    The name stands two characters in from the right; the date's first character two
    to the right of the name's first. A date longer than that allows stands two
    characters in itself, and the name moves left to keep the two characters' step.
    """
    two = 2 * BODY_EM
    name_w = _line_twips(name)
    date_w = _line_twips(date)
    date_right = max(two, name_w - date_w)
    name_right = date_right + date_w + two - name_w
    return name_right, date_right


def _line_twips(text: str) -> int:
    """Width of a line of body text: condensed characters, half-width digits, and the
    quarter em that Word and LibreOffice put between Chinese and Latin (autoSpaceDN)."""
    wide = [title_lines.text_width(c) == 1 for c in text]
    switches = sum(1 for a, b in zip(wide, wide[1:]) if a != b)
    return round(title_lines.text_width(text) * BODY_ADVANCE + switches * BODY_EM / 4)


def _right_indent(twips: int) -> str:
    return (f'<w:ind w:rightChars="{round(twips * 100 / BODY_EM)}" w:right="{twips}" '
            'w:firstLineChars="0" w:firstLine="0"/>')


def _with_next(blocks: Iterable[tuple[Block, str]]) -> Iterator[tuple[Block, str, Block | None]]:
    """Each block with its label and the block after it (None at the end)."""
    blocks = iter(blocks)
    current = next(blocks, None)
    for following in blocks:
        yield current[0], current[1], following[0]
        current = following
    if current is not None:
        yield current[0], current[1], None


def _is_signature(block: Block | None) -> bool:
    return isinstance(block, Paragraph) and block.role == SIGNATURE


def _body(doc: Document, ref: Reference, media: _Media) -> Iterator[str]:
    """The body's XML in pieces, a block at a time, as the blocks come."""
    st = ref.styles
    out: list[str] = []
    meta = doc.meta
    # The document model, not a template's name, asks for the notice's furniture: an
    # issuer gets the 版头, a printer or a cc list the 版记.
    if meta.issuer:
        _letterhead(doc, ref, out)
    previous = None
    signature_right: int | None = None  # the date's indent, set by the name above it
    for block, label, following in _with_next(labelled(doc.blocks)):
        # A page break before a paragraph becomes that paragraph's
        # pageBreakBefore: a break paragraph of its own would land alone on a
        # fresh page whenever the page before it is exactly full.
        brk = _BREAK_BEFORE if isinstance(previous, PageBreak) else ""
        if isinstance(block, Paragraph):
            style = ROLE_STYLES.get(block.role)
            if style is None:
                raise ValueError(f"unknown paragraph role {block.role!r}")
            keep = spacing = indent = widow = ""
            if block.role == SIGNATURE:
                # 落款 and 成文日期 (§7.3.5): one blank line under the body, kept on the
                # page of the body's last lines, never alone at the top of a page.
                if _is_signature(following):
                    keep = "<w:keepNext/>"
                if not _is_signature(previous):
                    spacing = f'<w:spacing w:before="{BLANK_LINE}"/>'
                if _is_signature(following) and not _is_signature(previous):
                    name_right, signature_right = _signature_indents(block.text, following.text)
                    indent = _right_indent(name_right)
                elif signature_right is not None and _is_signature(previous):
                    indent = _right_indent(signature_right)
                    signature_right = None
            elif _is_signature(following):
                # The body's last two lines go with the signature to its page.
                keep, widow = "<w:keepNext/>", "<w:widowControl/>"
            extra = keep + brk + widow + spacing + indent  # the schema's order
            if style == "Normal":
                ppr = f"<w:pPr>{extra}</w:pPr>" if extra else ""
            else:
                ppr = _ppr(st[style], extra)
            out.append(f"<w:p>{ppr}{_runs(block.runs)}</w:p>")
        elif isinstance(block, Heading):
            out.append(f'<w:p>{_ppr(st[f"Heading{block.level}"], brk)}{_runs(block.runs, label)}</w:p>')
        elif isinstance(block, Title):
            out.append(_title(block, ref, brk))
            if len(out) > 1:  # a title starts a scorecard of a volume: hand over what came before
                yield "".join(out[:-1])
                del out[:-1]
        else:
            if brk:
                out.append(_PAGE_BREAK)
            if isinstance(block, Table):
                if isinstance(previous, Table) and not block.caption:
                    out.append(_EMPTY)  # Word fuses adjacent tables into one
                _table(block, ref, out)
            elif isinstance(block, Image):
                _image(block, ref, media, out)
            elif not isinstance(block, PageBreak):
                raise TypeError(f"not a document block: {block!r}")
        previous = block
    if isinstance(previous, PageBreak):
        out.append(_PAGE_BREAK)
    if meta.printer or meta.cc:
        _imprint(doc, ref, out)
    elif isinstance(previous, Table):
        out.append(_EMPTY)  # a body must not end in a table
    yield "".join(out)


_DOCUMENT_HEAD = (
    f'{XML_DECL}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}" xmlns:wp="{WP_NS}" '
    f'xmlns:a="{A_NS}" xmlns:pic="{PIC_NS}" xmlns:wps="{WPS_NS}"><w:body>')
_DOCUMENT_TAIL = "</w:body></w:document>"


def _core(doc: Document) -> str:
    """Core properties from the document itself, never the clock, so output is reproducible."""
    dates = ""
    if doc.meta.date:
        stamp = dt.date.fromisoformat(doc.meta.date).isoformat() + "T00:00:00Z"
        dates = (f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                 f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>')
    return (
        f'{XML_DECL}<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dc:title>{escape(doc.meta.title)}</dc:title>{dates}</cp:coreProperties>')


def _custom(properties: Mapping[str, str]) -> str:
    items = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{escape(name)}"><vt:lpwstr>{escape(str(value))}</vt:lpwstr></property>'
        for pid, (name, value) in enumerate(sorted(properties.items()), start=2))
    return (f'{XML_DECL}<Properties '
            'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f'{items}</Properties>')


def _fresh_id(prefix: str, taken: frozenset[str]) -> str:
    rid = prefix
    while rid in taken:
        rid += "x"
    return rid


# The parts written anew for every document are compressed at zlib level 3: a
# scorecard's body deflates four times faster than at the default 6 and comes
# out 12 % larger (2.9 against 2.5 KB). Fixed parts are compressed once, at 9.
BODY_LEVEL = 3


def render_docx(doc: Document, ref: Reference | None = None,
                custom_properties: Mapping[str, str] | None = None) -> bytes:
    """The .docx bytes of a document; the same document gives the same bytes."""
    ref = ref or Reference.load()
    media = _Media(doc.assets, ref)
    document = _DOCUMENT_HEAD + "".join(_body(doc, ref, media)) + ref.sect_pr + _DOCUMENT_TAIL
    trace_part.attach(doc, document, media, ref)  # where each figure came from, unseen in Word
    return _package(doc, deflate(DOCUMENT_PART, document.encode("utf-8"), BODY_LEVEL), media,
                    ref, custom_properties)


def render_stream(meta: DocMeta, blocks: Iterable[Block], ref: Reference | None = None) -> bytes:
    """The .docx of a document whose blocks come one at a time (a volume of thousands).

    The same bytes as render_docx of a Document holding those blocks, without
    ever holding the blocks or the body whole. No pictures: assets travel with
    a Document, and these blocks come from many.
    """
    ref = ref or Reference.load()
    media = _Media({}, ref)
    streamed = _Streamed(meta, blocks)
    pieces = itertools.chain((_DOCUMENT_HEAD,), _body(streamed, ref, media),
                             (ref.sect_pr, _DOCUMENT_TAIL))
    return _package(streamed, deflate_pieces(DOCUMENT_PART, pieces, BODY_LEVEL), media, ref, None)


@dataclass(frozen=True)
class _Streamed:
    """What _body and _package read of a document, with blocks that come one at a time."""

    meta: DocMeta
    blocks: Iterable[Block]


def _package(doc: Document | _Streamed, document: ZipMember, media: _Media, ref: Reference,
             custom_properties: Mapping[str, str] | None) -> bytes:
    """The package around a document part: core properties, relationships, fixed parts."""
    types = [f'<Override PartName="/{CORE_PART}" ContentType="{CT_CORE}"/>']
    package_rels = [f'<Relationship Id="{_fresh_id("rIdCore", ref.package_rel_ids)}" '
                    f'Type="{REL_CORE}" Target="{CORE_PART}"/>']
    members = [document, deflate(CORE_PART, _core(doc).encode("utf-8"), BODY_LEVEL)]
    if custom_properties is not None:
        types.append(f'<Override PartName="/{CUSTOM_PART}" ContentType="{CT_CUSTOM}"/>')
        package_rels.append(f'<Relationship Id="{_fresh_id("rIdCustom", ref.package_rel_ids)}" '
                            f'Type="{REL_CUSTOM}" Target="{CUSTOM_PART}"/>')
        members.append(deflate(CUSTOM_PART, _custom(custom_properties).encode("utf-8")))
    if media.rel_ids and not ref.has_png:
        types.insert(0, '<Default Extension="png" ContentType="image/png"/>')
    types += media.types
    members += [
        ref.member(CONTENT_TYPES_PART, insert_before_close(ref.content_types, "".join(types))),
        ref.member(PACKAGE_RELS_PART, insert_before_close(ref.package_rels, "".join(package_rels))),
        ref.member(DOCUMENT_RELS_PART, insert_before_close(ref.document_rels, "".join(media.rels))),
    ]
    members += media.parts
    members += ref.fixed
    members.sort(key=lambda m: part_order(m.name))
    return build_zip(members)


def write_docx(doc: Document, path: str | Path, ref: Reference | None = None,
               custom_properties: Mapping[str, str] | None = None) -> Path:
    """Render and write in one go (not atomic: the output module handles that)."""
    path = Path(path)
    path.write_bytes(render_docx(doc, ref, custom_properties))
    return path
