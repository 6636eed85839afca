"""YAML file → plain data plus the line of every key, with errors a user can act on.

Every DataError must name file:line, but PyYAML forgets positions once it has
built Python objects. So the node tree is composed first, walked once to record
the line of each key path and to catch what PyYAML lets through silently
(duplicate keys, self-referencing aliases), and only then constructed.

Mapping keys are kept as the text the user typed (`101:` stays "101", `yes:`
stays "yes"): ids are names, not numbers, and the key paths in `lines` then
match the data exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator import limits, textfile
from generator.errors import DataError

MAX_BYTES = limits.MAX_DATA_BYTES
# Aliases let a small file expand into a huge structure ("billion laughs");
# an indicator file has a few thousand values at most.
MAX_VALUES = limits.MAX_VALUES
_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# What YAML 1.1 reads as a number although nobody typing figures means it so:
# 1:30 is 90 (base 60), 010 is 8 (octal), 0x10 is 16, 0b11 is 3, 1_000 is 1000.
# A plain number is digits, a sign, a point and an exponent.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z|[-+]?(?:[0-9]+)?\.[0-9]*(?:[eE][-+]?[0-9]+)?\Z"
                           r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_QUIRKS = (
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z"), "a base-60 number", "六十进制数"),
    (re.compile(r"[-+]?0x[0-9a-fA-F_]+\Z"), "a hexadecimal number", "十六进制数"),
    (re.compile(r"[-+]?0b[01_]+\Z"), "a binary number", "二进制数"),
    (re.compile(r"[-+]?0[0-7_]+\Z"), "an octal number", "八进制数"),
    (re.compile(r".*_"), "a number with _ between digits", "数字中间带下划线的数"),
)
MAX_DIGITS = 16  # a whole number of more digits is beyond limits.MAX_NUMBER
_MERGE_TAG = "tag:yaml.org,2002:merge"

KeyPath = tuple[str | int, ...]
Lines = dict[KeyPath, int]


def key_path(path: KeyPath) -> str:
    """("indicators", "gdp", "growth") → indicators.gdp.growth; indices as [0]."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def line_of(path: KeyPath, lines: Lines) -> int:
    """Line of the deepest recorded key on `path` (a missing key points at its parent)."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def load_file(path: str | Path) -> tuple[Any, Lines]:
    """Read, decode and parse a YAML file; (data, lines) or DataError."""
    return parse_text(read_file(path), str(path))


def read_file(path: str | Path) -> str:
    """The text of a data file, or DataError (missing, too large, not UTF-8)."""
    return decode(read_bytes(path), str(path))


def refuse_special(path: Path, source: str) -> None:
    """DataError for a FIFO, socket or device given as a data file: reading one blocks or never ends."""
    special = limits.not_a_file(path)
    if special is not None:
        raise DataError(f"cannot read the file: {special[0]}", f"无法读取文件：{special[1]}", file=source)


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a data file, or DataError (missing, unreadable, too large)."""
    source = str(path)
    file = Path(path)
    refuse_special(file, source)
    try:
        size = file.stat().st_size
        # The size is checked before reading so a wrong 2 GB file fails fast.
        _check_size(size, source)
        return file.read_bytes()
    except OSError as exc:
        raise unreadable(exc, source) from exc


def unreadable(exc: OSError, source: str) -> DataError:
    """A file that cannot be opened, said in both languages (strerror is English only)."""
    if isinstance(exc, FileNotFoundError):
        en, zh = "there is no such file", "文件不存在"
    elif isinstance(exc, IsADirectoryError):
        en, zh = "it is a folder, not a file", "这是文件夹，不是文件"
    elif isinstance(exc, PermissionError):
        en, zh = "permission denied", "没有读取权限"
    else:
        en = zh = str(exc.strerror or exc)
    return DataError(f"cannot read the file: {en}", f"无法读取文件：{zh}", file=source)


