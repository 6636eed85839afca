"""The physical floor of writing a set of .docx files: the same bytes, nothing else done.

    python bench/floor.py SOURCE_FOLDER OUT_FOLDER

Given a folder of documents (speechgen's scorecards), this reads them outside the
clock and sorts their parts into those that are the same in every document (styles,
fonts, settings, content types…) and those that differ (the body, the core
properties, the figures' trace). The fixed parts are kept as the compressed bytes
found in the files, once. Then, on the clock, it writes every document again: the
parts that differ deflated at the level speechgen writes them (zlib 3), a zip laid
around them with the fixed parts as they are, the file written. Rendering, the
figures and the document model cost nothing here: what is left is what any writer
of these bytes must pay. It prints one JSON line: documents, CPU and wall seconds
on the clock, and whether every file written is byte for byte the one read.
"""

from __future__ import annotations

import json
import struct
import sys
import time
import zipfile
import zlib
from pathlib import Path

LEVEL = 3  # speechgen's level for the parts written anew per document
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_DATE = (0 << 9) | (1 << 5) | 1


def raw_members(path: Path) -> list[tuple[str, int, int, bytes, bytes]]:
    """(name, crc, size, compressed bytes, content) of each member, in the file's order."""
    blob = path.read_bytes()
    out = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            start = info.header_offset
            name_len, extra_len = struct.unpack_from("<HH", blob, start + 26)
            data_at = start + 30 + name_len + extra_len
            out.append((info.filename, info.CRC, info.file_size,
                        blob[data_at:data_at + info.compress_size], zf.read(info)))
    return out


def _zip(members: list[tuple[bytes, int, int, bytes]]) -> bytes:
    out, central, offset = [], [], 0
    for name, crc, size, data in members:
        flags = 0 if name.isascii() else 0x800
        header = _LOCAL.pack(0x04034B50, 20, flags, 8, 0, _DOS_DATE, crc, len(data), size,
                             len(name), 0)
        out += (header, name, data)
        central.append(_CENTRAL.pack(0x02014B50, 20, 20, flags, 8, 0, _DOS_DATE, crc, len(data),
                                     size, len(name), 0, 0, 0, 0, 0, offset) + name)
        offset += len(header) + len(name) + len(data)
    directory = b"".join(central)
    out += (directory, _END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory),
                                 offset, 0))
    return b"".join(out)


def prepare(files: list[Path]) -> list[list]:
    """Per document, its members: fixed ones compressed, the others as content to deflate."""
    docs = [raw_members(f) for f in files]
    first = {name: content for name, _, _, _, content in docs[0]}
    fixed = {name for name in first
             if all(any(n == name and c == first[name] for n, _, _, _, c in d) for d in docs)}
    plans = []
    for d in docs:
        plans.append([(name.encode("utf-8"), crc, size, data) if name in fixed
                      else (name.encode("utf-8"), content) for name, crc, size, data, content in d])
    return plans


def write_all(plans: list[list], out: Path) -> list[Path]:
    written = []
    for n, plan in enumerate(plans):
        members = []
        for item in plan:
            if len(item) == 4:
                members.append(item)
            else:
                name, content = item
                c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
                members.append((name, zlib.crc32(content), len(content),
                                c.compress(content) + c.flush()))
        path = out / f"{n}.docx"
        with open(path, "wb") as fh:
            fh.write(_zip(members))
        written.append(path)
    return written


def main(argv: list[str]) -> None:
    source, out = Path(argv[0]), Path(argv[1])
    files = sorted(source.rglob("*.docx"))  # a set is in a folder of its own
    out.mkdir(parents=True, exist_ok=True)
    plans = prepare(files)
    cpu, wall = time.process_time(), time.perf_counter()
    written = write_all(plans, out)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    same = all(a.read_bytes() == b.read_bytes() for a, b in zip(files, written))
    fixed = sum(len(item) == 4 for item in plans[0]) if plans else 0
    print(json.dumps({"documents": len(files), "cpu_s": cpu, "wall_s": wall,
                      "identical": same, "fixed_parts": fixed,
                      "parts": len(plans[0]) if plans else 0}))


if __name__ == "__main__":
    main(sys.argv[1:])
