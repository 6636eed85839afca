"""Benchmarks for speechgen (issues 4 and 16): each target printed with "met" or "NOT met".

    pip install -e '.[bench]' && python bench/run.py            # about 8 minutes
    python bench/run.py --quick                                  # about 2 minutes
    python bench/run.py --only batch --rounds 5

Every contender runs as a whole process of its own, timed from outside: wall time,
and CPU time (user + system of the process and every worker it waited for, from
wait4), which holds on a loaded machine where wall time does not. Contenders
alternate within each round (A B C, then C B A) and medians are reported with their
range. docxtpl's process does its own work from the same data: it loads the YAML
file itself (PyYAML's C loader), then renders and saves the same one-page
scorecard for every township, with speechgen's words and figures (prepared before
its process starts, as its template is). The floor (bench/floor.py) writes the same
documents' bytes with the fixed parts precompressed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synthetic  # noqa: E402  (bench/ is not a package)

HEADERS = ("指标", "单位", "完成", "目标", "完成率", "比序时", "得分", "排名")
IMPORT_FLOOR = "import jinja2, yaml, click, markdown_it, lxml.etree"


def speechgen_command() -> list[str]:
    """The installed console script next to this interpreter (not a version manager's shim)."""
    script = Path(sys.executable).with_name("speechgen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


# Children compile Python once and reuse the bytecode, as an installed program does,
# even where PYTHONDONTWRITEBYTECODE is set; the cache lives outside the repository.
PYCACHE = Path(tempfile.gettempdir()) / f"speechgen-bench-pycache-{os.getuid() if hasattr(os, 'getuid') else 0}"
CHILD_ENV = {**os.environ, "PYTHONPYCACHEPREFIX": str(PYCACHE)}
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)


def clear(folder: Path) -> None:
    """Remove a previous run's output and let the disk settle, outside any timing.

    Deleting or writing hundreds of files leaves the file system's journal busy for
    a while; the next contender would otherwise pay for the previous one's files.
    """
    shutil.rmtree(folder, ignore_errors=True)
    os.sync()


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float  # the largest resident set of the process or any worker (see measure_alone)
    out: str = ""


def measure(cmd: list[str], env: dict | None = None, capture: bool = False) -> Run:
    """Run a command; its wall time, and its CPU time and peak memory from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env or CHILD_ENV,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    out = proc.stdout.read().decode() if capture else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    rss = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, out)


def measure_alone(cmd: list[str]) -> Run:
    """`measure`, through a small launcher process, for peak memory.

    A process forked from this one starts with this one's resident pages (the bench
    holds tens of MB), so its peak is never below them; the launcher is a bare Python.
    """
    found = json.loads(measure(child("--launch", *cmd), capture=True).out)
    return Run(found["wall_s"], found["cpu_s"], found["peak_mb"], found["out"])


def launch(cmd: list[str]) -> None:
    import resource

    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=CHILD_ENV).stdout
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": time.perf_counter() - start, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "out": out,
                      "peak_mb": usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)}))


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), for the report."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


@dataclass
class Series:
    """One contender's runs; medians and ranges of wall and CPU."""

    runs: list[Run] = field(default_factory=list)

    def med(self, what: str = "cpu") -> float:
        return statistics.median(getattr(r, what) for r in self.runs)

    def span(self, what: str = "cpu") -> str:
        values = [getattr(r, what) for r in self.runs]
        return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"

    def line(self) -> str:
        return f"CPU {self.span('cpu')} s, wall {self.span('wall')} s"


