"""Every bound on what an input may ask of the machine, in one place.

Inputs come from other offices and other programs: a data file, a bureau's
workbook, a template, a reference .docx. Each is bounded before it is read
(its size, what a zip inflates to, a sheet's dimensions) and while it is used
(a template's texts, its output, the time from data to document, the memory
the whole path may take), so that a wrong or hostile input ends in a plain
message instead of minutes of work or gigabytes of memory.

The numbers are documented in the README (Safety) and measured by
tests/test_faults.py.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

# --- files -------------------------------------------------------------------------------------
MAX_DATA_BYTES = 10 * 1024 * 1024  # an indicator file, a mapping, a CSV sheet
MAX_VALUES = 1_000_000  # values a YAML file may expand to (aliases)
MAX_NUMBER = 1e15  # largest magnitude of a figure: far above any county's 万元 or 元


def kind_of(mode: int) -> tuple[str, str]:
    """What a non-regular file is, as (en, zh) nouns: a folder, a FIFO (named pipe), …"""
    if stat.S_ISDIR(mode):
        return "a folder", "文件夹"
    if stat.S_ISLNK(mode):
        return "a symbolic link", "符号链接"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)", "命名管道"
    if stat.S_ISSOCK(mode):
        return "a socket", "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device", "设备文件"
    return "not a regular file", "非普通文件"


def not_a_file(path: str | Path) -> tuple[str, str] | None:
    """(en, zh) when `path` exists but is not a regular file (a FIFO would block a read, a
    device such as /dev/zero never ends); None for a regular file or nothing at all."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # the reader says what is wrong (missing, no permission)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None  # a folder has its own message where it is read
    en, zh = kind_of(mode)
    return f"it is {en}, not a file", f"这是{zh}，不是普通文件"


# --- zip packages (.xlsx, .docx) ---------------------------------------------------------------
MAX_INFLATED = 64 * 1024 * 1024  # what a workbook or a reference document may unpack to
MAX_ENTRIES = 5_000


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def zip_problem(archive: zipfile.ZipFile, limit: int = MAX_INFLATED) -> tuple[str, str] | None:
    """(en, zh) when a zip package would unpack to more than `limit`, or has too many parts.

    The sizes are those the package declares: zipfile never inflates a member
    past its declared size (it fails on the CRC instead), so they are a bound.
    """
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        return (f"it has {len(infos)} parts (limit {MAX_ENTRIES}); it is not an ordinary document",
                f"文件包含{len(infos)}个部件（上限{MAX_ENTRIES}个），不是普通的文档")
    total = sum(info.file_size for info in infos)
    if total > limit:
        return (f"it unpacks to more than {_size(limit)} ({_size(total)}); it is not an ordinary "
                "document (a zip bomb?)",
                f"文件解压后超过{_size(limit)}（{_size(total)}），不是普通的文档（可能是压缩炸弹）")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        repeated = next(n for i, n in enumerate(names) if n in names[:i])
        return (f"the part {repeated} is in it twice; it is damaged or was made to deceive",
                f"部件{repeated}出现了两次，文件已损坏或被篡改")
    return None


def safe_member(name: str) -> bool:
    """A zip part name that stays inside the package: no .., no absolute path, no drive."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or ":" in name or "\x00" in name:
        return False
    return ".." not in PurePosixPath(name).parts


# --- spreadsheets ------------------------------------------------------------------------------
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000

# --- templates ---------------------------------------------------------------------------------
MAX_TEXT = 2_000_000  # characters or items one template operation may build
MAX_MARKUP = 2_000_000  # characters a template may produce for one document (a notice of
# 5,000 townships is about 0.5 M; the Markdown parse of pathological text takes about 10 µs a character)
MAX_EXPONENT = 1_000
DOCUMENT_SECONDS = 10.0  # from facts to document: the render and the Markdown parse
MEMORY_CEILING_MB = 500  # documented: no input takes the process past this
MEMORY_MB = 480  # the bound set while a document is made: 20 MB kept for reporting what failed

# --- time and memory ---------------------------------------------------------------------------


class TimeLimit(Exception):
    """Raised inside the bounded code when its time is up."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the code inside after `seconds` (a loop of loops in a shared template).

    SIGALRM only reaches the main thread, where the CLI and the batch workers
    run; elsewhere (a caller's thread) no bound is set rather than none working.
    Nested limits keep the outer one's deadline.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if remaining and signal.getsignal(signal.SIGALRM) is _expire:
        yield  # an outer limit is running: it stays the one that counts
        return

    previous = signal.signal(signal.SIGALRM, _expire)
    _SECONDS[0] = seconds
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_SECONDS = [0.0]


def _expire(signum, frame):
    raise TimeLimit(f"{_SECONDS[0]:g} s")


def _memory() -> tuple[int, int] | None:
    """This process's (virtual size, resident size) in bytes (Linux), or None where unknown."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            size, resident = fh.read().split()[:2]
        page = os.sysconf("SC_PAGE_SIZE")
        return int(size) * page, int(resident) * page
    except (OSError, ValueError, IndexError, AttributeError):
        return None


@contextlib.contextmanager
def memory_bound(megabytes: float | None = None) -> Iterator[None]:
    """Keep the process under `megabytes` (MEMORY_MB) while the code inside runs; past it, MemoryError.

    The address space is capped (RLIMIT_AS) at what the process maps now plus what
    it may still take (the ceiling less what is resident now), and restored after:
    since no page is resident without being mapped, the resident size stays under
    the ceiling, and an allocation past the cap fails at once with MemoryError
    instead of the machine swapping. Where there is no RLIMIT_AS (Windows, macOS)
    only the finer bounds (MAX_TEXT, MAX_MARKUP) apply.
    """
    if _BOUND[0]:
        yield  # an outer bound is in force: it is the one that counts
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    now = _memory()
    if now is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    mapped, resident = now
    ceiling = int((megabytes or MEMORY_MB) * 1024 * 1024)
    cap = mapped + max(ceiling - resident, 32 * 1024 * 1024)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if (soft != resource.RLIM_INFINITY and soft <= cap) or (hard != resource.RLIM_INFINITY and hard < cap):
        yield  # already bounded as tightly (an outer bound, or the user's ulimit)
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        yield
        return
    _BOUND[0] = True
    try:
        yield
    finally:
        _BOUND[0] = False
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


_BOUND = [False]  # a memory bound is in force in this process
