"""Build-speed benchmark (issue 7): cold and no-op builds against the TeX + MkDocs floor, scaling, memory, shards.

Run with `make bench` (all of it, several minutes) or `python bench/bench_build.py --sizes 50 --skip-jobs`.
Generated specs live in a temporary project folder, never in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
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


def children_cpu() -> float:
    """User + system CPU seconds of every finished child process (and theirs), so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall time and peak tree RSS (MB) of a command; its CPU seconds (whole process tree) go to CPU_S."""
    cpu = children_cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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


def make_project(base: Path, specs: dict[str, str] | None) -> Path:
    project = base
    project.mkdir(parents=True)
    for name in ("store", "latex"):
        shutil.copytree(ROOT / name, project / name)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, project / name)
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


def mkdocs_floor(build_dir: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "mkdocs.yml"
        config.write_text(
            f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {build_dir / 'docs'}\nsite_dir: {Path(tmp) / 'site'}\n"
        )
        start = time.perf_counter()
        env = {**os.environ, "DISABLE_MKDOCS_2_WARNING": "true", "NO_MKDOCS_2_WARNING": "1"}
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], check=True, env=env)
        return time.perf_counter() - start


def site_digest(site: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(site)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument(
        "--compare-at", type=int, default=None, help="size for the -j 1 run and the shards (default: largest)"
    )
    parser.add_argument("--skip-jobs", action="store_true", help="skip the -j 1 run")
    parser.add_argument("--skip-shards", action="store_true")
    args = parser.parse_args()
    figures: dict[str, object] = {}
    compare_at = args.compare_at or max(args.sizes)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        base = Path(tmp)

        # 1-2. The five examples: cold build against the floor, then a no-op rebuild.
        project = make_project(base / "examples", None)
        out = project / "build"
        cold, rss, _ = run(builder(project, "--out", str(out)), project)
        cold_cpu = CPU_S[" ".join(builder(project, "--out", str(out)))]
        floor_tex, floor_tex_cpu = tex_floor(out / "tex")
        floor_site = mkdocs_floor(out)
        noop, _, _ = run(builder(project, "--out", str(out)), project)
        floor = floor_tex + floor_site
        figures["examples"] = {
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
        print(json.dumps({"examples": figures["examples"]}), flush=True)

        # 3-4. Generated collections: growth with size, -j 1 vs -j 2, one change, peak memory.
        growth = {}
        for size in args.sizes:
            project = make_project(base / f"gen{size}", generated_specs(size))
            out = project / "build"
            cold2, rss2, _ = run(builder(project, "--out", str(out), "-j", "2"), project)
            row: dict[str, object] = {
                "cold_j2_s": round(cold2, 1),
                "cold_j2_cpu_s": round(CPU_S[" ".join(builder(project, "--out", str(out), "-j", "2"))], 1),
                "peak_rss_mb_j2": round(rss2),
                "peak_pss_mb_j2": round(PEAK_PSS[" ".join(builder(project, "--out", str(out), "-j", "2"))]),
            }
            noop2, _, _ = run(builder(project, "--out", str(out), "-j", "2"), project)
            row["noop_s"] = round(noop2, 2)
            spec = project / "reports" / "gen-000.yaml"
            spec.write_text(spec.read_text(encoding="utf-8").replace("Report 000", "Report 000 (changed)"))
            one, _, result = run(builder(project, "--out", str(out), "-j", "2"), project)
            row["one_changed_s"] = round(one, 2)
            row["one_changed_summary"] = result.stdout.strip().splitlines()[-1]
            if size == compare_at and not args.skip_jobs:
                shutil.rmtree(out)
                cold1, rss1, _ = run(builder(project, "--out", str(out), "-j", "1"), project)
                row["cold_j1_s"] = round(cold1, 1)
                row["peak_rss_mb_j1"] = round(rss1)
                row["peak_pss_mb_j1"] = round(PEAK_PSS[" ".join(builder(project, "--out", str(out), "-j", "1"))])
                row["speedup_j2"] = round(cold1 / cold2, 2)
            if size == compare_at and not args.skip_shards:
                shards = []
                for index in range(1, 5):
                    shard_out = project / f"shard{index}"
                    run(builder(project, "--out", str(shard_out), "--shard", f"{index}/4", "-j", "2"), project)
                    shards.append(str(shard_out))
                merged = project / "merged"
                run(builder(project, "--out", str(merged), "--merge", *shards), project)
                row["shards_merged_equal_site"] = site_digest(merged / "site") == site_digest(out / "site")
            growth[size] = row
            print(json.dumps({size: row}), flush=True)
        figures["growth"] = growth
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
