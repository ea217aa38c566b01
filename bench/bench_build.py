"""Build-speed benchmark (issues 7 and 17): cold and no-op builds against the TeX + site-engine floor, scaling
with the number of reports on each site engine (MkDocs, Zensical), one spec changed (its title: every page's
navigation changes; then another's question: no title changes), memory, -j 1 and shards.

`make bench` runs the six examples and 50 generated specs on both engines, with the -j 1 run and the shards at
50 (about 6 minutes on two idle cores); `make bench ARGS=--full` runs 50, 100 and 200 specs (the -j 1 run and the
shards at 200; about half an hour); `--sizes`, `--engines`, `--skip-jobs` and `--skip-shards` pick parts. Every
timed run records the load average before it (`load`), since on a shared machine that moves the figures.
Generated specs live in a temporary project folder, never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from builder.render import texformat  # noqa: E402  (the bench runs as a script from the checkout)
from builder.render.latex import tex_engine  # noqa: E402
from builder.render.site import splices  # noqa: E402
from builder.render.site.zensical import VALIDATION_OFF, zensical_installed  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "papers.jsonl"


PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
SAMPLE_SECONDS = 0.2  # a TeX pass lasts 0.4 s or more, so its memory is still seen


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """RSS and PSS (MB) of a process and all its descendants, from /proc.

    Summed RSS counts pages shared between processes (libraries, TeX's format and fonts) once per process;
    PSS divides them among their sharers, so the PSS sum is the memory the build really occupies.
    The sampler shares the machine with the build it measures: one read of each process's `stat` finds the
    tree and its RSS, and only the tree's own processes are asked for PSS (`smaps_rollup` walks page tables).
    """
    children: dict[int, list[int]] = {}
    rss_pages: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # After the command name: state, ppid, ... ; rss (in pages) is the 24th field of the whole line.
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss_pages[int(entry.name)] = int(fields[21])
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    pss_kb = 0
    for member in tree:
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss_kb += int(line.split()[1])
        except OSError:
            continue
    rss_kb = sum(rss_pages.get(member, 0) for member in tree) * PAGE_KB
    return rss_kb / 1024, pss_kb / 1024


LOADS: list[float] = []  # the 1-minute load average before each timed run
# `python -m builder` run in a project folder imports the builder of this checkout, not whichever one the
# virtualenv has installed (a worktree's bench would otherwise measure the main checkout's code).
CHECKOUT_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def children_cpu() -> float:
    """User + system CPU seconds of every finished child process (and theirs), so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall time and peak tree RSS (MB) of a command; its CPU seconds (whole process tree) go to CPU_S."""
    LOADS.append(os.getloadavg()[0])
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=CHECKOUT_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    peak_pss = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = tree_memory_mb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - start
    result = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{stdout}\n{stderr}")
    PEAK_PSS[" ".join(cmd)] = peak_pss
    CPU_S[" ".join(cmd)] = children_cpu() - cpu
    return elapsed, peak, result


PEAK_PSS: dict[str, float] = {}
CPU_S: dict[str, float] = {}


def builder(project: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "builder", "--root", str(project), "build", "--quiet", *args]


def make_project(base: Path, specs: dict[str, str] | None, engine: str = "mkdocs") -> Path:
    project = base
    project.mkdir(parents=True)
    for name in ("store", "latex"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    setting = 'site_engine = "mkdocs"'
    assert setting in pyproject, f"{ROOT / 'pyproject.toml'} no longer says {setting}"
    (project / "pyproject.toml").write_text(pyproject.replace(setting, f'site_engine = "{engine}"'), encoding="utf-8")
    (project / "reports").mkdir()
    if specs is None:
        for spec in (ROOT / "reports").glob("*.yaml"):
            shutil.copy(spec, project / "reports" / spec.name)
    else:
        for name, text in specs.items():
            (project / "reports" / name).write_text(text, encoding="utf-8")
    return project


def generated_specs(count: int) -> dict[str, str]:
    """`count` specs drawn deterministically from the corpus: a primary and 5-8 related papers each."""
    papers = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(20261122)
    specs = {}
    for number in range(count):
        chosen = rng.sample(papers, rng.randint(6, 9))
        primary, others = chosen[0], chosen[1:]
        title = f"Report {number:03d}: {primary['title']}"
        question = f"What does the literature say about {primary['title'].rstrip('.?')}?"
        lines = [
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"date: 2026-{1 + number % 12:02d}-{1 + number % 28:02d}",
            f"question: {json.dumps(question, ensure_ascii=False)}",
            f'primary: "{primary["arxiv_id"]}"',
            "papers:",
            *(f'  - "{p["arxiv_id"]}"' for p in others),
        ]
        specs[f"gen-{number:03d}.yaml"] = "\n".join(lines) + "\n"
    return specs


def tex_floor(tex_dir: Path) -> tuple[float, float]:
    """Wall and CPU seconds of the TeX engine alone on the same .tex files, for as many passes as each needs
    (until the .aux settles), one file after another.

    Each file is run with the engine its first line names (pdfLaTeX for the examples; XeLaTeX for text that needs
    it). A pdfLaTeX file with the dump mark runs with a format of its preamble, as builds do; the dump of each
    distinct preamble (once) is counted in.
    """
    total = 0.0
    cpu = children_cpu()
    env = {**os.environ, "openin_any": "p", "openout_any": "p"}
    with tempfile.TemporaryDirectory() as formats_tmp:
        formats = Path(formats_tmp)
        for tex in sorted(tex_dir.glob("*.tex")):
            with tempfile.TemporaryDirectory() as tmp:
                shutil.copy(tex, Path(tmp) / tex.name)
                for name in ("latex",):
                    if (ROOT / name).is_dir():
                        shutil.copytree(ROOT / name, Path(tmp) / name)
                source = tex.read_text(encoding="utf-8")
                engine = tex_engine(source)
                preamble = texformat.shared_preamble(source) if engine in texformat.ENGINES else None
                fmt = []
                start = time.perf_counter()
                if preamble is not None:
                    made = texformat.ensure_format(engine, preamble, formats, env, deadline=time.monotonic() + 180)
                    fmt = [f"-fmt={made}"] if made else []
                total += time.perf_counter() - start
                previous = None
                for _ in range(4):
                    start = time.perf_counter()
                    draft = ["-draftmode"] if fmt and previous is None else []  # as builds run the first pass
                    subprocess.run(
                        [engine, *fmt, *draft, "-interaction=batchmode", "-no-shell-escape", tex.name],
                        cwd=tmp,
                        env={**env, "TEXINPUTS": f".:{ROOT / 'latex'}:"},
                        capture_output=True,
                        check=False,
                    )
                    total += time.perf_counter() - start
                    aux = (Path(tmp) / tex.with_suffix(".aux").name).read_bytes()
                    if aux == previous:
                        break
                    previous = aux
    return total, children_cpu() - cpu


def inline_docs(build_dir: Path, tmp: Path) -> Path:
    """A copy of the built docs with the site-wide tables in their pages (`splices.inline`): the pages an engine
    alone would have to read."""
    shutil.copytree(build_dir / "docs", tmp / "docs")
    splices.inline(tmp / "docs")
    return tmp / "docs"


def mkdocs_floor(build_dir: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        docs = inline_docs(build_dir, Path(tmp))
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\nsite_dir: {Path(tmp) / 'site'}\n")
        start = time.perf_counter()
        env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True, env=env)
        return time.perf_counter() - start


def zensical_floor(build_dir: Path) -> tuple[float, float]:
    """`zensical build` alone on the same pages, cold then warm (its cache kept), with the settings the builder gives
    it (the nav left to Zensical, its link validation off), from a folder of its own."""
    with tempfile.TemporaryDirectory() as tmp:
        inline_docs(build_dir, Path(tmp))
        config = Path(tmp) / "mkdocs.yml"
        validation = ", ".join(f"{key}: {str(value).lower()}" for key, value in VALIDATION_OFF.items())
        config.write_text(
            f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\nuse_directory_urls: false\n"
            f"theme: {{variant: classic}}\nvalidation: {{{validation}}}\n"
        )
        times = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "zensical", "build", "-f", str(config)], check=True, cwd=tmp, capture_output=True
            )
            times.append(time.perf_counter() - start)
        return times[0], times[1]


def growth_per_doubling(small: tuple[int, float], large: tuple[int, float]) -> float:
    """How much a time grows each time the number of reports doubles, between two sizes."""
    (n1, t1), (n2, t2) = small, large
    return (t2 / t1) ** (1 / math.log2(n2 / n1))


def phase_seconds(stdout: str) -> dict[str, float]:
    """The phases of `--timings`' last line ("build: reports 1.10, pages 0.90, engine 1.60, links 0.20, site 3.02,
    total 4.28"): `site` is the whole publish step, `pages` writing the Markdown, `engine` the site engine and
    `links` the link check."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("build: "):
            pairs = (part.partition(" ") for part in line.removeprefix("build: ").split(", "))
            return {name: float(seconds) for name, _, seconds in pairs}
    return {}


def site_digest(site: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(site)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def measure_size(base: Path, size: int, engine: str, args: argparse.Namespace, compare: bool) -> dict[str, object]:
    """One collection of `size` generated specs on one engine: cold at -j 2, no-op, one spec changed, memory; at
    the comparison size (first engine only) also -j 1 and four shards merged."""
    project = make_project(base / f"gen{size}-{engine}", generated_specs(size), engine)
    out = project / "build"
    cold_cmd = builder(project, "--out", str(out), "-j", "2")
    cold2, rss2, _ = run(cold_cmd, project)
    if engine == "zensical":  # the engine really ran, from its fixed folder
        assert (out / ".cache" / "zensical" / ".cache").is_dir(), f"{out}: no Zensical cache after a build"
    row: dict[str, object] = {
        "engine": engine,
        "cold_j2_s": round(cold2, 1),
        "cold_per_report_s": round(cold2 / size, 3),
        "cold_j2_cpu_s": round(CPU_S[" ".join(cold_cmd)], 1),
        "peak_rss_mb_j2": round(rss2),
        "peak_pss_mb_j2": round(PEAK_PSS[" ".join(cold_cmd)]),
        "load_cold": round(LOADS[-1], 2),
    }
    noop2, _, _ = run(builder(project, "--out", str(out), "-j", "2"), project)
    row["noop_s"] = round(noop2, 2)
    row["load_noop"] = round(LOADS[-1], 2)
    spec = project / "reports" / "gen-000.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("Report 000", "Report 000 (changed)"))
    one, rss1, result = run(builder(project, "--out", str(out), "-j", "2", "--timings"), project)
    row["one_changed_s"] = round(one, 2)
    phases = phase_seconds(result.stdout)
    for phase in ("site", "pages", "engine", "links"):
        row[f"one_changed_{phase}_s"] = phases.get(phase)
    row["one_changed_peak_rss_mb"] = round(rss1)
    row["load_one_changed"] = round(LOADS[-1], 2)
    row["one_changed_summary"] = next(
        line for line in reversed(result.stdout.splitlines()) if "below the publication gate" in line
    )
    # The other kind of edit: a question changed, so the report's claims are picked again but no title, and so
    # no page's navigation, changes.
    spec = project / "reports" / "gen-001.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("What does the literature say about", "What is known about")
    )
    question, _, result = run(builder(project, "--out", str(out), "-j", "2", "--timings"), project)
    row["question_changed_s"] = round(question, 2)
    row["question_changed_site_s"] = phase_seconds(result.stdout).get("site")
    if compare and not args.skip_jobs:
        shutil.rmtree(out)
        j1_cmd = builder(project, "--out", str(out), "-j", "1")
        cold1, rss1, _ = run(j1_cmd, project)
        row["cold_j1_s"] = round(cold1, 1)
        row["peak_rss_mb_j1"] = round(rss1)
        row["peak_pss_mb_j1"] = round(PEAK_PSS[" ".join(j1_cmd)])
        row["speedup_j2"] = round(cold1 / cold2, 2)
    if compare and not args.skip_shards:
        shards = []
        for index in range(1, 5):
            shard_out = project / f"shard{index}"
            run(builder(project, "--out", str(shard_out), "--shard", f"{index}/4", "-j", "2"), project)
            shards.append(str(shard_out))
        merged = project / "merged"
        run(builder(project, "--out", str(merged), "--merge", *shards), project)
        row["shards_merged_equal_site"] = site_digest(merged / "site") == site_digest(out / "site")
    shutil.rmtree(project, ignore_errors=True)  # 200 reports' outputs take about 0.5 GB
    return row


def table(growth: dict[int, dict[str, dict[str, object]]]) -> str:
    """The figures as the Markdown table docs/benchmarks.md shows."""
    lines = [
        "| specs | engine | cold -j 2 | per report | no-op | one spec changed | its site part: pages + engine + links "
        "| one question changed | peak RSS -j 2 | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size, engines in growth.items():
        for engine, row in engines.items():
            loads = f"{row['load_cold']}/{row['load_noop']}/{row['load_one_changed']}"
            site = (
                f"{row['one_changed_site_s']} s: {row['one_changed_pages_s']} + {row['one_changed_engine_s']} + "
                f"{row['one_changed_links_s']} s"
            )
            lines.append(
                f"| {size} | {engine} | {row['cold_j2_s']} s | {row['cold_per_report_s']} s | {row['noop_s']} s "
                f"| {row['one_changed_s']} s | {site} | {row['question_changed_s']} s | {row['peak_rss_mb_j2']} MB "
                f"| {loads} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="numbers of generated specs (default 50)")
    parser.add_argument("--full", action="store_true", help="sizes 50, 100 and 200 (about half an hour)")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=("mkdocs", "zensical"),
        default=None,
        help="site engines (default: both; zensical only when installed)",
    )
    parser.add_argument(
        "--compare-at", type=int, default=None, help="size for the -j 1 run and the shards (default: largest)"
    )
    parser.add_argument("--skip-jobs", action="store_true", help="skip the -j 1 run")
    parser.add_argument("--skip-shards", action="store_true")
    parser.add_argument("--skip-examples", action="store_true", help="skip the six examples and the floors")
    args = parser.parse_args()
    sizes = args.sizes or ([50, 100, 200] if args.full else [50])
    engines = args.engines or (["mkdocs", "zensical"] if zensical_installed() else ["mkdocs"])
    if "zensical" in engines and not zensical_installed():
        raise SystemExit("zensical is not installed: pip install -e '.[zensical]'")
    if engines == ["mkdocs"] and args.engines is None:
        print("note: zensical is not installed, so only MkDocs is measured (pip install -e '.[zensical]')")
    figures: dict[str, object] = {"load_before": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}
    compare_at = args.compare_at or max(sizes)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = Path(tmp)

        # 1-2. The examples: cold build against the floor (TeX, then each engine on the same pages), then a no-op.
        if not args.skip_examples:
            project = make_project(base / "examples", None)
            out = project / "build"
            cold, rss, _ = run(builder(project, "--out", str(out)), project)
            cold_cpu = CPU_S[" ".join(builder(project, "--out", str(out)))]
            floor_tex, floor_tex_cpu = tex_floor(out / "tex")
            floor_site = mkdocs_floor(out)
            noop, _, _ = run(builder(project, "--out", str(out)), project)
            floor = floor_tex + floor_site
            examples: dict[str, object] = {
                "cold_s": round(cold, 2),
                "floor_s": round(floor, 2),
                "floor_tex_s": round(floor_tex, 2),
                "cold_cpu_s": round(cold_cpu, 2),
                "floor_tex_cpu_s": round(floor_tex_cpu, 2),
                "floor_mkdocs_s": round(floor_site, 2),
                "ratio_cold_to_floor": round(cold / floor, 2),
                "noop_s": round(noop, 2),
                "noop_share_of_cold": round(noop / cold, 3),
                "peak_rss_mb": round(rss),
                "peak_pss_mb": round(PEAK_PSS[" ".join(builder(project, "--out", str(out)))]),
            }
            if "zensical" in engines:
                examples["floor_zensical_cold_s"], examples["floor_zensical_warm_s"] = (
                    round(t, 2) for t in zensical_floor(out)
                )
            figures["examples"] = examples
            print(json.dumps({"examples": examples}), flush=True)

        # 3-4. Generated collections on each engine: growth with size, one change, memory; -j 1 and shards once.
        growth: dict[int, dict[str, dict[str, object]]] = {}
        for size in sizes:
            growth[size] = {}
            for engine in engines:
                row = measure_size(base, size, engine, args, compare=size == compare_at and engine == engines[0])
                growth[size][engine] = row
                print(json.dumps({size: row}), flush=True)
        figures["growth"] = growth
        if len(sizes) > 1:
            small, large = min(sizes), max(sizes)
            figures["one_changed_growth_per_doubling"] = {
                engine: round(
                    growth_per_doubling(
                        (small, float(growth[small][engine]["one_changed_s"])),  # type: ignore[arg-type]
                        (large, float(growth[large][engine]["one_changed_s"])),  # type: ignore[arg-type]
                    ),
                    2,
                )
                for engine in engines
            }
    figures["load_max"] = round(max(LOADS, default=0.0), 2)
    print(json.dumps(figures, indent=2))
    print(table(growth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
