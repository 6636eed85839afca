"""Errors a user can act on.

Every error carries a location (file, line, key path) and what was expected, in
English and Chinese, so the CLI can print one or two plain lines instead of a
traceback. Exit code 2 means "your input is wrong"; anything else is our bug.
"""

from __future__ import annotations

from typing import Any

USER_ERROR = 2
INTERNAL_ERROR = 1


def shown(value: Any) -> tuple[str, str]:
    """How a wrong value is quoted back to the user, (en, zh), in every message.

    Text is quoted with ASCII quotes in both languages, so a value that itself
    holds Chinese quotes reads unambiguously, and long text is cut; numbers and
    true/false are given bare, as they are typed; containers by what they are.
    """
    if value is None:
        return "nothing", "空值"
    if isinstance(value, bool):
        return ("true", "true") if value else ("false", "false")
    if isinstance(value, (int, float)):
        return str(value), str(value)
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f'"{text}"', f'"{text}"'
    if isinstance(value, dict):
        return "a mapping", "键值映射"
    if isinstance(value, list):
        return "a list", "列表"
    return str(value), str(value)


class SpeechgenError(Exception):
    """An error in the user's input or environment, reported without traceback."""

    exit_code = USER_ERROR

    def __init__(self, en: str, zh: str | None = None, *, file: str | None = None,
                 line: int | None = None, key: str | None = None):
        self.en = en
        self.zh = zh
        self.file = file
        self.line = line
        self.key = key
        super().__init__(self.format())

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.key:
            parts.append(self.key)
        return ": ".join(parts)

    def format(self) -> str:
        loc = self.location
        prefix = f"{loc}: " if loc else ""
        lines = [f"{prefix}{self.en}"]
        if self.zh:
            lines.append(f"{prefix}{self.zh}")
        return "\n".join(lines)


class DataError(SpeechgenError):
    """Indicator data that does not follow the data contract."""


class TemplateError(SpeechgenError):
    """A template that does not parse, names a missing fact or breaks the sandbox."""


class ReferenceDocError(SpeechgenError):
    """A reference .docx that cannot be used for styles."""


class OutputError(SpeechgenError):
    """An output file that cannot or must not be written."""


# What the operating system says, in words a user can act on: a full disk, a read-only
# file system, a missing permission are the user's to fix (exit 2), never "internal error".
_OS_ERRORS = {
    "EROFS": ("the file system is read-only", "文件系统是只读的"),
    "ENOSPC": ("there is no space left on the disk", "磁盘空间不足"),
    "EDQUOT": ("the disk quota is used up", "磁盘配额已用完"),
    "EFBIG": ("the file is too large for this file system", "文件超出该文件系统的大小上限"),
    "EACCES": ("permission denied", "没有权限"),
    "EPERM": ("the operation is not permitted", "不允许执行该操作"),
    "ENAMETOOLONG": ("the path or a name in it is too long", "路径或其中的名称过长"),
    "EISDIR": ("it is a folder, not a file", "这是文件夹，不是文件"),
    "ENOTDIR": ("a part of the path is a file, not a folder", "路径中的某一级是文件，不是文件夹"),
    "ENOENT": ("a folder on the path does not exist (or was removed meanwhile)",
               "路径中的文件夹不存在（或在写入过程中被删除）"),
    "EEXIST": ("something of that name is already there", "已存在同名的文件或文件夹"),
    "ENOTEMPTY": ("the folder is not empty", "文件夹不是空的"),
    "EBUSY": ("the file or folder is in use", "文件或文件夹正被占用"),
    "ETXTBSY": ("the file is in use", "文件正被占用"),
    "EIO": ("the disk reported an input/output error", "磁盘读写出错"),
    "EMFILE": ("too many files are open", "打开的文件过多"),
    "ENFILE": ("too many files are open on this system", "系统打开的文件过多"),
    "EXDEV": ("the output and its temporary copy are on different disks", "输出文件与临时文件不在同一磁盘上"),
    "ESTALE": ("the network file system lost the file", "网络文件系统上的文件已失效"),
    "ELOOP": ("the path has too many symbolic links (or a loop of them)", "路径中的符号链接过多或成环"),
    "EPIPE": ("the reader went away (a closed pipe)", "读取端已关闭（管道已断开）"),
    "EBADF": ("the file is closed", "文件已关闭"),
    "EINVAL": ("the file system does not accept this name or operation", "文件系统不接受该名称或操作"),
}
ENVIRONMENT_ERRNOS = frozenset(getattr(__import__("errno"), name) for name in _OS_ERRORS
                               if hasattr(__import__("errno"), name))


def os_error(exc: OSError, path: Any = None, doing: tuple[str, str] = ("cannot write", "无法写入")
             ) -> SpeechgenError:
    """An OSError as the user's error: what the system said, and the path it said it about."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    en, zh = _OS_ERRORS.get(name, (exc.strerror or str(exc), exc.strerror or str(exc)))
    where = path if path is not None else (exc.filename or None)
    return OutputError(f"{doing[0]}: {en}", f"{doing[1]}：{zh}",
                       file=str(where) if where is not None else None)
