"""What the build does when its environment fails: an OSError as one sentence, and the test-only kill points."""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import time
from pathlib import Path


def os_error_message(exc: OSError, doing: str) -> str:
    """An OSError as one sentence that says what failed and what to do, instead of a traceback."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        # copytree gathers (source, target, "[Errno N] reason: ...") triples; the first one stands for all.
        _, target, why = exc.args[0][0]
        found = re.match(r"\[Errno (\d+)\] ([^:]+)", str(why))
        exc = OSError(int(found[1]), found[2], target) if found else OSError(None, str(why), target)
    where = f" {exc.filename}:" if exc.filename else ""
    advice = {
        errno.ENOSPC: "the disk is full; free some space (or use --out on another disk) and build again",
        errno.EDQUOT: "the disk quota is exhausted; free some space and build again",
        errno.EROFS: "the file system is read-only; use --out with a writable folder",
        errno.EACCES: "permission denied; make the folder writable or use --out with another folder",
        errno.EPERM: "operation not permitted; make the folder writable or use --out with another folder",
    }.get(exc.errno or 0, "check the path and build again")
    return f"cannot {doing}:{where} {exc.strerror or exc}; {advice}"


def pause_for_test(point: str) -> None:
    """Test-only hook: with BUILDER_TEST_PAUSE_AT=<point> the build stops here so a test can SIGKILL it there.

    Points: `render` (report built, before TeX), `stage` (outputs staged, before the swap), `swap` (between the
    two renames of an output folder). It announces itself on stderr and sleeps up to BUILDER_TEST_PAUSE_SECONDS
    (default 60), or until the file BUILDER_TEST_RESUME_FILE exists; unset, it costs one lookup.
    """
    if os.environ.get("BUILDER_TEST_PAUSE_AT") == point:
        print(f"BUILDER_TEST_PAUSED {point}", file=sys.stderr, flush=True)
        resume = Path(os.environ.get("BUILDER_TEST_RESUME_FILE", "/nonexistent/resume"))
        deadline = time.monotonic() + float(os.environ.get("BUILDER_TEST_PAUSE_SECONDS", "60"))
        while time.monotonic() < deadline and not resume.exists():
            time.sleep(0.05)
