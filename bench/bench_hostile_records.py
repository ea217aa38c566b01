"""Held-out hostile store records (issue 16): generated, not the curated cases of the tests, each pushed through
the real CLI both ways a record arrives (`store import` of a JSONL line, and a committed file that the build
reads), then every output read back.

Checked for each record: no traceback and a known exit code; a refused record names its file and a field;
for a built report, the .bib parses (bibtexparser) with only the writer's fields, holds no TeX command outside
the harmless list and no `^^`, no output holds a control character or an unterminated bidi control, no SVG is
invalid XML, and an impostor file (id differs from its name) is never used.

Run: `python bench/bench_hostile_records.py --count 60 --seed 7` (about 3 s per record on 2 busy cores).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import bibtexparser  # noqa: E402

from builder.render.bibtex import FIELD_ORDER  # noqa: E402
from builder.render.bibvalue import SAFE_MATH_COMMANDS, SAFE_TEXT_COMMANDS  # noqa: E402

SPEC = ROOT / "reports" / "domain-mismatch-multisource-ner.yaml"
TARGET = "2003.11080"
# Fragments not used by the tests' curated cases or their property alphabets.
PIECES = [
    "\\catcode`\\^^M=13", "\\write18{id}", "\\def\\foo{bar}", "\\openin5=/etc/shadow", "\\makeatletter",
    "\\expandafter", "^^40", "^^^^0041", "\\string\\", "@comment{", "@string{x=\"y\"}", "\" # \"", "}}}}", "{{{{",
    "\\{\\{\\}", "$$", "$\\sqrt{2}$", "$a^$", "\\verb|x|", "\u200f", "\u200e", "\u061c", "\u2067", "\u202b",
    "\u202d", "\u202c\u202c", "\u2069\u2069", "\u0000", "\u0008", "\u007f", "\u0085", "\u2028", "\ufffe",
    "\U0010ffff", "\u0301\u0301", "العربية", "עברית", "ZWJ\u200dZWNJ\u200c", "<script>x</script>", "{{ x }}",
    "&amp;", "' OR 1=1", "\\\\\\", "\\", "%", "~~", "--", ",,", " and ", "and", "others", ", , ,", "\t\n",
]
TEXT_FIELDS = ["title", "abstract", "doi", "journal_ref", "comments"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def hostile_text(rng: random.Random, size: int = 6) -> str:
    parts = [rng.choice(PIECES) if rng.random() < 0.6 else "".join(rng.choice("aZ9 .-_") for _ in range(4))
             for _ in range(rng.randint(1, size))]
    return "".join(parts)


def hostile_record(rng: random.Random, base: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One record: hostile text in several fields, sometimes a wrong type, a bound exceeded or an impostor id."""
    record = dict(base)
    kind = "text"
    for name in rng.sample(TEXT_FIELDS, rng.randint(1, len(TEXT_FIELDS))):
        record[name] = hostile_text(rng)
    if rng.random() < 0.5:
        record["authors"] = [hostile_text(rng, 3) for _ in range(rng.randint(0, 5))] + list(base["authors"])
    roll = rng.random()
    if roll < 0.12:
        kind = "wrong type"
        record[rng.choice([*TEXT_FIELDS, "authors", "categories", "version", "published"])] = rng.choice(
            [5, 1.5, True, ["x"], {"a": 1}, "", -1])
    elif roll < 0.2:
        kind = "impostor"
        record["arxiv_id"] = "2004.12440"
    elif roll < 0.26:
        kind = "too big"
        record["authors"] = [f"A{i} B{i}" for i in range(rng.choice([20_001, 5_000]))]
    elif roll < 0.32:
        kind = "bad category"
        record["primary_category"] = hostile_text(rng, 2)
    return kind, record


