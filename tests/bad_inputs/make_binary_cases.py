"""Build the bad inputs that are not plain UTF-8 text: other encodings, workbooks,
damaged .docx files, a 50 MB file and binary garbage.

They are built at test time into a copy of this folder (tests/test_bad_inputs.py)
rather than committed: editors and git re-encode text, and nobody wants 50 MB
in the repository. Run it by hand to look at them:

    python tests/bad_inputs/make_binary_cases.py /tmp/bad_inputs
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
REFERENCE = HERE.parents[1] / "generator" / "resources" / "reference.docx"
LARGE_BYTES = 50 * 1024 * 1024
HEADER = ["乡镇", "投资本期", "投资目标", "收入本期", "收入目标", "上期排名"]


def _county() -> str:
    return (HERE / "base" / "county.yaml").read_text(encoding="utf-8")


def _workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "乡镇指标"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _reference_with(name: str, data: bytes) -> bytes:
    with zipfile.ZipFile(REFERENCE) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    return _zip({**parts, name: data})


def _workbook_with(rows: list[list], edit=None) -> bytes:
    """A workbook whose sheet openpyxl builds, then `edit(sheet)` changes (merges, formulas, far cells)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "乡镇指标"
    for row in rows:
        sheet.append(row)
    if edit is not None:
        edit(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [HEADER, ["东山镇", 5200, 12000, 800, 2000, 1], ["西河乡", 3100, 9000, None, None, 2]]


def _edit_part(data: bytes, name: str, change) -> bytes:
    """The zip `data` with part `name` replaced by change(old text)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts[name] = change(parts[name].decode("utf-8")).encode("utf-8")
    return _zip(parts)


def _far_merge() -> bytes:
    """A merged range reaching the sheet's last cell: openpyxl would make 17 billion cells of it."""
    return _edit_part(_workbook(GOOD_ROWS), "xl/worksheets/sheet1.xml",
                      lambda xml: xml.replace("</sheetData>", '</sheetData><mergeCells count="1">'
                                              '<mergeCell ref="H1:XFD1048576"/></mergeCells>'))


def _inflating(parts: dict[str, bytes], name: str, head: bytes, filler: bytes, size: int, tail: bytes) -> bytes:
    """A zip of `parts` plus part `name`: head, `size` bytes of filler, tail, deflated as it is written."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for part, data in parts.items():
            if part != name:
                archive.writestr(part, data)
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            out.write(head)
            chunk = filler * (1024 * 1024 // len(filler))
            for _ in range(size // len(chunk)):
                out.write(chunk)
            out.write(tail)
    return buffer.getvalue()


def _xlsx_bomb() -> bytes:
    """A small .xlsx whose sheet inflates to 256 MB of white space inside its XML."""
    with zipfile.ZipFile(io.BytesIO(_workbook(GOOD_ROWS))) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cut = sheet.index(b"</sheetData>")
    return _inflating(parts, "xl/worksheets/sheet1.xml", sheet[:cut], b" ", 256 * 1024 * 1024, sheet[cut:])


def _reference_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(REFERENCE) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _docx_bomb() -> bytes:
    """The default reference with a 256 MB (inflated) settings part."""
    parts = _reference_parts()
    settings = parts["word/settings.xml"]
    cut = settings.rindex(b"</w:settings>")
    return _inflating(parts, "word/settings.xml", settings[:cut], b" ", 256 * 1024 * 1024, settings[cut:])


def _page(old: str, new: str) -> bytes:
    """The default reference with one attribute of its page set-up changed."""
    parts = _reference_parts()
    xml = parts["word/document.xml"].decode("utf-8")
    assert old in xml, old
    return _zip({**parts, "word/document.xml": xml.replace(old, new).encode("utf-8")})


def _large_yaml() -> bytes:
    """A real 50 MB indicator file (a county file followed by endless comment lines)."""
    head = _county().encode("utf-8")
    line = "# 备注：本行为填充内容，用于测试超大文件。\n".encode("utf-8")
    return head + line * ((LARGE_BYTES - len(head)) // len(line) + 1)


def cases() -> dict[str, bytes]:
    """Relative path → bytes of every built case."""
    county = _county()
    noise = random.Random(20240715)
    garbage = bytes(noise.randrange(256) for _ in range(64 * 1024))
    return {
        "encoding/gbk.yaml": county.encode("gbk"),
        "encoding/utf16.yaml": county.encode("utf-16"),
        "encoding/latin1.yaml": county.replace("青山县委办公室", "Café Office").encode("utf-8")
        .replace("Café".encode(), b"Caf\xe9"),
        "encoding/control_char.yaml": county.replace("二季度工作例会", "二季度\x07工作例会").encode("utf-8"),
        "encoding/gbk_template.md.j2": "# 在{{ meta.meeting }}上的讲话\n\n同志们：\n".encode("gbk"),
        "csv/utf16.csv": (HERE / "csv" / "good.csv").read_text(encoding="utf-8").encode("utf-16"),
        "xlsx/missing_column.xlsx": _workbook([HEADER[:4] + HEADER[5:], ["东山镇", 5200, 12000, 800, 1],
                                               ["西河乡", 3100, 9000, None, 2]]),
        "xlsx/not_a_number.xlsx": _workbook([HEADER, ["东山镇", 5200, 12000, 800, 2000, 1],
                                             ["西河乡", "约3千", 9000, None, None, 2]]),
        "xlsx/duplicate_township.xlsx": _workbook([HEADER, ["东山镇", 5200, 12000, 800, 2000, 1],
                                                   ["东山镇", 3100, 9000, None, None, 2]]),
        "xlsx/old_format.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "xlsx/damaged.xlsx": b"PK\x03\x04" + bytes(64),
        "data/workbook.yaml": _workbook([HEADER, ["东山镇", 5200, 12000, 800, 2000, 1]]),
        "reference/workbook.docx": _workbook([HEADER]),
        "reference/zip_of_text.docx": _zip({"readme.txt": "样式说明".encode("utf-8")}),
        "reference/broken_styles.docx": _reference_with("word/styles.xml", b"<w:styles><w:style>"),
        # issue 10: workbooks that are silently wrong or too large to read
        "xlsx/formula_uncached.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("B3", "=B2-2100")),
        "xlsx/formula_uncached_target.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("E2", "=SUM(E3:E4)")),
        "xlsx/formula_uncached_rank.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("F3", "=F2+1")),
        "xlsx/merged_value_target.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.merge_cells("B2:C2")),
        "xlsx/merged_across_townships.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.merge_cells("D2:D3")),
        "xlsx/far_cell.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("XFD1048576", "备注")),
        "xlsx/far_row.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("A900000", "备注")),
        "xlsx/far_column.xlsx": _workbook_with(GOOD_ROWS, lambda s: s.__setitem__("ZZZ1", "备注")),
        "xlsx/far_merge.xlsx": _far_merge(),
        "xlsx/zip_bomb.xlsx": _xlsx_bomb(),
        # issue 10: reference documents that are bombs or have page set-ups no page can have
        "reference/zip_bomb.docx": _docx_bomb(),
        "reference/page_width_inf.docx": _page('w:w="11906"', 'w:w="inf"'),
        "reference/page_height_text.docx": _page('w:h="16838"', 'w:h="A4"'),
        "reference/page_width_negative.docx": _page('w:w="11906"', 'w:w="-11906"'),
        "reference/page_width_huge.docx": _page('w:w="11906"', 'w:w="99999999999999999999"'),
        "reference/margin_nan.docx": _page('w:left="1587"', 'w:left="nan"'),
        "reference/margins_wider_than_page.docx": _page('w:left="1587"', 'w:left="11000"'),
        "reference/margins_taller_than_page.docx": _page('w:top="2098"', 'w:top="16000"'),
        "reference/margin_exponent.docx": _page('w:right="1474"', 'w:right="1e400"'),
        "generated/large.yaml": _large_yaml(),
        "generated/garbage.yaml": garbage,
        "generated/garbage_no_nul.yaml": bytes(b or 1 for b in garbage),
    }


def build(folder: Path) -> None:
    for name, data in cases().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