def decode(raw: bytes, source: str) -> str:
    """Bytes → text; UTF-8 only, with a plain message for what offices actually send."""
    _check_size(len(raw), source)
    if not raw.strip():
        raise DataError("the file is empty", "文件为空", file=source)
    try:
        return textfile.decode(raw)
    except textfile.NotUtf8 as exc:
        kind, bad = exc.kind, exc.offset
    if kind == textfile.UTF16:
        raise DataError("the file is UTF-16 encoded; save it as UTF-8",
                        "文件是UTF-16编码，请另存为UTF-8", file=source)
    if kind == textfile.NUL:
        raise DataError("not a text file (it contains NUL bytes)",
                        "不是文本文件（含有NUL字节）", file=source)
    if kind == textfile.GBK:
        raise DataError("the file is GBK-encoded; save it as UTF-8",
                        "文件是GBK编码，请另存为UTF-8", file=source)
    if kind == textfile.BINARY:
        raise DataError("not a text file", "不是文本文件", file=source)
    raise DataError(f"not UTF-8 text (invalid byte 0x{raw[bad]:02X}); save it as UTF-8",
                    f"不是UTF-8编码的文本（无效字节0x{raw[bad]:02X}），请另存为UTF-8",
                    file=source, line=raw.count(b"\n", 0, bad) + 1)


