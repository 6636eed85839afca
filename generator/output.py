"""Where generated files go: safe names, atomic writes, and no lost edits.

Names come from data (region and township names), so they are cleaned to be
valid on Windows and Linux alike; files are written to a temporary name in
the same folder and renamed, so an interrupted run never leaves half a .docx;
and a file someone edited after it was generated is never overwritten silently.
"""

from __future__ import annotations

import hashlib
import json
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


def make_folder(folder: Path) -> None:
    """Create an output folder, or say plainly why it cannot be one."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError("this is a file, not a folder: choose another --out",
                          "这是一个文件，不是文件夹：请换一个 --out 目录",
                          file=str(folder)) from None
    except PermissionError:
        raise OutputError("no permission to create or write this folder",
                          "没有权限创建或写入该文件夹", file=str(folder)) from None


def atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes so that the file is either the old one or the complete new one."""
    path = Path(path)
    make_folder(path.parent)
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


# Edits made by hand in Word must never be lost to a re-run. Every file speechgen
# writes is recorded with its SHA-256 in a manifest beside it; a file whose
# bytes no longer match (or that speechgen never wrote) is not overwritten
# without --force.
MANIFEST = ".speechgen-manifest.json"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict[str, str]:
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged manifest protects nothing; guard() then refuses unknown files
    return data if isinstance(data, dict) else {}


def record(folder: Path, written: dict[str, bytes | str]) -> None:
    """Add files (name → bytes, or their digest) to the folder's manifest."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    for name, data in written.items():
        manifest[name] = data if isinstance(data, str) else digest(data)
    text = json.dumps(dict(sorted(manifest.items())), ensure_ascii=False, indent=1)
    atomic_write(folder / MANIFEST, (text + "\n").encode("utf-8"))


def edited(path: Path, manifest: dict[str, str] | None = None) -> bool:
    """True when a file exists and is not byte for byte what speechgen last wrote there."""
    path = Path(path)
    if not path.exists():
        return False
    if manifest is None:
        manifest = read_manifest(path.parent)
    recorded = manifest.get(path.name)
    return recorded is None or digest(path.read_bytes()) != recorded


def guard(paths: list[Path], force: bool = False) -> None:
    """Refuse to overwrite files edited since speechgen wrote them."""
    if force:
        return
    manifests: dict[Path, dict[str, str]] = {}
    for path in paths:
        path = Path(path)
        manifest = manifests.setdefault(path.parent, read_manifest(path.parent))
        if edited(path, manifest):
            raise OutputError(
                "this file has been changed since speechgen wrote it (or was not written by "
                "speechgen); not overwriting it. Use --force to overwrite, or --out/-o to write "
                "elsewhere",
                "该文件在生成后被修改过（或不是本程序生成的），为保护修改内容未覆盖。"
                "如确需覆盖请加 --force，或用 --out/-o 另存",
                file=str(path))


def write_output(path: Path, data: bytes, force: bool = False) -> Path:
    """Write one generated file: guarded against lost edits, atomic, recorded."""
    path = Path(path)
    guard([path], force)
    atomic_write(path, data)
    record(path.parent, {path.name: data})
    return path
