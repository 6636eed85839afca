"""PDF through LibreOffice: .docx bytes in, PDF bytes out, many files in one process.

LibreOffice is the only free program that lays out a GB/T 9704 .docx faithfully, and
it is slow to start (2–3 s), so a batch hands it every file at once. It runs headless
with a user profile of its own in a temporary folder: a LibreOffice the user has open
(which would otherwise take the job over and silently convert nothing) and a second
conversion at the same time are both left alone. Its fonts come through
generator/resources/fonts.conf, which maps each GB/T face to a free face installed
from Debian (see README.md, Fonts).

A PDF is not the same bytes from run to run, unlike a .docx: LibreOffice stamps the
clock and embeds fonts with random bytes. The manifest still records what was written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from generator import resources
from generator.errors import SpeechgenError

PACKAGE = "libreoffice-writer-nogui"
FONTS_CONF = resources.BUNDLED / "fonts.conf"
# A document takes LibreOffice well under a second; a hung conversion must not hang
# the command (a first start builds the profile: allow for it).
SECONDS_PER_FILE = 30
SECONDS_TO_START = 60


class PdfError(SpeechgenError):
    """PDF cannot be made here: LibreOffice is missing or failed."""


def soffice() -> str:
    """The LibreOffice program, or an error naming the package that brings it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(f"--format pdf needs LibreOffice, which is not installed; install it "
                   f"(Debian/Ubuntu: apt-get install {PACKAGE}) or write .docx and print from Word",
                   f"生成PDF需要LibreOffice，本机未安装；请安装（Debian/Ubuntu：apt-get install {PACKAGE}），"
                   "或生成.docx后用Word打印")


def environment() -> dict[str, str]:
    """The environment soffice runs in: the shipped font substitutions, nothing else changed."""
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    return env


def convert(documents: Sequence[bytes]) -> list[bytes]:
    """PDF bytes of each .docx, in order, from one LibreOffice process."""
    if not documents:
        return []
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="speechgen-pdf-") as tmp:
        work = Path(tmp)
        sources = []
        for i, data in enumerate(documents):
            path = work / f"{i:05d}.docx"
            path.write_bytes(data)
            sources.append(path)
        out = work / "pdf"
        out.mkdir()
        command = [program, f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nolockcheck",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out),
                   *map(str, sources)]
        timeout = SECONDS_TO_START + SECONDS_PER_FILE * len(sources)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env=environment(), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PdfError(f"LibreOffice did not finish converting to PDF within {timeout} s",
                           f"LibreOffice转换PDF超时（{timeout}秒）", key="--format pdf") from None
        results = []
        for path in sources:
            pdf = out / (path.stem + ".pdf")
            if not pdf.is_file():
                said = (done.stderr or done.stdout or "").strip().splitlines()
                reason = said[-1] if said else f"exit code {done.returncode}"
                raise PdfError(f"LibreOffice could not convert a document to PDF ({reason})",
                               f"LibreOffice未能把文档转换为PDF（{reason}）", key="--format pdf")
            results.append(pdf.read_bytes())
        return results


def convert_one(document: bytes) -> bytes:
    return convert([document])[0]


def as_pdf(product):
    """A pipeline.Product of a .docx as the same product in PDF."""
    from generator.pipeline import Product

    return Product(pdf_name(product.name), convert_one(product.data))


def docx_name(name: str) -> str:
    """A .pdf file name with .docx instead: the file LibreOffice converts."""
    return (name[:-4] if name.endswith(".pdf") else name) + ".docx"


def pdf_name(name: str) -> str:
    """A .docx file name with .pdf instead."""
    return (name[:-5] if name.endswith(".docx") else name) + ".pdf"