def parse_text(text: str, source: str) -> tuple[Any, Lines]:
    """Parse YAML text; the top level must be a mapping. (data, lines) or DataError."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), source)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError("the file is empty", "文件为空", file=source)
    try:
        data, lines = PositionLoader.load_text(text, source)
    except yaml.MarkedYAMLError as exc:
        raise _plain_yaml_error(exc, text, source) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise DataError(f"contains a control character U+{exc.character:04X} that text may not contain",
                        f"含有文本中不允许的控制字符U+{exc.character:04X}",
                        file=source, line=line) from None
    except RecursionError:
        raise DataError("nested too deeply to be an indicator file",
                        "嵌套层次过深，不是有效的指标文件", file=source) from None
    if data is None:
        raise DataError("the file has no data (only comments or blank lines)",
                        "文件没有数据（只有注释或空行）", file=source)
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else f'"{data}"'
        got_zh = "列表" if isinstance(data, list) else f'"{data}"'
        raise DataError(f"the top level must be a mapping (meta:, indicators: …), got {got}",
                        f"顶层应为键值映射（meta:、indicators: 等），实际为{got_zh}",
                        file=source, line=1)
    return data, lines


# ------------------------------------------------------------------ quick path
# Walking the node tree costs seconds and hundreds of megabytes for a county
# of thousands of townships, and the lines it records only serve error
# messages. quick_load reads libyaml's event stream into plain data directly,
# without positions. It answers None whenever the careful loader below might
# see the file differently (aliases, anchors, tags, merge keys, duplicate
# keys, several documents, tabs, unusual line breaks, control characters,
# directives, "?" which libyaml allows inside [a, b] and PyYAML does not, or no
# libyaml): the caller then parses carefully, which gives the exact message
# and line.

_QUICK_UNSURE = re.compile("[\t?\x85\u2028\u2029\ufeff]|^%", re.MULTILINE)
# The same characters, and the control characters PyYAML's reader refuses
# (Reader.NON_PRINTABLE), as they appear in UTF-8 bytes: single bytes, then
# sequences (U+0080–U+009F, U+2028/9, U+FEFF, U+FFFE/F). Two plain patterns
# search a file four times faster than one with every alternative.
_UNSURE_BYTE = re.compile(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f?]")
_UNSURE_SEQUENCE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef(?:\xbb\xbf|\xbf[\xbe\xbf])")
_QUICK_TAGS = frozenset({"tag:yaml.org,2002:" + t
                         for t in ("str", "int", "float", "bool", "null", "timestamp")})
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Unsure(Exception):
    pass


Unit = Callable[[dict], Any]


def quick_load(text: str | bytes, unit: Unit | None = None) -> dict[str, Any] | None:
    """The data of a plain YAML mapping, as the careful loader would build it; None when unsure.

    `text` may be the file's bytes (UTF-8), which libyaml reads without a
    decoded copy. `unit`, if given, is called with each township of
    townships.units as soon as it is read and what it returns stands in the
    list instead; it returns None when unsure of the township, and so of the file.
    """
    if isinstance(text, str):
        text = text.removeprefix("\ufeff")
    if not quick_candidate(text):
        return None
    parser = yaml.cyaml.CParser(text)
    try:
        data = _from_events(parser, unit)
    except (_Unsure, yaml.YAMLError, ValueError, OverflowError):
        return None
    finally:
        parser.dispose()
    return data if isinstance(data, dict) else None


def quick_candidate(text: str | bytes) -> bool:
    """Whether quick_load may read `text` at all: libyaml is there, nothing in it that the
    two loaders could read differently (a tab, a BOM inside, odd line breaks), not too large."""
    if not getattr(yaml, "__with_libyaml__", False):
        return False
    if isinstance(text, bytes):
        return len(text) <= MAX_BYTES and not (
            _UNSURE_BYTE.search(text) or _UNSURE_SEQUENCE.search(text)
            or text.startswith(b"%") or b"\n%" in text)  # a directive
    if len(text) > MAX_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return False  # too large: the careful loader says so
    return not (_QUICK_UNSURE.search(text) or yaml.reader.Reader.NON_PRINTABLE.search(text))


_EXPECT_KEY = object()  # a mapping's next scalar is a key


def _from_events(parser: Any, unit: Unit | None = None) -> Any:
    # Classes and methods are bound to locals: this loop runs once per YAML event.
    scalar, mapping, sequence = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end = yaml.MappingEndEvent
    ends = (mapping_end, yaml.SequenceEndEvent)
    skipped = (yaml.StreamStartEvent, yaml.DocumentEndEvent)
    get_event = parser.get_event
    root = None
    stack: list[dict | list] = []  # open containers, innermost last
    keys: list[Any] = []  # per open mapping: the key awaiting its value, or _EXPECT_KEY
    units: list | None = None  # townships.units, once open
    documents = values = 0
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar or kind is mapping or kind is sequence:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _Unsure
            if stack and keys[-1] is _EXPECT_KEY:
                if kind is not scalar or event.value in stack[-1] \
                        or (event.value == "<<" and event.implicit[0]):
                    raise _Unsure  # a list or mapping as key, a repeated key, a merge
                keys[-1] = event.value  # keys stay the text the user typed
                continue
            values += 1
            if values > MAX_VALUES:
                raise _Unsure
            if kind is scalar:
                value = _scalar(event)
            else:
                value = {} if kind is mapping else []
            if not stack:
                root = value
            elif keys[-1] is not None:  # in a mapping
                stack[-1][keys[-1]] = value
                keys[-1] = _EXPECT_KEY
            else:
                stack[-1].append(value)
            if kind is not scalar:
                if kind is sequence and unit is not None and len(stack) == 2 \
                        and root.get("townships") is stack[1] and stack[1].get("units") is value:
                    units = value
                stack.append(value)
                keys.append(_EXPECT_KEY if kind is mapping else None)
        elif kind in ends:
            if kind is mapping_end and units is not None and len(stack) > 1 \
                    and stack[-2] is units:
                # A township is read: hand it over now, so a county of thousands
                # never holds every township as plain data at once.
                compact = unit(stack[-1])
                if compact is None:
                    raise _Unsure
                units[-1] = compact
            stack.pop()
            keys.pop()
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unsure
        elif kind is yaml.StreamEndEvent:
            return root
        elif kind not in skipped:
            raise _Unsure  # an alias


_DECIMAL = re.compile(r"[1-9][0-9]{0,15}\Z")  # what YAML 1.1 reads as a plain int, quickly


def _scalar(event: yaml.ScalarEvent) -> Any:
    if event.implicit[0] and _DECIMAL.match(event.value):
        return int(event.value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:str":
        return event.value
    if tag not in _QUICK_TAGS:
        raise _Unsure
    if (tag == _INT_TAG or tag == _FLOAT_TAG) and (not _PLAIN_NUMBER.match(event.value)
                                                   or len(event.value.lstrip("+-")) > MAX_DIGITS):
        raise _Unsure  # the careful way says what YAML 1.1 made of it
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, event.value))


class PositionLoader(yaml.SafeLoader):
    """SafeLoader that records the line of every key path and refuses duplicate keys."""

    def __init__(self, stream: str, source: str):
        super().__init__(stream)
        self.source = source

    @classmethod
    def load_text(cls, text: str, source: str) -> tuple[Any, Lines]:
        """(data, lines) of a one-document YAML text; (None, {}) when it holds no data."""
        loader = cls(text, source)  # the reader checks for control characters right here
        try:
            node = loader.get_single_node()
            if node is None:
                return None, {}
            lines: Lines = {(): node.start_mark.line + 1}
            loader._walk(node, (), lines, {}, set())
            return loader.construct_document(node), lines
        finally:
            loader.dispose()

    def _walk(self, node: yaml.Node, path: KeyPath, lines: Lines,
              sizes: dict[int, int], active: set[int]) -> int:
        """Record lines under `node`; return how many values it expands to."""
        if id(node) in sizes:
            # An alias to a node already walked: its lines are recorded where it
            # was defined; paths under the alias fall back to the alias's own line.
            return sizes[id(node)]
        if id(node) in active:
            raise self._error(node, path, "an alias refers to the mapping or list that contains it",
                              "别名引用了包含它自身的内容")
        active.add(id(node))
        size = 1
        if isinstance(node, yaml.ScalarNode) and node.tag in (_INT_TAG, _FLOAT_TAG):
            self._check_number(node, path)
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    size += self._walk(value_node, path, {}, sizes, active)
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._error(key_node, path, "a key must be plain text, not a list or mapping",
                                      "键必须是文字，不能是列表或映射")
                name = key_node.value
                line = key_node.start_mark.line + 1
                if name in first_line:
                    raise self._error(key_node, path + (name,),
                                      f'duplicate key "{name}" (first at line {first_line[name]})',
                                      f'键"{name}"重复（第{first_line[name]}行已出现）')
                first_line[name] = line
                lines[path + (name,)] = line
                size += self._walk(value_node, path + (name,), lines, sizes, active)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[path + (index,)] = item.start_mark.line + 1
                size += self._walk(item, path + (index,), lines, sizes, active)
        active.discard(id(node))
        sizes[id(node)] = size
        if size > MAX_VALUES:
            raise self._error(node, path, "aliases expand to too many values for an indicator file",
                              "别名展开后数据量过大，不是有效的指标文件")
        return size

    def _check_number(self, node: yaml.ScalarNode, path: KeyPath) -> None:
        """Refuse what YAML 1.1 reads as a number nobody meant (1:30 → 90, 010 → 8), and
        whole numbers too long to compute with, naming the line and key."""
        text = node.value
        if _PLAIN_NUMBER.match(text):
            digits = len(text.lstrip("+-").split(".")[0])
            if node.tag == _INT_TAG and digits > MAX_DIGITS:
                raise self._error(node, path, f"expected a number between -1e15 and 1e15, got a whole "
                                              f"number of {digits} digits",
                                  f"数值超出范围（应在-1e15到1e15之间），实际为{digits}位整数")
            return
        for pattern, kind_en, kind_zh in _QUIRKS:
            if pattern.match(text):
                break
        else:
            kind_en, kind_zh = "a number", "数字"
        try:
            value = self.construct_object(node)
            shown_value = f"{value:g}" if isinstance(value, float) else str(value)
        except (ValueError, OverflowError):
            shown_value = "?"
        raise self._error(node, path,
                          f"{text} is not a plain number: YAML 1.1 reads it as {kind_en} ({shown_value}); "
                          "write plain digits (e.g. 90 or 1.5), or put it in quotes if it is text",
                          f"{text}不是普通数字：YAML 1.1会把它当作{kind_zh}（{shown_value}），"
                          "请写成普通数字（如90或1.5）；如果是文字请加引号")

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
        self.flatten_mapping(node)
        return {key_node.value: self.construct_object(value_node, deep=deep)
                for key_node, value_node in node.value}

    def construct_date(self, node: yaml.ScalarNode) -> dt.date:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            raise self._error(node, None, f"{node.value} is not a real calendar date",
                              f"{node.value}不是有效的日期") from None

    def _error(self, node: yaml.Node, path: KeyPath | None, en: str, zh: str) -> DataError:
        return DataError(en, zh, file=self.source, line=node.start_mark.line + 1,
                         key=key_path(path) if path else None)


PositionLoader.add_constructor("tag:yaml.org,2002:timestamp", PositionLoader.construct_date)


def _plain_yaml_error(exc: yaml.MarkedYAMLError, text: str, source: str) -> DataError:
    """Turn PyYAML's parser jargon into what the user did wrong and how to fix it."""
    problem = exc.problem or ""
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    runaway = _runaway_quote(text, line) if line else None
    if runaway:
        # An unclosed quote swallows lines until the next quote character, and the
        # error surfaces there; the opening quote is what needs fixing.
        start, end = runaway
        return DataError(f"a quote opened here is closed only on line {end}; close it on the same line",
                         f"此处的引号没有在本行闭合（直到第{end}行才闭合），请在本行补上引号",
                         file=source, line=start)
    if "'\\t'" in problem:
        en, zh = "a tab is used for indentation; indent with spaces", "使用了Tab缩进，请改用空格缩进"
    elif "quoted scalar" in context:
        # The end of the file is where PyYAML notices; the opening quote is what to fix.
        line = exc.context_mark.line + 1
        en, zh = "a quote opened here is never closed", "此处的引号没有闭合"
    elif "cannot start any token" in problem:
        char = problem.split("'")[1]
        en = f'a value cannot start with {char}; put it in quotes, e.g. unit: "{char}"'
        zh = f'以{char}开头的值要加引号，如 unit: "{char}"'
    elif "undefined alias" in problem:
        alias = problem.split("'")[1]
        en = f"uses the alias *{alias}, but no &{alias} is defined above it"
        zh = f"使用了别名*{alias}，但上文没有定义&{alias}"
    elif "mapping values are not allowed" in problem:
        en = "a colon in an unexpected place: check the indentation, or quote text that contains \": \""
        zh = "此处不应出现冒号：请检查缩进，或给含有\": \"的文字加引号"
    elif "block end" in problem or "expected key" in problem or "expected ':'" in problem:
        en, zh = "the indentation does not line up with the lines above", "缩进与上文不一致"
    elif "another document" in problem:
        en = 'a second YAML document starts here (a "---" line); keep one document per file'
        zh = '此处开始了第二个YAML文档（"---"分隔行），一个文件只能有一个文档'
    elif "flow" in context:
        en, zh = "a [list] or {mapping} is not closed or not separated by commas", "[列表]或{映射}没有闭合或缺少逗号"
    else:
        en, zh = f"not valid YAML: {problem or context}", f"不是有效的YAML：{problem or context}"
    slip = _fullwidth_colon_line(text, line) if line else None
    if slip:
        line = slip
        en = 'a key is followed by a full-width colon "："; write key: value with an ASCII colon and a space'
        zh = '键后用了全角冒号"："，应使用半角冒号加空格，如 key: value'
    return DataError(en, zh, file=source, line=line)


def _runaway_quote(text: str, error_line: int) -> tuple[int, int] | None:
    """(start, end) lines of a quoted value spanning lines that ends just before the error.

    Values in an indicator file are one line; a quoted one spanning lines right
    before a parse error is almost always a missing closing quote.
    """
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start, end = token.start_mark.line + 1, token.end_mark.line + 1
            if (isinstance(token, yaml.ScalarToken) and token.style in ('"', "'")
                    and start < end and error_line - 2 <= end <= error_line):
                return start, end
    except yaml.YAMLError:
        pass  # the tokens up to the error are all that matter
    return None


def _fullwidth_colon_line(text: str, line: int) -> int | None:
    """A line typed with "：" instead of ": " just above or at the error (a common slip)."""
    rows = text.splitlines()
    for number in (line - 1, line):
        if 0 < number <= len(rows) and "：" in rows[number - 1] and ":" not in rows[number - 1]:
            return number
    return None


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise DataError(f"the file is too large for an indicator file ({size / 1024 / 1024:.1f} MB; limit 10 MB)",
                        f"文件过大（{size / 1024 / 1024:.1f} MB），指标文件不应超过10 MB", file=source)
