"""Relative paths, which every pattern is matched on, agree with os.path.relpath."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from apisec_lint.config import Config

_PARTS = st.sampled_from(["a", "b", "tests", ".", "..", "", "x.py", "pkg"])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_PARTS, min_size=1, max_size=6), absolute=st.booleans())
def test_relative_matches_relpath(parts: list, absolute: bool) -> None:
    root = Path.cwd()
    config = Config(root=root)
    path = os.path.join(*parts) or "."
    if absolute:
        path = os.path.join(str(root), path)
    expected = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    assert config.relative(path) == expected
    assert config.relative(path) == expected  # and again, from the folder cache
