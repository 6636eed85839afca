"""Where generated files go: safe names, atomic writes, and no lost edits.

Names come from data (region and township names), so they are cleaned to be
valid on Windows and Linux alike; files are written to a temporary name in
the same folder and renamed, so an interrupted run never leaves half a .docx;
and a file someone edited after it was generated is never overwritten silently.

This module alone decides what speechgen wrote: a file is speechgen's when the
folder's manifest records its name and its bytes still match. Everything else
in an output folder (a file, a folder at any depth, a link, a device) is the
user's, and is never deleted or overwritten without --force; what is not a
regular file is refused even with --force. It also owns the temporary names
(.~…part files, .<name>.…part staging folders): a run killed half-way leaves
them, and the next run in the folder removes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator import limits
from generator.errors import OutputError, os_error

# File names are capped in bytes, as file systems count them: ext4 and most others
# allow 255 bytes per name, and a CJK character is 3 bytes in UTF-8. Names made
# from others (the scorecards' staging folder .<name>.xxxxxxxx.part, the merged
# volume <name>汇编.docx) must fit too, hence the room kept.
NAME_BYTES = 255
DERIVED_ROOM = 24  # bytes a derived name may add: ".", ".xxxxxxxx.part", "汇编", ".docx"
PATH_BYTES = 4095  # Linux PATH_MAX less the terminating NUL
MAX_NAME_CHARS = 80  # characters kept of one part of a name (a region, a township)
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
# Windows device names, with or without an extension: COM¹ and LPT³ are devices too.
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
                       *(f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789¹²³")})


def _visible(text: str) -> str:
    """Invisible and direction-changing characters removed, every kind of space a space.

    Zero-width characters, the BOM, soft hyphens and bidi controls (U+202E and
    the rest) are Unicode "format" characters: they make two names look alike
    or a name end in another extension than it has.
    """
    out = []
    for ch in text:
        kind = unicodedata.category(ch)
        if kind == "Cf" or ch in "\u180e\u034f" or "\ufe00" <= ch <= "\ufe0f":
            continue
        out.append(" " if kind in ("Zs", "Zl", "Zp") else ch)
    return re.sub(r" {2,}", " ", "".join(out))


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8, cut between characters (and not before a combining mark)."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", "ignore")
    while cut and unicodedata.combining(text[len(cut)] if len(cut) < len(text) else ""):
        cut = cut[:-1]
    return cut


def safe_filename(name: str, max_bytes: int = NAME_BYTES - DERIVED_ROOM) -> str:
    """A file name stem that is valid on Windows and Linux and cannot leave its folder."""
    text = _visible(unicodedata.normalize("NFC", str(name)))
    text = _FORBIDDEN.sub("_", text).strip().strip(".").strip()
    if text.split(".")[0].rstrip(" ").upper() in _RESERVED:
        text = "_" + text
    text = _cut(text[:MAX_NAME_CHARS], max_bytes).rstrip(" .")
    if not text or set(text) <= {"_"}:
        raise OutputError(f"cannot make a file name from {name!r}",
                          f"无法用“{name}”生成文件名", key="name")
    return text


def output_name(region: str, period_code: str, label: str, ext: str) -> str:
    """青山县_2024-Q2_讲话.docx, the whole name within NAME_BYTES (less the derived room)."""
    rest = f"_{safe_filename(period_code)}_{safe_filename(label)}.{ext}"
    room = NAME_BYTES - DERIVED_ROOM - len(rest.encode("utf-8"))
    return f"{safe_filename(region, max_bytes=max(room, 12))}{rest}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """Mode a plain open() would give: mkstemp's 0600 would hide the file from colleagues."""
    return 0o666 & ~_umask()


def folder_mode() -> int:
    """Mode a plain mkdir() would give: mkdtemp's 0700 would hide the folder from colleagues."""
    return 0o777 & ~_umask()


# --- what is at a path ---------------------------------------------------------------------