def alternate(contenders: dict, rounds: int, label: str = "") -> dict[str, Series]:
    """Run each contender once a round, the order reversed every other round."""
    series = {name: Series() for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            series[name].runs.append(contenders[name]())
        if label:
            print(f"  round {r + 1} ({label}, load {load()}): " + ", ".join(
                f"{n} {series[n].runs[-1].cpu:.2f}/{series[n].runs[-1].wall:.2f} s"
                for n in names), flush=True)
    return series


TARGETS: list[tuple[str, str, bool]] = []


def target(name: str, figure: str, met: bool) -> None:
    """A target of issue 16, as the run found it; all are printed again at the end."""
    TARGETS.append((name, figure, met))
    print(f"  {name}: {figure}: {'met' if met else 'NOT met'}", flush=True)


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


def docxtpl_words(data: Path) -> dict[str, dict]:
    """speechgen's own words and figures of each scorecard, by township, so both write the
    same content (docxtpl has no analysis of its own: it is given the sentences)."""
    from generator import batch, pipeline
    from generator.document import model

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    words = {}
    for index, unit in enumerate(facts["townships"]["units"]):
        doc = batch._render_one(job, index)
        title = next(b.text for b in doc.blocks if isinstance(b, model.Title))
        summary = next(b.text for b in doc.blocks if isinstance(b, model.Paragraph))
        table = next(b for b in doc.blocks if isinstance(b, model.Table))
        words[unit["name"]] = {"title": title, "summary": summary,
                               "rows": [list(r) for r in table.rows]}
    return words


def docxtpl_child(template: str, words: str, data: str, out: str) -> None:
    """The whole docxtpl process: load the county's YAML, then one scorecard per township."""
    import yaml
    from docxtpl import DocxTemplate

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(data, encoding="utf-8") as fh:
        county = yaml.load(fh, Loader=loader)
    prepared = json.loads(Path(words).read_text(encoding="utf-8"))
    for n, unit in enumerate(county["townships"]["units"]):
        tpl = DocxTemplate(template)  # a rendered template cannot be rendered again
        tpl.render(prepared[unit["name"]])
        tpl.save(Path(out) / f"{n}.docx")


def render_child(data: str, out: str) -> None:
    """Times speechgen on rendering and writing the files alone (no start-up, no loading)."""
    from generator import batch, pipeline

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    batch._render_one(job, 0)  # compile the template, as the command does before its workers start
    tasks = [(i, str(Path(out) / f"{i}.docx")) for i in range(len(facts["townships"]["units"]))]
    cpu, start = time.process_time(), time.perf_counter()
    for _ in batch._run(job, tasks, 1, None, {}):  # writes the files as it goes
        pass
    print(json.dumps({"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - start}))


def child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


def scorecards_command(data: Path, out: Path, jobs: int | None = None, merged: bool = False) -> list[str]:
    return (speechgen_command() + ["scorecards", "--data", str(data), "--out", str(out)]
            + (["-j", str(jobs)] if jobs else []) + (["--merged"] if merged else []))


# ----------------------------------------------------------------- sections

def bench_batch(work: Path, count: int, rounds: int) -> dict:
    print(f"batch: {count} townships x {len(synthetic.INDICATORS)} indicators (load {load()})", flush=True)
    data = synthetic.write(work / f"county{count}.yaml", count)
    template = build_docxtpl_template(work / "scorecard_tpl.docx")
    words = work / "words.json"
    words.write_text(json.dumps(docxtpl_words(data), ensure_ascii=False), encoding="utf-8")
    dirs = {k: work / k for k in ("j1", "j2", "docxtpl", "floor", "render")}

    def fresh(name: str) -> Path:
        clear(dirs[name])
        if name in ("docxtpl", "render"):  # written into, not made by the contender
            dirs[name].mkdir()
        return dirs[name]

    def floor() -> Run:
        found = json.loads(measure(child("--floor", str(dirs["j1"]), str(fresh("floor"))),
                                   capture=True).out)
        assert found["identical"], "the floor did not write speechgen's bytes"
        return Run(found["wall_s"], found["cpu_s"], 0)

    def rendering() -> Run:
        found = json.loads(measure(child("--render-child", str(data), str(fresh("render"))),
                                   capture=True).out)
        return Run(found["wall_s"], found["cpu_s"], 0)

    def docxtpl() -> Run:
        fresh("docxtpl")
        return measure(child("--docxtpl-child", str(template), str(words), str(data),
                             str(dirs["docxtpl"])))

    measure(scorecards_command(data, fresh("j1"), 1))  # the floor rewrites these files
    runs = alternate({"speechgen -j 1": lambda: measure(scorecards_command(data, fresh("j1"), 1)),
                      "speechgen -j 2": lambda: measure(scorecards_command(data, fresh("j2"), 2)),
                      "docxtpl": docxtpl, "floor": floor, "render+write": rendering},
                     rounds, "CPU/wall")
    for name, series in runs.items():
        print(f"  {name:15s} {series.line()}")
    j1, j2, theirs, floor_s = (runs[k] for k in ("speechgen -j 1", "speechgen -j 2", "docxtpl", "floor"))
    ratio = theirs.med("cpu") / j1.med("cpu")
    ratios = sorted(t.cpu / o.cpu for t, o in zip(theirs.runs, j1.runs))
    target("batch -j 1, docxtpl's CPU / speechgen's CPU",
           f"{ratio:.1f}x (rounds {ratios[0]:.1f}-{ratios[-1]:.1f}x; wall {theirs.med('wall') / j1.med('wall'):.1f}x, "
           f"-j 2 wall {theirs.med('wall') / j2.med('wall'):.1f}x), target at least 15x", ratio >= 15)
    per_doc = j1.med("cpu") / count * 1000
    floor_doc = floor_s.med("cpu") / count * 1000
    render_doc = runs["render+write"].med("cpu") / count * 1000
    target("per document, speechgen's CPU / the floor's",
           f"{per_doc:.2f} ms (whole command) / {floor_doc:.2f} ms = {per_doc / floor_doc:.1f}x "
           f"(render + write alone {render_doc:.2f} ms, {render_doc / floor_doc:.1f}x), target at most 2.5x",
           per_doc <= 2.5 * floor_doc)
    return {k: {"cpu_s": v.med("cpu"), "wall_s": v.med("wall"),
                "cpu_runs": [r.cpu for r in v.runs], "wall_runs": [r.wall for r in v.runs]}
            for k, v in runs.items()} | {"ratio_cpu": ratio}


def bench_speech(work: Path, rounds: int) -> dict:
    print(f"speech on the bundled data, against the import floor (load {load()})", flush=True)
    out = work / "speech"
    cmd = speechgen_command() + ["speech", "--data", str(ROOT / "indicators.yaml"), "--out", str(out)]
    notice = speechgen_command() + ["notice", "--data", str(ROOT / "indicators.yaml"), "--out", str(out)]
    cold = {**CHILD_ENV, "SPEECHGEN_NO_CACHE": "1"}

    def run(command: list[str], env: dict | None = None) -> Run:
        clear(out)  # every run writes a new file
        return measure(command, env)

    run(cmd)  # warm the page cache, the bytecode and the template cache
    run(notice)
    runs = alternate({"import floor": lambda: measure([sys.executable, "-c", IMPORT_FLOOR]),
                      "speech": lambda: run(cmd),
                      "speech, no cache": lambda: run(cmd, cold),
                      "notice": lambda: run(notice),
                      "notice, no cache": lambda: run(notice, cold)}, rounds)
    for name, series in runs.items():
        print(f"  {name:17s} {series.line()}")
    floor, speech = runs["import floor"], runs["speech"]
    ratio = speech.med("cpu") / floor.med("cpu")
    target("single speech, CPU / the import floor's",
           f"{speech.med('cpu'):.3f} s / {floor.med('cpu'):.3f} s = {ratio:.2f}x "
           f"(no template cache: {runs['speech, no cache'].med('cpu') / floor.med('cpu'):.2f}x), "
           "target at most 1.5x", ratio <= 1.5)
    chart = [json.loads(measure(child("--chart-child"), capture=True).out) for _ in range(3)]
    chart_cpu = statistics.median(c["cpu_s"] for c in chart)
    target("notice's chart, CPU in a fresh process (matplotlib's import included)",
           f"{chart_cpu:.2f} s; notice {runs['notice'].med('cpu'):.2f} s "
           f"({runs['notice, no cache'].med('cpu'):.2f} s with no cache) against the speech's "
           f"{speech.med('cpu'):.2f} s, target under 1 s", chart_cpu < 1.0)
    return {k: {"cpu_s": v.med("cpu"), "wall_s": v.med("wall")} for k, v in runs.items()} | \
        {"chart_cpu_s": chart_cpu}


def chart_child() -> None:
    """The notice's chart alone, in a fresh process: matplotlib's import, the font, the PNG."""
    cpu, wall = time.process_time(), time.perf_counter()
    from generator import pipeline
    from generator.writers import charts

    units = pipeline.load_facts(ROOT / "indicators.yaml")["townships"]["units"]
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    charts.score_chart([u["name"] for u in units], [u["score"] for u in units])
    print(json.dumps({"cpu_s": time.process_time() - start_cpu, "wall_s": time.perf_counter() - start_wall,
                      "setup_cpu_s": start_cpu - cpu}))


def bench_scaling(work: Path, sizes: list[int], rounds: int) -> dict:
    """The whole command at -j 1 over county sizes, with and without --merged; peak memory."""
    print(f"scaling, speechgen scorecards -j 1, median of {rounds} (load {load()})", flush=True)
    print("      N  mode      CPU s   wall s   CPU ms/doc  marginal ms/doc  peak MB")
    result: dict = {}
    for merged in (False, True):
        previous = None
        for n in sizes:
            data = synthetic.write(work / f"county{n}.yaml", n)
            out = work / f"scale{n}"
            series = alternate({"run": lambda: (clear(out), measure_alone(scorecards_command(data, out, 1, merged)))[1]},
                               rounds if n <= 2000 else 1)["run"]
            cpu, wall = series.med("cpu"), series.med("wall")
            rss = max(r.rss_mb for r in series.runs)
            marginal = (cpu - previous[1]) / (n - previous[0]) * 1000 if previous else float("nan")
            mode = "merged" if merged else "plain"
            print(f"  {n:5d}  {mode:7s} {cpu:7.2f}  {wall:7.2f}  {cpu / n * 1000:9.2f}  {marginal:13.2f}  "
                  f"{rss:9.1f}  (load {load()})", flush=True)
            result[f"{mode} {n}"] = {"cpu_s": cpu, "wall_s": wall, "peak_mb": rss, "marginal_ms": marginal}
            previous = (n, cpu)
        margins = [result[f"{mode} {n}"]["marginal_ms"] for n in sizes[1:]]
        if len(margins) >= 2:
            spread = max(margins) / min(margins)
            target(f"scaling {sizes[0]}-{sizes[-1]} ({mode}), largest / smallest marginal CPU per document",
                   f"{spread:.2f} ({', '.join(f'{m:.2f}' for m in margins)} ms), target at most 1.3",
                   spread <= 1.3)
        small, large = min(sizes, key=lambda n: abs(n - 500)), sizes[-1]
        if large >= 10 * small:
            ratio = result[f"{mode} {large}"]["peak_mb"] / result[f"{mode} {small}"]["peak_mb"]
            target(f"peak memory {large} / {small} ({mode})",
                   f"{result[f'{mode} {large}']['peak_mb']:.1f} / {result[f'{mode} {small}']['peak_mb']:.1f} MB "
                   f"= {ratio:.2f}, target at most 1.5", ratio <= 1.5)
    return result


def load_child(data: str) -> None:
    """Loading alone (read, check, pack) in a fresh process: CPU, wall, peak memory."""
    import resource

    from generator.sources import loader

    cpu, wall = time.process_time(), time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    dataset = loader.load(data)
    print(json.dumps({"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
                      "townships": len(dataset.townships.units),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "imports_mb": before / 1024}))


def bench_loading(work: Path, sizes: list[int], rounds: int) -> dict:
    """The loader alone: libyaml's quick way, each township checked and packed as read."""
    print(f"loading (loader.load in a fresh process), median of {rounds} (load {load()})", flush=True)
    result = {}
    for n in sizes:
        data = synthetic.write(work / f"county{n}.yaml", n)
        found = [json.loads(measure_alone(child("--load-child", str(data))).out)
                 for _ in range(rounds)]
        cpu = statistics.median(f["cpu_s"] for f in found)
        wall = statistics.median(f["wall_s"] for f in found)
        peak = max(f["peak_mb"] for f in found)
        print(f"  {n:5d} townships  CPU {cpu:.3f} s [{min(f['cpu_s'] for f in found):.3f}-"
              f"{max(f['cpu_s'] for f in found):.3f}]  wall {wall:.3f} s  {cpu / n * 1e6:.0f} us a township  "
              f"peak {peak:.1f} MB", flush=True)
        result[n] = {"cpu_s": cpu, "wall_s": wall, "peak_mb": peak}
    return result


def merged_child(data: str) -> None:
    """Times what --merged adds: one body from the rendered scorecards, and its .docx."""
    from generator import batch, pipeline

    facts = pipeline.load_facts(data)
    job = batch.Job.for_facts(facts)
    docs = [batch._render_one(job, i) for i in range(len(facts["townships"]["units"]))]
    start = time.perf_counter()
    batch.merged_volume(job, docs)
    print(time.perf_counter() - start)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, sizes up to 2,000")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the batch comparison")
    parser.add_argument("--speech-rounds", type=int, default=9)
    parser.add_argument("--count", type=int, default=500, help="townships in the batch comparison")
    parser.add_argument("--sizes", default="100,500,2000,10000", help="townships for scaling and memory")
    parser.add_argument("--scale-rounds", type=int, default=3)
    parser.add_argument("--load-sizes", default="500,10000", help="townships for loading alone")
    parser.add_argument("--only", action="append", choices=("batch", "speech", "scaling", "loading"),
                        help="run only these")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    # child modes, used by the benchmark itself
    parser.add_argument("--docxtpl-child", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--merged-child", help=argparse.SUPPRESS)
    parser.add_argument("--render-child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--chart-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--load-child", help=argparse.SUPPRESS)
    parser.add_argument("--launch", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.docxtpl_child:
        return docxtpl_child(*args.docxtpl_child)
    if args.merged_child:
        return merged_child(args.merged_child)
    if args.render_child:
        return render_child(*args.render_child)
    if args.floor:
        import floor

        return floor.main(args.floor)
    if args.chart_child:
        return chart_child()
    if args.load_child:
        return load_child(args.load_child)
    if args.launch:
        return launch(args.launch)

    if args.quick:
        args.rounds, args.speech_rounds, args.scale_rounds = 3, 5, 1
        args.sizes = "100,500,2000"
    sections = args.only or ["batch", "speech", "scaling", "loading"]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load()}, "
          f"speechgen: {' '.join(speechgen_command())}", flush=True)
    figures = {}
    with tempfile.TemporaryDirectory(prefix="speechgen-bench-") as tmp:
        work = Path(tmp)
        if "batch" in sections:
            figures["batch"] = bench_batch(work, args.count, args.rounds)
        if "speech" in sections:
            figures["speech"] = bench_speech(work, args.speech_rounds)
        if "scaling" in sections:
            figures["scaling"] = bench_scaling(work, [int(n) for n in args.sizes.split(",")],
                                               args.scale_rounds)
        if "loading" in sections:
            figures["loading"] = bench_loading(work, [int(n) for n in args.load_sizes.split(",")],
                                               args.scale_rounds)
    print(f"\ntargets (issue 16), load at the end {load()}:")
    for name, figure, met in TARGETS:
        print(f"  {'met    ' if met else 'NOT met'}  {name}: {figure}")
    if args.json:
        figures["targets"] = [{"target": n, "figure": f, "met": m} for n, f, m in TARGETS]
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
