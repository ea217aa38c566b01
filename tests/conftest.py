"""Shared fixtures: the site engine the site tests run on.

A test (or a fixture) that takes `site_engine` runs once per engine: "mkdocs", the default, and "zensical" (the
`zensical` extra, which `make test` installs); one that takes `zensical` runs on Zensical only. Without the
package a Zensical run is skipped with the reason, except in CI (`CI` set), where it fails: CI must test both
engines. What differs between the engines' output (where the search index is) is in `site_engines.py`.
"""

from __future__ import annotations

import os

import pytest

from builder.render.site.zensical import INSTALL_HINT, zensical_installed
from builder.settings import SITE_ENGINES


def require(engine: str) -> str:
    """`engine`, once it is known to be installed; a skip (a failure in CI) when it is not."""
    if engine == "zensical" and not zensical_installed():
        reason = f"zensical is not installed ({INSTALL_HINT}): the site tests ran on MkDocs only"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run them on both engines")
        pytest.skip(reason)
    return engine


@pytest.fixture(scope="module", params=SITE_ENGINES)
def site_engine(request: pytest.FixtureRequest) -> str:
    return require(str(request.param))


@pytest.fixture(scope="module")
def zensical() -> str:
    return require("zensical")
