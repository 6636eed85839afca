"""The parse stage: rendered template markup (Markdown) → document model.

The markup is CommonMark with pipe tables, YAML front matter for DocMeta and
block attributes ({.speaker}) for paragraph roles. Only what an official
document can show is accepted; anything else (raw HTML, code, web images,
###### headings) is a template bug and stops with the template's line.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import fields

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from generator.audit import figures, placement
from generator.errors import TemplateError, shown
from generator.document.model import (
    BODY, PARAGRAPH_ROLES, Block, DocMeta, Document, Heading, Image, PageBreak, Paragraph, Run,
    Table, Title,
)

# text_join is off so that backslash escapes stay separate tokens (text_special):
# a "*" left in a plain text token is then an emphasis marker that did not pair.
_MD = (MarkdownIt("commonmark").enable("table")
       .use(front_matter_plugin).use(attrs_block_plugin).disable("text_join"))
# Images must name assets. Let every URL through, so a file: or data: image is
# rejected below with a message instead of silently staying literal text.
_MD.validateLink = lambda url: True
# Keep asset keys as written (the default percent-encodes non-ASCII: 图1 → %E5%9B%BE1).
_MD.normalizeLink = lambda url: url

# ---------------------------------------------------------------- plain content, fast
# A batch parses one scorecard per township, and markdown-it spends most of that
# time on the table: three tokens and a full inline parse per cell, and rows
# split character by character. Most content holds none of the characters an
# inline rule starts at, and markdown-it would turn it into one text token; the
# two rules below take that shortcut and leave everything else to markdown-it.

# Where an inline rule may start: line break, escape, code, emphasis, link, image, html, entity.
_INLINE_SYNTAX = re.compile(r"[\n\\`*_\[!<&]")


def _inline(state: StateCore) -> None:
    """markdown-it's core inline rule, with plain content as one text token."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if _INLINE_SYNTAX.search(token.content) is None:
                if token.content:
                    token.children.append(Token("text", "", 0, content=token.content))
            else:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


_DELIMITER_CELL = re.compile(r"^:?-+:?$")
# Inline syntax in a cell, tabs or escaped pipes: markdown-it's own rule decides.
_TABLE_UNSURE = re.compile(r"[\t\n\\`*_\[!<&]")


