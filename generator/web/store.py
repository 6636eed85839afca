"""Uploads: each in a private temporary folder of its own, known by a random token.

Nothing a user sends names a file on the server: an upload is saved as data.yaml,
data.xlsx or data.csv inside a folder named by a token of 128 random bits, and a
token is only ever looked up, never joined to a path, after it has matched the
token pattern and been found in the table. Each upload belongs to the browser
session that sent it; another session asking for it gets "not found", as for a
token that never existed. Folders are removed when unused for `keep_seconds`,
and all of them (the root folder) at shutdown.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# The name an upload is saved under, by the kind of file; the user's own name is only shown.
STORED_NAMES = {".yaml": "data.yaml", ".yml": "data.yaml", ".xlsx": "data.xlsx",
                ".xlsm": "data.xlsx", ".csv": "data.csv"}
MAX_UPLOADS = 200  # alive at once, over all users: a bound on the disk the page may take
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}\Z")


class StoreFull(Exception):
    """MAX_UPLOADS uploads are alive."""


@dataclass
class Result:
    """One document (or set of scorecards) made from an upload."""

    number: int
    label: str  # what was made, for the page: 通报、讲话稿…
    file: Path  # what is downloaded: the .docx, .pdf or the scorecards' .zip
    download_name: str  # its name in the browser's download, Chinese as made
    preview: str  # HTML of the text (already escaped by the preview template)
    note: str = ""  # e.g. which township the preview shows


@dataclass
class Upload:
    token: str
    owner: str  # the browser session that sent it
    folder: Path
    name: str  # the file's name as the user's computer called it (shown, never used as a path)
    stored: Path  # where it is, under a name of ours
    mapping: Path | None  # for a spreadsheet: the mapping chosen among the working folder's
    mapping_name: str = ""
    summary: dict = field(default_factory=dict)  # region, period, indicators, townships
    results: list[Result] = field(default_factory=list)
    used: float = field(default_factory=time.monotonic)
    busy: int = 0  # pieces of work running on it: it does not expire under them

    def result(self, number: int) -> Result | None:
        return next((r for r in self.results if r.number == number), None)

    def next_folder(self) -> Path:
        """A new folder for the next document, so no run ever replaces another's files."""
        return Path(tempfile.mkdtemp(prefix="r", dir=self.folder))


class Store:
    def __init__(self, keep_seconds: float = 3600.0, root: Path | None = None):
        self.keep_seconds = keep_seconds
        self.root = Path(tempfile.mkdtemp(prefix="speechgen-web-", dir=root))
        self._uploads: dict[str, Upload] = {}
        self._lock = threading.Lock()

    @staticmethod
    def suffix(name: str) -> str | None:
        """The kind of an uploaded file by its name's ending; None for one the page does not take."""
        dot = name.rfind(".")
        suffix = name[dot:].lower() if dot >= 0 else ""
        return suffix if suffix in STORED_NAMES else None

    def add(self, owner: str, name: str, suffix: str, data: bytes,
            mapping: Path | None = None, mapping_name: str = "") -> Upload:
        self.expire()
        with self._lock:
            if len(self._uploads) >= MAX_UPLOADS:
                raise StoreFull()
            token = secrets.token_urlsafe(16)
            folder = self.root / token
            folder.mkdir(mode=0o700)
            stored = folder / STORED_NAMES[suffix]
            stored.write_bytes(data)
            upload = Upload(token, owner, folder, name, stored, mapping, mapping_name)
            self._uploads[token] = upload
            return upload

    def get(self, token: str, owner: str) -> Upload | None:
        """The upload if it exists and belongs to `owner`; None otherwise, alike."""
        if not _TOKEN.match(token or ""):
            return None
        with self._lock:
            upload = self._uploads.get(token)
            if upload is None or not secrets.compare_digest(upload.owner, owner):
                return None
            upload.used = time.monotonic()
            return upload

    def remove(self, upload: Upload) -> None:
        with self._lock:
            self._uploads.pop(upload.token, None)
        shutil.rmtree(upload.folder, ignore_errors=True)

    def expire(self, now: float | None = None) -> int:
        """Remove the uploads unused for keep_seconds; how many went."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [u for u in self._uploads.values() if now - u.used > self.keep_seconds and not u.busy]
            for upload in old:
                del self._uploads[upload.token]
        for upload in old:
            shutil.rmtree(upload.folder, ignore_errors=True)
        return len(old)

    @contextlib.contextmanager
    def working(self, upload: Upload) -> Iterator[None]:
        """Keep `upload` while work runs on it, and count its time from the end of that work."""
        with self._lock:
            upload.busy += 1
        try:
            yield
        finally:
            with self._lock:
                upload.busy -= 1
                upload.used = time.monotonic()

    def reap(self, every: float = 60.0) -> threading.Event:
        """Expire uploads every `every` seconds in a thread of their own, until the event is set."""
        stop = threading.Event()

        def loop():
            while not stop.wait(every):
                self.expire()

        threading.Thread(target=loop, name="speechgen-expiry", daemon=True).start()
        return stop

    def __len__(self) -> int:
        return len(self._uploads)

    def close(self) -> None:
        """Remove every upload and the root folder (at shutdown)."""
        with self._lock:
            self._uploads.clear()
        shutil.rmtree(self.root, ignore_errors=True)
