"""Township scorecards in batch: one document per township, over all cores.

Each worker process loads the template and the reference document once, then
renders and writes its share of townships itself, so only indexes travel
between processes (and, for a merged volume, the documents coming back). The whole set is written into a hidden staging folder,
synced to disk once, and moved into place at the end: an interrupted run
leaves the previous set intact.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator import pipeline, suggest
from generator.render import sandbox as templating
from generator.errors import DataError, OutputError
from generator.document.model import Document, DocMeta
from generator.output import (NAME_BYTES, Contents, check_target, contents, digest, folder_lock, guard,
                              make_folder, manifest_for_writing, output_name, record, refuse_theirs, safe_filename,
                              staging_folder, swap_folder, tidy, write_output, writing)
from generator.output import _refuse_edited as guard_error

# Fixed zip timestamp: the same scorecards give the same .zip, byte for byte.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Job:
    context: dict  # escaped facts, shared by every township
    units: list  # the townships' facts, not escaped: one at a time is
    template: str
    fmt: str
    reference: str | None
    keep: bool = False  # send each document back, for the merged volume

    @classmethod
    def for_facts(cls, facts: dict, template: str | None = None, fmt: str = "docx",
                  reference: str | Path | None = None, keep: bool = False) -> Job:
        return cls(templating.escape_facts(pipeline.template_context(facts)), facts["townships"]["units"],
                   template or pipeline.DEFAULT_TEMPLATES["scorecard"], fmt,
                   str(reference) if reference else None, keep)


_JOB: Job | None = None
_LOADED: tuple[Job, jinja2.Template] | None = None


def _init_worker(job: Job) -> None:
    global _JOB
    _JOB = job


def _template(job: Job) -> jinja2.Template:
    """The job's template, looked up once per process (a lookup stats the template folders)."""
    global _LOADED
    if _LOADED is None or _LOADED[0] is not job:
        _LOADED = (job, templating.load_template(job.template))
    return _LOADED[1]


def _render_one(job: Job, index: int) -> Document:
    # The township is escaped on its own, not through the county's view of all
    # townships, so nothing of it stays behind once its scorecard is written.
    town = templating.escape_facts(job.units[index])
    return pipeline.make_document({**job.context, "town": town}, _template(job))


def _write_one(args: tuple[int, str]) -> tuple[int, str, Document | None]:
    """Render and write one scorecard; its index, the digest for the manifest, the document."""
    index, path = args
    doc = _render_one(_JOB, index)
    data = pipeline.encode(doc, _JOB.fmt, _JOB.reference)
    # The staging folder is private until it is swapped in, and synced as a whole
    # before that (_sync): no temporary name and no fsync per file.
    with open(path, "wb") as fh:
        fh.write(data)
    return index, digest(data), doc if _JOB.keep else None


def file_names(names: Iterable[str], ext: str) -> list[str]:
    """Safe, distinct file names; two townships that clean to one name are an error."""
    seen: dict[str, str] = {}
    out = []
    for name in names:
        file = f"{safe_filename(name, max_bytes=NAME_BYTES - len(ext) - 1)}.{ext}"
        key = file.casefold()  # Windows folders are case-insensitive
        if key in seen:
            raise OutputError(
                f"townships {seen[key]!r} and {name!r} would both be written to {file!r}; "
                "rename one of them",
                f"乡镇“{seen[key]}”和“{name}”会写入同一个文件“{file}”，请修改其中一个名称",
                key="townships.units")
        seen[key] = name
        out.append(file)
    return out


def select(units: list[dict], only: Iterable[str] | None, key: str = "--only") -> list[int]:
    """Indexes of the townships to render; unknown names are an error that lists them."""
    if not only:
        return list(range(len(units)))
    wanted = [n.strip() for n in only if n.strip()]
    index = {u["name"]: i for i, u in enumerate(units)}
    unknown = [n for n in wanted if n not in index]
    if unknown:
        raise unknown_townships(unknown, list(index), key)
    return [index[n] for n in wanted]


# A county small enough to list whole when no name is close to the one typed.
LIST_ALL = 30


