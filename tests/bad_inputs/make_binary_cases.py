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