def outputs_ok(out: Path) -> list[str]:
    problems: list[str] = []
    for path in [*out.glob("bib/*.bib"), *out.glob("data/*.json"), *out.glob("tex/*.tex"),
                 *out.rglob("site/**/*.html"), *out.rglob("site/**/*.svg")]:
        text = path.read_text(encoding="utf-8")
        if CONTROL.search(text):
            problems.append(f"{path.name}: control character")
        depth = 0
        for char in text:
            depth += char in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068"
            depth -= char in "\u202c\u2069" and depth > 0
        if depth:
            problems.append(f"{path.name}: unterminated bidi control")
        if path.suffix == ".svg":
            try:
                ET.fromstring(text)
            except ET.ParseError as exc:
                problems.append(f"{path.name}: invalid SVG ({exc})")
        if path.suffix == ".bib":
            library = bibtexparser.parse_string(text)
            if library.failed_blocks:
                problems.append(f"{path.name}: bibtexparser failed")
            allowed = {f.lower() for f in FIELD_ORDER}
            for entry in library.entries:
                extra = {f.key.lower() for f in entry.fields} - allowed
                if extra:
                    problems.append(f"{path.name}: injected fields {sorted(extra)}")
            unsafe = set(re.findall(r"\\([A-Za-z]+)", text)) - SAFE_TEXT_COMMANDS - SAFE_MATH_COMMANDS
            if unsafe or "^^" in text:
                problems.append(f"{path.name}: TeX commands {sorted(unsafe)}")
        if path.suffix == ".json" and "IMPOSTOR-TITLE" in text:
            problems.append(f"{path.name}: impostor used")
    return problems


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "builder", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = json.loads((ROOT / "store" / "papers" / f"{TARGET}.json").read_text(encoding="utf-8"))
    tally: dict[str, list[int]] = {}
    reasons: Counter[str] = Counter()  # refused records by the first field their error names
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hostile-records-") as tmp:
        for number in range(args.count):
            kind, record = hostile_record(rng, base)
            if kind == "impostor":
                record["title"] = "IMPOSTOR-TITLE"
            # An impostor is a file whose name and id disagree; imported, the same record is just that other paper.
            for route in ("committed",) if kind == "impostor" else ("import", "committed"):
                project = Path(tmp) / f"p{number}-{route}"
                (project / "reports").mkdir(parents=True)
                shutil.copytree(ROOT / "store", project / "store")
                shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
                shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
                shutil.copy(SPEC, project / "reports" / "r.yaml")
                target = project / "store" / "papers" / f"{TARGET}.json"
                if route == "import":
                    line = json.dumps(record, ensure_ascii=False)
                    (project / "in.jsonl").write_text(line + "\n", encoding="utf-8", errors="surrogatepass")
                    target.unlink()
                    result = run("--root", str(project), "store", "import", str(project / "in.jsonl"), cwd=project)
                    ok_refusal = result.returncode == 2 and "in.jsonl:1: field '" in result.stderr
                    if result.returncode != 0 and not ok_refusal:
                        failures.append(f"#{number} {kind} import: exit {result.returncode}: {result.stderr[-300:]}")
                    if result.returncode != 0:
                        reasons.update(re.findall(r"field '([^'\[.]+)", result.stderr)[:1] or ["(record)"])
                        stats = tally.setdefault(f"{kind} / {route}", [0, 0, 0])
                        stats[0] += 1
                        stats[2] += 1
                        shutil.rmtree(project)
                        continue
                else:
                    target.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
                build = run("--root", str(project), "build", "--quiet", "--out", str(project / "build"), cwd=project)
                stats = tally.setdefault(f"{kind} / {route}", [0, 0, 0])
                stats[0] += 1
                if "Traceback" in build.stderr or build.returncode not in (0, 1, 2):
                    failures.append(f"#{number} {kind} {route}: traceback or exit {build.returncode}")
                if build.returncode == 2:
                    stats[2] += 1
                    reasons.update(re.findall(r"field '([^'\[.]+)", build.stderr)[:1] or ["(record)"])
                    if f"{TARGET}.json: field '" not in build.stderr:
                        failures.append(f"#{number} {kind} {route}: refusal without file and field: "
                                        f"{build.stderr[-300:]}")
                elif build.returncode == 0:
                    stats[1] += 1
                else:
                    failures.append(f"#{number} {kind} {route}: build failed: {build.stderr[-400:]}")
                failures.extend(f"#{number} {kind} {route}: {p}" for p in outputs_ok(project / "build"))
                shutil.rmtree(project)
    print(f"{'kind / route':28} {'records':>8} {'built':>6} {'refused':>8}")
    for name, (count, built, refused) in sorted(tally.items()):
        print(f"{name:28} {count:8} {built:6} {refused:8}")
    print("refused, by field: " + ", ".join(f"{name} {count}" for name, count in reasons.most_common()))
    print(f"{len(failures)} problems")
    for failure in failures:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
