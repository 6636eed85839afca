"""Where generated files go: safe names and atomic writes.

Names come from data (region and township names), so they are cleaned to be
valid on Windows and Linux alike; files are written to a temporary name in
the same folder and renamed, so an interrupted run never leaves half a .docx.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from generator.errors import OutputError

# ext4 allows 255 bytes per name; a CJK character is 3 bytes in UTF-8.
MAX_NAME_CHARS = 80
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str) -> str:
    """A file name stem that is valid on Windows and Linux and cannot leave its folder."""
    text = unicodedata.normalize("NFC", str(name))
    text = _FORBIDDEN.sub("_", text).strip().strip(".").strip()
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    text = text[:MAX_NAME_CHARS].rstrip(" .")
    if not text or set(text) <= {"_"}:
        raise OutputError(f"cannot make a file name from {name!r}",
                          f"无法用“{name}”生成文件名", key="name")
    return text


def output_name(region: str, period_code: str, label: str, ext: str) -> str:
    """青山县_2024-Q2_讲话.docx"""
    return f"{safe_filename(region)}_{safe_filename(period_code)}_{safe_filename(label)}.{ext}"


def _default_mode() -> int:
    """Mode a plain open() would give: mkstemp's 0600 would hide the file from colleagues."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_MODE = _default_mode()


def atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes so that the file is either the old one or the complete new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