def _mode(path: Path, cannot: tuple[str, str]) -> int | None:
    """The mode of what is at `path` itself (a link is not followed); None when nothing is."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise os_error(exc, path, cannot) from None


def check_target(path: Path) -> bool:
    """True when a regular file is at `path`, False when nothing is; OutputError for anything else.

    Refused even with --force: a folder, a link, a FIFO or a device where a
    document goes is never replaced (and a FIFO is never opened, which would block).
    """
    mode = _mode(path, ("cannot use this path", "无法使用该路径"))
    if mode is None:
        return False
    if stat.S_ISREG(mode):
        return True
    en, zh = limits.kind_of(mode)
    raise OutputError(f"{en} is where the output file goes; it is not replaced (not even with "
                      "--force): move it away or use --out/-o to write elsewhere",
                      f"输出文件的位置上是{zh}，不会被替换（加 --force 也不会）：请移走它，"
                      "或用 --out/-o 另存", file=str(path))


def make_folder(folder: Path) -> None:
    """Create an output folder, or say plainly why it cannot be one."""
    folder = Path(folder)
    _check_length(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError("this is a file, not a folder: choose another --out",
                          "这是一个文件，不是文件夹：请换一个 --out 目录",
                          file=str(folder)) from None
    except PermissionError:
        raise OutputError("no permission to create or write this folder",
                          "没有权限创建或写入该文件夹", file=str(folder)) from None
    except OSError as exc:
        raise os_error(exc, folder, ("cannot create the folder", "无法创建文件夹")) from None


def _check_length(path: Path) -> None:
    """The whole path and every name in it within what the file system allows, in bytes."""
    text = os.fsencode(os.path.abspath(path))
    if len(text) > PATH_BYTES or any(len(part) > NAME_BYTES for part in text.split(b"/")):
        raise OutputError(f"the path is too long ({len(text)} bytes; names may have at most "
                          f"{NAME_BYTES} bytes and a path {PATH_BYTES}): use a shorter --out",
                          f"路径过长（{len(text)}字节；每级名称不超过{NAME_BYTES}字节、整个路径不超过"
                          f"{PATH_BYTES}字节），请换一个较短的 --out", file=str(path)[:200] + "…")


@contextlib.contextmanager
def writing(path: Path, doing: tuple[str, str] = ("cannot write", "无法写入")) -> Iterator[None]:
    """The system's errors while writing `path` as the user's (a full disk, a read-only file system)."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        raise os_error(exc, path, doing) from None


def atomic_write(path: Path, data: bytes) -> Path:
    """Write bytes so that the file is either the old one or the complete new one."""
    path = Path(path)
    tmp = _written_aside(path, data)
    with writing(path):
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return path


def _written_aside(path: Path, data: bytes) -> str:
    """`data` in a temporary file beside `path`, on disk and readable by colleagues: its name."""
    make_folder(path.parent)
    _check_length(path)
    check_target(path)
    with writing(path):
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, file_mode())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return tmp


# --- the manifest: what speechgen wrote ------------------------------------------------------
# Edits made by hand in Word must never be lost to a re-run. Every file speechgen
# writes is recorded with its SHA-256 in a manifest beside it; a file whose
# bytes no longer match (or that speechgen never wrote) is not overwritten
# without --force.
MANIFEST = ".speechgen-manifest.json"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}\Z")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DamagedManifest(Exception):
    """The manifest is there but says nothing usable; `why` in both languages."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.en, self.zh = en, zh


def _load_manifest(folder: Path) -> dict[str, str]:
    """The folder's manifest; {} when there is none; DamagedManifest or OutputError otherwise."""
    path = Path(folder) / MANIFEST
    if not check_manifest_path(path):
        return {}
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            raise DamagedManifest(f"it is {size / 1024 / 1024:.0f} MB, far larger than a manifest",
                                  f"文件大小为{size / 1024 / 1024:.0f} MB，不是正常的清单")
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, RecursionError):
        raise DamagedManifest("it is not valid JSON", "不是有效的JSON") from None
    except OSError as exc:
        raise os_error(exc, path, ("cannot read the manifest", "无法读取清单")) from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             and _DIGEST.match(v) for k, v in data.items()):
        raise DamagedManifest("it is not a list of file names and SHA-256 digests",
                              "内容不是文件名与SHA-256摘要的对应表")
    return data


def check_manifest_path(path: Path) -> bool:
    """True when a manifest file is there, False when none; OutputError when it is not a file."""
    mode = _mode(path, ("cannot read the manifest", "无法读取清单"))
    if mode is None:
        return False
    if not stat.S_ISREG(mode):
        en, zh = limits.kind_of(mode)
        raise OutputError(f"speechgen's manifest here is {en}, not a file: move it away (it is "
                          "not replaced, not even with --force) or use --out to write elsewhere",
                          f"本程序的清单文件位置上是{zh}而不是文件：请移走它（加 --force 也不会替换），"
                          "或用 --out 另存", file=str(path))
    return True


