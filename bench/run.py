"""Benchmarks for speechgen (issue 4): batch against docxtpl, merged volume, speech, memory.

    pip install -e '.[bench]' && python bench/run.py            # about 4 minutes
    python bench/run.py --quick                                  # about 30 seconds
    python bench/run.py --only batch --rounds 5

Every contender runs in a fresh process, so start-up, imports and data loading count
against speechgen; docxtpl is timed on rendering and saving only (its template and the
per-township values are prepared before its clock starts). Contenders alternate within
each round (A B, then B A) because a shared 2-core machine drifts; medians are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402  (bench/ is not a package)

HEADERS = ("指标", "单位", "完成", "目标", "完成率", "比序时", "得分", "排名")


def speechgen_command() -> list[str]:
    """The installed console script next to this interpreter (not a version manager's shim)."""
    script = Path(sys.executable).with_name("speechgen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


# Children compile Python once and reuse the bytecode, as an installed program does,
# even where PYTHONDONTWRITEBYTECODE is set; the cache lives outside the repository.
PYCACHE = Path(tempfile.gettempdir()) / "speechgen-bench-pycache"
CHILD_ENV = {**os.environ, "PYTHONPYCACHEPREFIX": str(PYCACHE)}
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def clear(folder: Path) -> None:
    """Remove a previous run's output and let the disk settle, outside any timing.

    Deleting or writing hundreds of files leaves the file system's journal busy for
    a while; the next contender would otherwise pay for the previous one's files.
    """
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()


def wall(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env or CHILD_ENV)
    return time.perf_counter() - start


def child_seconds(*args: str) -> float:
    """Run this script in a child mode that prints the seconds it measured itself."""
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True, env=CHILD_ENV).stdout
    return float(out.strip().splitlines()[-1])


def verdict(met: bool, target: str) -> str:
    """Issue 4's target for a figure, and whether this run met it."""
    return f"(target {target}: {'met' if met else 'NOT met'})"


# ----------------------------------------------------------------- docxtpl baseline

def build_docxtpl_template(path: Path) -> Path:
    """One heading, one paragraph and a 20-row table (rows come from a {%tr for %} loop)."""
    import docx

    doc = docx.Document()
    doc.add_heading("{{ title }}", level=1)
    doc.add_paragraph("{{ summary }}")
    table = doc.add_table(rows=4, cols=len(HEADERS))
    for i, text in enumerate(HEADERS):
        table.cell(0, i).text = text
    table.cell(1, 0).text = "{%tr for row in rows %}"
    for i in range(len(HEADERS)):
        table.cell(2, i).text = "{{ row[%d] }}" % i
    table.cell(3, 0).text = "{%tr endfor %}"
    doc.save(path)
    return path


def docxtpl_contexts(data: Path) -> list[dict]:
    """The words and figures of speechgen's own scorecards, so both write the same content."""
    from generator import batch, pipeline
    from generator.document import model

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    contexts = []
    for index in range(len(facts["townships"]["units"])):
        doc = batch._render_one(job, index)
        title = next(b.text for b in doc.blocks if isinstance(b, model.Title))
        summary = next(b.text for b in doc.blocks if isinstance(b, model.Paragraph))
        table = next(b for b in doc.blocks if isinstance(b, model.Table))
        contexts.append({"title": title, "summary": summary, "rows": [list(r) for r in table.rows]})
    return contexts


def docxtpl_child(template: str, contexts: str, out: str) -> None:
    from docxtpl import DocxTemplate

    items = json.loads(Path(contexts).read_text(encoding="utf-8"))
    start = time.perf_counter()
    for n, context in enumerate(items):
        tpl = DocxTemplate(template)  # a rendered template cannot be rendered again
        tpl.render(context)
        tpl.save(Path(out) / f"{n}.docx")
    print(time.perf_counter() - start)


def render_child(data: str, out: str) -> None:
    """Times speechgen on what docxtpl is timed on: rendering and writing the files."""
    from generator import batch, pipeline

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    batch._render_one(job, 0)  # compile the template, as the command does before its workers start
    tasks = [(i, str(Path(out) / f"{i}.docx")) for i in range(len(facts["townships"]["units"]))]
    start = time.perf_counter()
    for _ in batch._run(job, tasks, None, None, {}):  # writes the files as it goes
        pass
    print(time.perf_counter() - start)


# ----------------------------------------------------------------- sections

def bench_batch(work: Path, count: int, rounds: int) -> dict:
    data = synthetic.write(work / f"county{count}.yaml", count)
    template = build_docxtpl_template(work / "scorecard_tpl.docx")
    contexts = work / "contexts.json"
    contexts.write_text(json.dumps(docxtpl_contexts(data), ensure_ascii=False), encoding="utf-8")
    ours_dir, theirs_dir, render_dir = work / "ours", work / "docxtpl", work / "render"
    command = speechgen_command() + ["scorecards", "--data", str(data), "--out", str(ours_dir)]

    def ours() -> float:
        clear(ours_dir)
        return wall(command)

    def theirs() -> float:
        clear(theirs_dir)
        theirs_dir.mkdir()
        return child_seconds("--docxtpl-child", str(template), str(contexts), str(theirs_dir))

    def rendering() -> float:
        clear(render_dir)
        render_dir.mkdir()
        return child_seconds("--render-child", str(data), str(render_dir))

    times: dict[str, list[float]] = {"speechgen": [], "docxtpl": [], "rendering": []}
    for r in range(rounds):
        order = (("speechgen", ours), ("docxtpl", theirs), ("rendering", rendering))
        for name, run in order if r % 2 == 0 else reversed(order):
            times[name].append(run())
        print(f"  round {r + 1}: speechgen {times['speechgen'][-1]:.2f} s, "
              f"docxtpl {times['docxtpl'][-1]:.2f} s", flush=True)
    ours_s, theirs_s, render_s = (statistics.median(times[k])
                                  for k in ("speechgen", "docxtpl", "rendering"))
    print(f"batch, {count} scorecards ({len(synthetic.INDICATORS)} indicators), median of {rounds}:")
    print(f"  speechgen scorecards  {ours_s:6.2f} s  {count / ours_s:7.1f} documents/s  "
          "(whole command: start-up, load, analyse, render, write)")
    print(f"  docxtpl               {theirs_s:6.2f} s  {count / theirs_s:7.1f} documents/s  "
          "(render + save only)")
    print(f"  ratio                 {theirs_s / ours_s:6.1f}x  {verdict(theirs_s / ours_s >= 10, 'at least 10x')}")
    print(f"  speechgen render + write only {render_s:.2f} s, {theirs_s / render_s:.1f}x docxtpl")
    return {"speechgen_s": ours_s, "docxtpl_s": theirs_s, "ratio": theirs_s / ours_s,
            "speechgen_render_write_s": render_s}


def merged_child(data: str) -> None:
    """Times what --merged adds: one body from the rendered scorecards, and its .docx."""
    from generator import batch, pipeline

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    docs = [batch._render_one(job, i) for i in range(len(facts["townships"]["units"]))]
    start = time.perf_counter()
    batch.merged_volume(job, docs)
    print(time.perf_counter() - start)


def bench_merged(work: Path, sizes: list[int], rounds: int) -> dict:
    print("merged volume (one .docx of every scorecard), median of", rounds)
    print("      N   volume only   per card   whole command --merged   per card")
    result = {}
    for n in sizes:
        data = synthetic.write(work / f"county{n}.yaml", n)
        out = work / f"merged{n}"
        command = speechgen_command() + ["scorecards", "--merged", "--data", str(data),
                                         "--out", str(out)]
        volume, whole = [], []
        for _ in range(rounds):
            volume.append(child_seconds("--merged-child", str(data)))
            clear(out)
            whole.append(wall(command))
        v, w = statistics.median(volume), statistics.median(whole)
        print(f"  {n:5d}   {v:8.2f} s  {v / n * 1000:6.2f} ms   {w:13.2f} s        "
              f"{w / n * 1000:6.2f} ms", flush=True)
        result[n] = {"volume_s": v, "command_s": w}
    return result


def bench_speech(work: Path, rounds: int) -> dict:
    out = work / "speech"
    command = speechgen_command() + ["speech", "--data", str(ROOT / "indicators.yaml"),
                                     "--out", str(out)]

    def once(env: dict | None = None) -> float:
        clear(out)  # every run writes a new file
        return wall(command, env=env)

    once()  # warm the page cache and the bytecode cache
    times = [once() for _ in range(rounds)]
    median = statistics.median(times)
    print(f"speech (bundled data), {rounds} runs:")
    print(f"  median {median:.3f} s, fastest {min(times):.3f} s, slowest {max(times):.3f} s  "
          f"{verdict(median < 0.5, 'median under 0.5 s')}")
    # Where bytecode may not be written (PYTHONDONTWRITEBYTECODE=1, as in some sandboxes),
    # speechgen's own modules are compiled on every run; installed libraries are not.
    no_pyc = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    no_pyc["PYTHONDONTWRITEBYTECODE"] = "1"
    cold = statistics.median([once(no_pyc) for _ in range(max(3, rounds // 3))])
    print(f"  median {cold:.3f} s when speechgen's modules are compiled on every run")
    return {"median_s": median, "min_s": min(times), "no_bytecode_median_s": cold}


def peak_rss_child(*cmd: str) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    # The largest resident set of any process of the run: the command and its workers.
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def bench_memory(work: Path, sizes: list[int]) -> dict:
    print("peak resident memory, speechgen scorecards:")
    result = {}
    for n in sizes:
        data = synthetic.write(work / f"county{n}.yaml", n)
        out = work / f"memory{n}"
        clear(out)
        start = time.perf_counter()
        mb = child_seconds("--peak-rss-child", *speechgen_command(), "scorecards",
                           "--data", str(data), "--out", str(out))
        seconds = time.perf_counter() - start
        result[n] = mb
        print(f"  {n:5d} townships  {mb:6.1f} MB  ({seconds:.1f} s)", flush=True)
    if len(sizes) > 1:
        ratio = result[sizes[-1]] / result[sizes[0]]
        print(f"  ratio {sizes[-1]} / {sizes[0]}: {ratio:.2f}  "
              f"{verdict(ratio <= 1.5, 'at most 1.5') if sizes[-1] >= 10 * sizes[0] else ''}")
    return result


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, smaller sizes")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the batch comparison")
    parser.add_argument("--speech-rounds", type=int, default=15)
    parser.add_argument("--count", type=int, default=500, help="townships in the batch comparison")
    parser.add_argument("--sizes", default="100,500,2000", help="townships for the merged volume")
    parser.add_argument("--memory", default="500,5000", help="townships for peak memory")
    parser.add_argument("--only", action="append",
                        choices=("batch", "merged", "speech", "memory"), help="run only these")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    # child modes, used by the benchmark itself
    parser.add_argument("--docxtpl-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--merged-child", help=argparse.SUPPRESS)
    parser.add_argument("--render-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--peak-rss-child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.docxtpl_child:
        return docxtpl_child(*args.docxtpl_child)
    if args.merged_child:
        return merged_child(args.merged_child)
    if args.render_child:
        return render_child(*args.render_child)
    if args.peak_rss_child:
        return peak_rss_child(*args.peak_rss_child)

    if args.quick:
        args.rounds, args.speech_rounds = 1, 7
        args.sizes, args.memory = "100,500", "500,2000"
    sections = args.only or ["batch", "merged", "speech", "memory"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"speechgen: {' '.join(speechgen_command())}", flush=True)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="speechgen-bench-") as tmp:
        work = Path(tmp)
        if "batch" in sections:
            figures["batch"] = bench_batch(work, args.count, args.rounds)
        if "merged" in sections:
            figures["merged"] = bench_merged(work, [int(n) for n in args.sizes.split(",")],
                                             1 if args.quick else 3)
        if "speech" in sections:
            figures["speech"] = bench_speech(work, args.speech_rounds)
        if "memory" in sections:
            figures["memory"] = bench_memory(work, [int(n) for n in args.memory.split(",")])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