def unknown_townships(unknown: list[str], names: list[str], key: str = "--only") -> DataError:
    """Names an option (--only) asked for that the data does not have, with the closest real ones."""
    en = f"no township named {', '.join(unknown)}"
    zh = f"没有名为{'、'.join(unknown)}的乡镇"
    hints = [(name, *suggest.hint(name, names)) for name in unknown]
    hints = [h for h in hints if h[1]]
    if len(unknown) == 1 and hints:
        en, zh = f"{en}; {hints[0][1]}", f"{zh}，{hints[0][2]}"
    elif hints:
        en += "; " + " ".join(f"for {name}, {near}" for name, near, _ in hints)
        zh += "；" + "".join(f"{name}{near}" for name, _, near in hints)
    if len(hints) < len(unknown):
        # After a question the list is a sentence of its own.
        en_join, zh_join = (" T", "") if hints else ("; t", "；")
        if len(names) <= LIST_ALL:
            en += f"{en_join}he townships are {', '.join(names)}"
            zh += f"{zh_join}乡镇有：{'、'.join(names)}"
        else:
            en += f"{en_join}he townships are listed by `speechgen facts --json` (townships.units)"
            zh += f"{zh_join}全部乡镇可用 speechgen facts --json 查看（townships.units）"
    return DataError(en, zh, key=key)


def scorecards(data_path: str | Path, out_dir: str | Path, *, template: str | None = None,
               fmt: str = "docx", reference: str | Path | None = None,
               only: Iterable[str] | None = None, jobs: int | None = None,
               merged: bool = False, archive: bool = False, mapping: str | Path | None = None,
               force: bool = False,
               progress: Callable[[Iterable, int], Iterable] | None = None) -> list[Path]:
    """Write one scorecard per township (and optionally a merged volume and a .zip).

    The whole set replaces the previous one; with `only`, just those files are
    replaced and the rest of the set is kept. Files edited since they were
    generated are refused first, unless `force`.
    """
    facts = pipeline.load_facts(data_path, mapping)
    if not facts["townships"]:
        raise DataError("scorecards need township data: the file has no townships.units",
                        "生成成绩单需要乡镇数据：文件中没有 townships.units",
                        file=str(data_path), key="townships")
    as_pdf = fmt == "pdf"
    if as_pdf:
        from generator.writers import pdf

        pdf.soffice()  # no LibreOffice: say so before anything is made
    job = Job.for_facts(facts, template, "docx" if as_pdf else fmt, reference, keep=merged)
    units = job.units
    chosen = select(units, only)
    names = file_names((units[i]["name"] for i in chosen), fmt)
    # PDFs are the .docx written first, then converted by one LibreOffice for the set.
    made = [pdf.docx_name(n) for n in names] if as_pdf else names
    meta = facts["meta"]
    stem = output_name(meta["region"], meta["period_code"], pipeline.LABELS["scorecard"], "x")[:-2]
    out_dir = Path(out_dir)
    folder = out_dir / stem

    # Fail on template or reference problems before any file is written.
    first = _render_one(job, chosen[0]) if chosen else None
    if first is not None:
        pipeline.encode(first, fmt, job.reference)

    extras = [out_dir / f"{stem}汇编.{fmt}"] * merged + [out_dir / f"{stem}.zip"] * archive
    make_folder(out_dir)
    with folder_lock(out_dir), writing(folder):
        targets = _check_folder(folder, names, extras, only=bool(only), force=force)
        staging = staging_folder(out_dir, stem)
        digests: dict[int, str] = {}
        done = _run(job, [(i, str(staging / n)) for i, n in zip(chosen, made)], jobs, progress,
                    digests)
        try:
            # The volume is written as the scorecards come back, in township order.
            volume = merged_volume(job, _in_order(done, chosen)) if merged else None
            for _ in done:  # without a volume, just wait for every file
                pass
            if as_pdf:
                volume = _convert_set(staging, made, names, chosen, digests, volume)
            _sync(staging, names)
            recorded = {n: digests[i] for i, n in zip(chosen, names)}
            if only and folder.is_dir():
                for n in names:
                    os.replace(staging / n, folder / n)
                shutil.rmtree(staging)
                record(folder, recorded)
            else:
                # The manifest goes in with the set: the swap is the one step that changes both.
                record(staging, recorded)
                swap_folder(staging, folder, keep=targets.theirs)
        except BaseException:
            # An error outside the workers (the volume, an interrupt) leaves them
            # running: stop them before their folder goes.
            done.close()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        written = [folder / n for n in names]
        if merged:
            written.append(write_output(extras[0], volume, force=force))
        if archive:
            written.append(write_zip(extras[-1], folder, names, force))
    return written


def _convert_set(staging: Path, made: list[str], names: list[str], chosen: list[int],
                 digests: dict[int, str], volume: bytes | None) -> bytes | None:
    """Every .docx of the set (and the volume) to PDF in one LibreOffice process."""
    from generator.writers import pdf

    sources = [(staging / n).read_bytes() for n in made] + ([volume] if volume is not None else [])
    converted = pdf.convert(sources)
    for index, docx_file, name, data in zip(chosen, made, names, converted):
        (staging / name).write_bytes(data)
        (staging / docx_file).unlink()
        digests[index] = digest(data)
    return converted[-1] if volume is not None else None