def read_manifest(folder: Path) -> dict[str, str]:
    """The manifest as far as it can be read: a damaged one protects nothing, so it reads empty."""
    try:
        return _load_manifest(folder)
    except (DamagedManifest, OutputError):
        return {}


def manifest_for_writing(folder: Path, force: bool = False) -> dict[str, str]:
    """The manifest before anything is written into `folder`: damaged is an error unless --force.

    A manifest that is not a file (a folder, a link) is refused even with --force.
    """
    try:
        return _load_manifest(folder)
    except DamagedManifest as exc:
        if force:
            return {}
        raise OutputError(f"speechgen's manifest is damaged ({exc.en}), so it cannot tell which "
                          "files here were generated: delete it and re-run with --force if every "
                          "document here may be regenerated, or use --out to write elsewhere",
                          f"本程序的清单文件已损坏（{exc.zh}），无法判断哪些文件是生成的："
                          "如这里的文档都可重新生成，请删除它并加 --force 重新运行，或用 --out 另存",
                          file=str(Path(folder) / MANIFEST)) from None


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
    if not check_target(path):
        return False
    if manifest is None:
        manifest = read_manifest(path.parent)
    recorded = manifest.get(path.name)
    with writing(path, ("cannot read", "无法读取")):
        return recorded is None or digest(path.read_bytes()) != recorded


def _refuse_edited(path: Path) -> OutputError:
    return OutputError(
        "this file has been changed since speechgen wrote it (or was not written by "
        "speechgen); not overwriting it. Use --force to overwrite, or --out/-o to write "
        "elsewhere",
        "该文件在生成后被修改过（或不是本程序生成的），为保护修改内容未覆盖。"
        "如确需覆盖请加 --force，或用 --out/-o 另存",
        file=str(path))


def guard(paths: list[Path], force: bool = False) -> None:
    """Refuse to overwrite files edited since speechgen wrote them, and anything not a file.

    A folder's manifest that is damaged or not a file is refused too, before
    anything is written there.
    """
    manifests: dict[Path, dict[str, str]] = {}
    for path in paths:
        path = Path(path)
        _check_length(path)
        is_file = check_target(path)
        if path.parent not in manifests:
            manifests[path.parent] = manifest_for_writing(path.parent, force)
        if is_file and not force and edited(path, manifests[path.parent]):
            raise _refuse_edited(path)


def write_output(path: Path, data: bytes, force: bool = False) -> Path:
    """Write one generated file: guarded against lost edits, atomic, recorded."""
    path = Path(path)
    make_folder(path.parent)
    with folder_lock(path.parent):
        guard([path], force)
        # The new file is on disk beside the old one before the manifest records it, and
        # replaces it only once recorded: a full disk or a read-only file system on either
        # write leaves the old file and the old manifest as they were.
        tmp = _written_aside(path, data)
        try:
            record(path.parent, {path.name: data})
            with writing(path):
                os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return path


# --- a folder's contents: speechgen's, edited, or the user's ------------------------------------

@dataclass
class Contents:
    """A folder of generated files sorted out: what speechgen wrote, what was edited, the rest."""

    ours: list[Path] = field(default_factory=list)  # recorded and unchanged
    edited: list[Path] = field(default_factory=list)  # recorded, changed since
    theirs: list[Path] = field(default_factory=list)  # top-level entries speechgen did not write


def contents(folder: Path, force: bool = False) -> Contents:
    """Sort out everything in `folder` (not following links): see Contents.

    A folder inside is the user's whole (speechgen writes none), however deep.
    """
    found = Contents()
    folder = Path(folder)
    try:
        mode = os.lstat(folder).st_mode
    except FileNotFoundError:
        return found
    if not stat.S_ISDIR(mode):
        check_target(folder)  # a link, a FIFO… where the folder goes
        raise OutputError("this is a file where the scorecards' folder goes; move it away or use "
                          "--out to write elsewhere",
                          "成绩单文件夹的位置上是一个文件：请移走它，或用 --out 另存", file=str(folder))
    manifest = manifest_for_writing(folder, force)
    with writing(folder, ("cannot read the folder", "无法读取文件夹")):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            path = Path(entry.path)
            if entry.name == MANIFEST:
                continue
            if not entry.is_file(follow_symlinks=False) or entry.name not in manifest:
                found.theirs.append(path)
            elif digest(path.read_bytes()) != manifest[entry.name]:
                found.edited.append(path)
            else:
                found.ours.append(path)
    return found