def _plain_table(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A pipe table whose lines all read | … | and whose cells are plain text.

    It becomes one `table_plain` token with the cells in `meta`. markdown-it's
    table rule, which runs next, takes every other table, and alone decides
    whether a table may interrupt a paragraph (this rule is no terminator).
    """
    # Top level only (state.level counts open blockquotes and lists; parentType
    # cannot tell, as markdown-it's lheading rule leaves it set to "paragraph").
    if silent or state.level or state.blkIndent or start + 2 > end:
        return False
    lines = []
    line = start
    while line < end and not state.isEmpty(line):
        text = state.src[state.bMarks[line]:state.eMarks[line]]
        if not (text.startswith("|") and text.endswith("|") and len(text) > 1) \
                or _TABLE_UNSURE.search(text):
            return False
        lines.append(text[1:-1].split("|"))
        line += 1
    if len(lines) < 2 or not all(_DELIMITER_CELL.match(c.strip(" ")) for c in lines[1]):
        return False
    header, rows = lines[0], lines[2:]
    if len(header) != len(lines[1]) or any(len(r) != len(header) for r in rows):
        return False
    cells = [[c.strip() for c in r] for r in [header] + rows]
    token = state.push("table_plain", "table", 0)
    token.map = [start, line]
    token.meta = {"header": cells[0], "rows": cells[1:],
                  "align": [_align(c.strip(" ")) for c in lines[1]]}
    state.line = line
    return True


def _align(delimiter: str) -> str:
    if delimiter.endswith(":"):
        return "center" if delimiter.startswith(":") else "right"
    return "left"


_MD.core.ruler.at("inline", _inline)
_MD.block.ruler.before("table", "table_plain", _plain_table)

_META_KEYS = tuple(f.name for f in fields(DocMeta))
_KINDS = ("speech", "notice", "scorecard")
_CAPTION_PREFIXES = ("Table:", "表：")
_TABLES = ("table_open", "table_plain")
_ASSET_SCHEME = "asset:"
_CONTAINERS = ("bullet_list_open", "bullet_list_close", "ordered_list_open", "ordered_list_close",
               "list_item_open", "list_item_close", "blockquote_open", "blockquote_close")

_FORBIDDEN_BLOCK = {
    "html_block": ("raw HTML is not allowed in templates", "模板中不允许使用 HTML"),
    "code_block": ("code blocks are not allowed in templates (is a line indented by 4 spaces?)",
                   "模板中不允许使用代码块（是否有行缩进了4个空格？）"),
    "fence": ("code blocks are not allowed in templates", "模板中不允许使用代码块"),
}


def parse(markup: str, source: str = "<markup>") -> Document:
    """The Document a rendered template describes; TemplateError names source and line."""
    tokens = _MD.parse(markup)
    lines = markup.splitlines()
    meta = DocMeta()
    blocks: list[Block] = []
    caption = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tok.type
        if kind == "front_matter":
            meta = _meta(tok.content, source)
        elif kind == "heading_open":
            _no_attrs(tok, source, lines)
            blocks.append(_heading(tok, tokens[i + 1], source))
            i += 2
        elif kind == "paragraph_open":
            role = _role(tok, source, lines)
            inline = tokens[i + 1]
            i += 2
            if _is_image(inline):
                blocks.append(_image(inline, source))
            else:
                runs = _runs(inline, source)
                text = _plain(runs)
                prefix = next((p for p in _CAPTION_PREFIXES if text.startswith(p)), None)
                if prefix and i + 1 < len(tokens) and tokens[i + 1].type in _TABLES:
                    caption = text[len(prefix):].strip()
                elif runs:
                    blocks.append(Paragraph(runs, role))
        elif kind == "table_open":
            _no_attrs(tok, source, lines)
            end = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            blocks.append(_table(tokens[i:end], caption, source))
            caption = ""
            i = end
        elif kind == "table_plain":
            _no_attrs(tok, source, lines)
            blocks.append(Table(header=tuple(tok.meta["header"]),
                                rows=tuple(tuple(r) for r in tok.meta["rows"]),
                                align=tuple(tok.meta["align"]), caption=caption))
            caption = ""
        elif kind == "hr":
            _no_attrs(tok, source, lines)
            blocks.append(PageBreak())
        elif kind in ("html_block", "code_block", "fence"):
            raise _error(tok, source, *_FORBIDDEN_BLOCK[kind])
        elif kind in _CONTAINERS:
            _no_attrs(tok, source, lines)
        else:
            raise AssertionError(f"blocks.parse does not handle token {kind}")
        i += 1
    doc = Document(meta=meta, blocks=tuple(blocks))
    # The render stage marked where each figure is (generator/audit): take the marks out.
    if figures.current() is not None or figures.START in markup:
        doc = placement.settle(doc)
    return doc


def _error(tok: Token, source: str, en: str, zh: str, line: int | None = None) -> TemplateError:
    if line is None and tok.map:
        line = tok.map[0] + 1
    return TemplateError(en, zh, file=source, line=line)


# ---------------------------------------------------------------- front matter

@functools.lru_cache(maxsize=32)  # a batch's documents share their front matter
def _meta(text: str, source: str) -> DocMeta:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # +2: marks are 0-based and the opening "---" is line 1. Only the problem is
        # quoted: YAML's own message counts lines from the front matter, not the file.
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise TemplateError(f"front matter is not valid YAML: {problem}",
                            f"文档头（front matter）不是有效的 YAML：{problem}",
                            file=source, line=line) from exc
    if data is None:
        return DocMeta()
    if not isinstance(data, dict):
        raise TemplateError("front matter must be key: value lines",
                            "文档头（front matter）必须是“键: 值”的形式", file=source, line=1)
    values = {}
    for key, value in data.items():
        if key not in _META_KEYS:
            raise TemplateError(f"unknown front matter key {key!r}; known: {', '.join(_META_KEYS)}",
                                f"文档头中有未知的键 {key!r}；可用的键：{'、'.join(_META_KEYS)}",
                                file=source, line=1, key=str(key))
        values[key] = _meta_value(key, value, source)
    meta = DocMeta(**values)
    if meta.kind not in _KINDS:
        got_en, got_zh = shown(meta.kind)
        raise TemplateError(f"kind must be one of {', '.join(_KINDS)}, got {got_en}",
                            f"kind 只能是 {'、'.join(_KINDS)}，实际为{got_zh}",
                            file=source, line=1, key="kind")
    return meta


def _meta_value(key: str, value: object, source: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise TemplateError(f"front matter {key} must be text, got {type(value).__name__}",
                        f"文档头中 {key} 必须是文字", file=source, line=1, key=key)


# ---------------------------------------------------------------- attributes

def _attr_line(tok: Token, lines: list[str]) -> int:
    """1-based line of the {…} attribute block above a block: the nearest non-blank line."""
    n = tok.map[0]
    while n > 0 and not lines[n - 1].strip():
        n -= 1
    return n if n > 0 else tok.map[0] + 1


def _no_attrs(tok: Token, source: str, lines: list[str]) -> None:
    # "start" is the parser's own attribute of an ordered list ("3. …"), not a {…} block.
    if any(k != "start" for k in tok.attrs):
        raise _error(tok, source, "block attributes {…} are only for paragraphs",
                     "块属性 {…} 只能用于段落", _attr_line(tok, lines))


def _role(tok: Token, source: str, lines: list[str]) -> str:
    if not tok.attrs:
        return BODY
    role = tok.attrs.get("class")
    if set(tok.attrs) != {"class"} or role not in PARAGRAPH_ROLES:
        shown = " ".join(f".{c}" for c in str(role).split()) if role else str(tok.attrs)
        raise _error(tok, source,
                     f"unknown paragraph role {{{shown}}}; use one of "
                     + " ".join(f"{{.{r}}}" for r in PARAGRAPH_ROLES),
                     f"未知的段落角色 {{{shown}}}；可用："
                     + " ".join(f"{{.{r}}}" for r in PARAGRAPH_ROLES),
                     _attr_line(tok, lines))
    return role


# ---------------------------------------------------------------- inline content

def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _line_break(left: str, right: str) -> str:
    """What a line break inside a paragraph becomes.

    Chinese has no spaces between words, nor between Chinese and digits or Latin
    (增长4.2%), so a break next to a CJK character on either side vanishes; only a
    break between two non-CJK characters is a word space.
    """
    # A figure's invisible marks (generator/audit) are not characters a reader sees.
    left, right = figures.strip_marks(left), figures.strip_marks(right)
    if left and right and not _is_cjk(left[-1]) and not _is_cjk(right[0]):
        return " "
    return ""


def _runs(inline: Token, source: str) -> tuple[Run, ...]:
    """The inline content as runs: bold kept, everything else flattened to text."""
    return _child_runs(inline.children or [], inline.map[0] + 1, source)


def _child_runs(children: list[Token], line: int, source: str) -> tuple[Run, ...]:
    pieces: list[Run | None] = []  # None marks a line break, resolved once both sides are known
    bold = 0
    for child in children:
        kind = child.type
        if kind == "text" and "*" in child.content:
            raise TemplateError(
                "unpaired * (CommonMark does not close ** after punctuation such as 。 "
                "when a character follows; move the ** before the punctuation, or "
                "write \\* for a literal *)",
                "* 没有配对（标点如“。”后紧跟文字时 ** 不能闭合：把 ** 移到标点前；"
                "如要显示 * 请写 \\*）", file=source, line=line)
        if kind in ("text", "text_special", "code_inline"):
            pieces.append(Run(child.content, bold > 0))
        elif kind in ("softbreak", "hardbreak"):
            pieces.append(None)
            line += 1
        elif kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "html_inline":
            raise TemplateError(*_FORBIDDEN_BLOCK["html_block"], file=source, line=line)
        elif kind == "image":
            raise TemplateError("an image must be alone in its paragraph", "图片必须单独成段",
                                file=source, line=line)
        # em, links and autolinks keep only their text: official documents have neither
        # italics nor hyperlinks.
    return _merge(pieces)


def _merge(pieces: list[Run | None]) -> tuple[Run, ...]:
    if len(pieces) == 1 and pieces[0] is not None:  # most table cells: one plain text
        text = pieces[0].text.strip()
        return (Run(text, pieces[0].bold),) if text else ()
    runs: list[Run] = []
    for k, piece in enumerate(pieces):
        if piece is None:
            left = "".join(p.text for p in pieces[:k] if p is not None)
            right = "".join(p.text for p in pieces[k + 1:] if p is not None)
            piece = Run(_line_break(left, right), runs[-1].bold if runs else False)
        if runs and runs[-1].bold == piece.bold:
            runs[-1] = Run(runs[-1].text + piece.text, piece.bold)
        elif piece.text:
            runs.append(piece)
    while runs and not runs[0].text.strip():
        runs.pop(0)
    while runs and not runs[-1].text.strip():
        runs.pop()
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold)
    return tuple(runs)


def _plain(runs: tuple[Run, ...]) -> str:
    return "".join(r.text for r in runs)


# ---------------------------------------------------------------- blocks

def _heading(tok: Token, inline: Token, source: str) -> Title | Heading:
    if tok.markup in ("=", "-"):
        raise _error(tok, source,
                     "underlined (setext) headings are not allowed: write '## text' "
                     "(a --- page break needs a blank line above it)",
                     "不允许用下划线（=== 或 ---）表示标题：请写“## 标题”（分页符 --- 上方须空一行）")
    level = int(tok.tag[1])
    if level == 6:
        raise _error(tok, source,
                     "heading levels go to 4 (# title, ## 一、 … ##### （1）); ###### is too deep",
                     "标题最多4级（# 为文档标题，## 一、…##### （1））；###### 层级过深")
    runs = _runs(inline, source)
    if not runs:
        raise _error(tok, source, "empty heading", "标题为空")
    if level == 1:
        return Title(_plain(runs))
    return Heading(level - 1, runs)


def _is_image(inline: Token) -> bool:
    shown = [c for c in inline.children or () if c.type != "text" or c.content.strip()]
    return len(shown) == 1 and shown[0].type == "image"


def _image(inline: Token, source: str) -> Image:
    image = next(c for c in inline.children if c.type == "image")
    src = image.attrs.get("src", "")
    key = src[len(_ASSET_SCHEME):] if src.startswith(_ASSET_SCHEME) else ""
    if not key:
        raise _error(inline, source,
                     f"image {src!r} must be asset:<key>: images come from the generator's "
                     "assets, not from files or the web",
                     f"图片 {src!r} 必须写成 asset:<键>：图片只能来自生成器的资源，不能引用文件或网络")
    caption = _plain(_child_runs(image.children or [], inline.map[0] + 1, source))
    return Image(asset=key, caption=caption)


_ALIGN = {"text-align:left": "left", "text-align:center": "center", "text-align:right": "right"}


def _table(tokens: list[Token], caption: str, source: str) -> Table:
    header: list[str] = []
    rows: list[tuple[str, ...]] = []
    align: list[str] = []
    row: list[str] = []
    for k, tok in enumerate(tokens):
        if tok.type == "th_open":
            align.append(_ALIGN.get(tok.attrs.get("style", ""), "left"))
        elif tok.type == "inline":
            (header if tokens[k - 1].type == "th_open" else row).append(_plain(_runs(tok, source)))
        elif tok.type == "tr_close" and row:
            rows.append(tuple(row))
            row = []
    return Table(header=tuple(header), rows=tuple(rows), align=tuple(align), caption=caption)