def _check_folder(folder: Path, names: list[str], extras: list[Path], *, only: bool,
                  force: bool) -> Contents:
    """Refuse, before anything is written, what this run must not replace.

    Whatever is in the folder and was not written by speechgen (a file, a folder at
    any depth, a link) stops a run that replaces the whole set, unless `force`;
    with `force` it is moved into the new set, never deleted. A scorecard edited
    since it was written is refused unless `force`. Anything but a regular file
    where a scorecard, the volume or the .zip goes is refused even with `force`.
    Returns the folder's contents with `theirs` as the entries to carry across.
    """
    guard(extras, force)
    manifest_for_writing(folder.parent, force)  # refused if it is not a file, even unused
    if folder.is_dir() and not folder.is_symlink():
        tidy(folder)  # a killed run's temporary manifest in the set's folder is not the user's
    found = contents(folder, force)
    chosen = {folder / n for n in names}
    for path in sorted(chosen):
        check_target(path)
    if only:
        edited = [p for p in found.edited + found.theirs if p in chosen]
        found.theirs = []
    else:
        edited = found.edited + [p for p in found.theirs if p in chosen]
        found.theirs = [p for p in found.theirs if p not in chosen]
        if found.theirs and not force:
            raise refuse_theirs(folder, found.theirs)
    if edited and not force:
        raise guard_error(edited[0])
    return found


def _run(job: Job, tasks: list[tuple[int, str]], jobs: int | None,
         progress: Callable[[Iterable, int], Iterable] | None,
         digests: dict[int, str]) -> Iterator[tuple[int, Document | None]]:
    """Write every task's file, as results arrive: (township index, document when job.keep).

    Each file's digest goes into `digests` by township index.
    """
    jobs = jobs or os.cpu_count() or 1
    track = progress or (lambda it, total: it)
    if jobs == 1 or len(tasks) < 8:
        _init_worker(job)
        results = track(map(_write_one, tasks), len(tasks))
        pool = contextlib.nullcontext()
    else:
        import multiprocessing

        # fork shares the already-imported modules and facts; spawn would re-import everything
        method = "fork" if sys.platform != "win32" else "spawn"
        ctx = multiprocessing.get_context(method)
        # Small chunks: at the end no worker waits long for another's last chunk.
        chunk = max(1, min(8, len(tasks) // (jobs * 4)))
        pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(job,))
        results = track(pool.imap_unordered(_write_one, tasks, chunksize=chunk), len(tasks))
    with pool:
        for index, hexdigest, doc in results:
            digests[index] = hexdigest
            yield index, doc


def _in_order(done: Iterable[tuple[int, Document | None]], order: list[int]) -> Iterator[Document]:
    """Documents in `order` as they arrive in any: only those that came early wait."""
    early: dict[int, Document] = {}
    want = iter(order)
    next_index = next(want, None)
    for index, doc in done:
        early[index] = doc
        while next_index in early:
            yield early.pop(next_index)
            next_index = next(want, None)


def _sync(folder: Path, names: list[str]) -> None:
    """Put the finished set on disk before it replaces the previous one.

    One os.sync for the whole set: an fsync per file cost a batch of 500
    scorecards about 0.3 s. Windows has no os.sync, so there each file is synced.
    """
    if hasattr(os, "sync"):
        os.sync()
        return
    for name in names:
        with open(folder / name, "rb+") as fh:
            os.fsync(fh.fileno())


def merged_volume(job: Job, docs: Iterable[Document]) -> bytes:
    """All scorecards in one file, a page each, written as the documents come.

    The documents are those the workers rendered for the single files.
    """
    docs = iter(docs)
    first = next(docs, None)
    region = job.context["meta"]
    meta = DocMeta(kind="scorecard", date=first.meta.date if first else "",
                   title=f"{templating.unescape_markdown(region['region'])}{region['year']}年"
                         f"{templating.unescape_markdown(region['period_name'])}乡镇成绩单汇编")
    return pipeline.encode_volume(meta, itertools.chain([first] if first else [], docs),
                                  job.fmt, job.reference)


def write_zip(path: Path, folder: Path, names: list[str], force: bool = False) -> Path:
    """A .zip of the scorecards with fixed timestamps, names in township order."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name in names:
            info = zipfile.ZipInfo(f"{folder.name}/{name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, (folder / name).read_bytes())
    return write_output(path, buf.getvalue(), force=force)


def scorecard(facts: dict, name: str, template: str | None = None) -> Document:
    """One township's scorecard as the batch renders it, for a preview (the web page)."""
    job = Job.for_facts(facts, template)
    return _render_one(job, select(job.units, [name])[0])
