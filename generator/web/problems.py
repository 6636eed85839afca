"""What went wrong, as the page shows it: in Chinese, where to look, and the place itself.

The library's errors carry a file, a line, a key (for a spreadsheet, the sheet and
cell as Excel shows them) and the message in both languages. The page shows the
Chinese message, the place in words the user knows (the file's own name, never a
path on the server), and a few lines of the YAML or rows of the sheet around it with
the bad line or cell marked. Built in the worker process, where the files are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import SpeechgenError
from generator.sources.validation import MAX_REPORTED, InvalidDataError

AROUND = 2  # lines or rows shown before and after the bad one
IMPORTED = " (imported)"  # how spreadsheet.load_dataset names the YAML it made from a sheet


@dataclass(frozen=True)
class Excerpt:
    """A few numbered lines of a YAML file (one column) or rows of a sheet, one marked."""

    columns: tuple[str, ...]  # column letters for a sheet; () for lines of text
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (line or row number, cells)
    mark_row: int  # index into rows
    mark_col: int | None = None  # index into a row's cells (sheets)


@dataclass(frozen=True)
class Problem:
    where: str  # 青山县.yaml 第12行 · indicators.gdp.growth
    message: str
    excerpt: Excerpt | None = None


@dataclass
class Files:
    """The files a piece of work read, and the names they are shown by."""

    data: Path  # the upload as stored
    data_name: str  # the upload's name on the user's computer
    mapping: Path | None = None
    mapping_name: str = ""

    def shown(self, file: str | None) -> str:
        if not file:
            return ""
        if file == str(self.data):
            return self.data_name
        if file == str(self.data) + IMPORTED:
            return f"{self.data_name}（转换后的数据）"
        if self.mapping is not None and file == str(self.mapping):
            return f"映射文件 {self.mapping_name}"
        return Path(file).name  # a file of the working folder (a mapping's base): its name only

    def scrub(self, text: str) -> str:
        """No path of the server in a message: each file is called by its shown name."""
        for path in sorted({str(self.data) + IMPORTED, str(self.data),
                            str(self.mapping or ""), str(self.data.parent)}, key=len, reverse=True):
            if path:
                text = text.replace(path, self.shown(path) or "上传的文件")
        return text


def describe(exc: SpeechgenError, files: Files) -> list[Problem]:
    """The error as problems to list on the page, each with its place when it has one."""
    if isinstance(exc, InvalidDataError):
        text = _text_of(exc.file, files)
        return [_problem(files, exc.file, p.line, p.key, p.zh or p.en, text)
                for p in exc.problems[:MAX_REPORTED]]
    return [_problem(files, exc.file, exc.line, exc.key, exc.zh or exc.en, _text_of(exc.file, files))]


def _problem(files: Files, file: str | None, line: int | None, key: str | None, message: str,
             text: str | None) -> Problem:
    name = files.shown(file)
    excerpt = None
    place = [name] if name else []
    if file == str(files.data) and files.data.suffix != ".yaml":
        from generator.sources import spreadsheet

        around = spreadsheet.cells_around(files.data, key, AROUND)
        if around is not None:
            excerpt = Excerpt(around.columns,
                              tuple((str(around.first_row + i), row) for i, row in enumerate(around.rows)),
                              around.row, around.col)
            place += ([f"工作表“{around.sheet}”"] if around.sheet else []) + [f"{around.cell}单元格"]
            key = None
    if line:
        place.append(f"第{line}行")
        if text is not None:
            excerpt = _lines(text, line)
    if key:
        place.append(key)
    return Problem(" · ".join(place), files.scrub(message), excerpt)


def _text_of(file: str | None, files: Files) -> str | None:
    """The text the error's line numbers count in: the uploaded YAML, the mapping, or the YAML
    made from the sheet; None when it cannot be had."""
    try:
        if file == str(files.data) and files.data.suffix == ".yaml":
            return files.data.read_bytes().decode("utf-8-sig")
        if files.mapping is not None and file == str(files.mapping):
            return files.mapping.read_bytes().decode("utf-8-sig")
        if file == str(files.data) + IMPORTED and files.mapping is not None:
            from generator.sources import spreadsheet

            return spreadsheet.to_yaml(spreadsheet.import_data(files.data, files.mapping))
    except (OSError, UnicodeDecodeError, SpeechgenError):
        return None
    return None


def _lines(text: str, line: int) -> Excerpt | None:
    # A parser may point one past the last line (a list left open at the end of the file).
    lines = text.splitlines() + ["（文件末尾）"]
    if not 1 <= line <= len(lines):
        return None
    start, stop = max(1, line - AROUND), min(len(lines) - (line < len(lines)), line + AROUND)
    return Excerpt((), tuple((str(n), (lines[n - 1][:200],)) for n in range(start, stop + 1)),
                   line - start)