def refuse_theirs(folder: Path, theirs: list[Path]) -> OutputError:
    first = theirs[0]
    kind = "folder" if first.is_dir() and not first.is_symlink() else "file"
    more_en = f" (and {len(theirs) - 1} more)" if len(theirs) > 1 else ""
    more_zh = f"（另有{len(theirs) - 1}项）" if len(theirs) > 1 else ""
    return OutputError(
        f"the {kind} {first.name} inside the scorecards' folder was not written by speechgen"
        f"{more_en}; a re-run would replace the folder, so nothing was written. Move it out of "
        "the folder, or use --force (which keeps it) or --out",
        f"成绩单文件夹中的“{first.name}”不是本程序生成的{more_zh}；重新生成会替换整个文件夹，"
        "因此未写入任何文件。请把它移出该文件夹，或加 --force（会保留它），或用 --out 另存",
        file=str(first))


# --- temporary names, and what a killed run left ------------------------------------------------
_TEMP_PREFIX, _TEMP_SUFFIX = ".~", ".part"
_TEMP_FILE = re.compile(r"\.~[a-z0-9_]{8}\.part\Z")
_STAGING = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.part\Z")
_OLD = re.compile(r"\.(?P<name>.+)\.old\Z")


def staging_folder(out_dir: Path, name: str) -> Path:
    """A hidden folder beside `out_dir/name` to write a new set into (.<name>.xxxxxxxx.part)."""
    with writing(out_dir / name):
        staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=f".{name}.", suffix=_TEMP_SUFFIX))
        try:
            os.chmod(staging, folder_mode())
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return staging


def swap_folder(staging: Path, folder: Path, keep: list[Path] = ()) -> None:
    """Put the finished staging folder in the place of `folder`, moving `keep` (the user's) across.

    The previous set is renamed aside first and removed last: a run killed in
    between leaves it as .<name>.old, which the next run puts back (tidy).
    """
    with writing(folder):
        for path in keep:
            os.rename(path, staging / path.name)
        old = None
        if os.path.lexists(folder):
            old = folder.with_name(f".{folder.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.rename(folder, old)
        try:
            os.rename(staging, folder)
        except BaseException:
            if old is not None:
                for path in keep:  # the user's things go back where they were
                    with contextlib.suppress(OSError):
                        os.rename(staging / path.name, old / path.name)
                os.rename(old, folder)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def tidy(out_dir: Path) -> None:
    """Remove what runs killed in this folder left: temporary files and staging folders.

    Run under folder_lock, so no live run's files are taken. A previous set of
    scorecards moved aside (.<name>.old) is put back when its place is empty.
    """
    try:
        entries = list(os.scandir(out_dir))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if _TEMP_FILE.match(name) and entry.is_file(follow_symlinks=False):
                path.unlink()
            elif _STAGING.match(name) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            elif (match := _OLD.match(name)) and entry.is_dir(follow_symlinks=False) \
                    and (path / MANIFEST).exists():
                place = path.with_name(match["name"])
                if os.path.lexists(place):
                    shutil.rmtree(path)
                else:
                    os.rename(path, place)


# --- one run at a time in a folder -------------------------------------------------------------
_LOCKS: dict[str, tuple[int, int]] = {}  # folder → (descriptor, depth): reentrant in a process
LOCK_WAIT = 120.0


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the output folder for this run: a second run waits for the first to finish.

    Reentrant within a process. Also removes what killed runs left (tidy). On a
    system without flock (Windows) runs are not kept apart.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    key = os.path.realpath(folder)
    if key in _LOCKS:
        fd, depth = _LOCKS[key]
        _LOCKS[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _LOCKS[key]
            _LOCKS[key] = (fd, depth - 1)
        return
    with writing(folder, ("cannot open the folder", "无法打开文件夹")):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutputError(
                        f"another speechgen run has been writing into this folder for over "
                        f"{LOCK_WAIT:.0f} s; wait for it to finish, or use --out",
                        f"另一个speechgen正在写入该文件夹（已超过{LOCK_WAIT:.0f}秒），"
                        "请等它结束，或用 --out 另存", file=str(folder)) from None
                time.sleep(0.05)
            except OSError:
                break  # a file system without locks: run unguarded rather than not at all
        _LOCKS[key] = (fd, 1)
        tidy(Path(folder))
        yield
    finally:
        _LOCKS.pop(key, None)
        os.close(fd)
