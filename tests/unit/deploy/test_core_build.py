"""`floorwatch setup` compiling the core: what it does without a compiler (the build itself: docs/performance.md)."""

from __future__ import annotations

from floorwatch.deploy.core_build import ensure_built


def test_without_a_c_compiler_setup_says_so_and_builds_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOORWATCH_CACHE", str(tmp_path))
    outcome, folder = ensure_built(compiler="no-such-cc-floorwatch")
    assert folder is None
    assert outcome.startswith("not built: no C compiler (no-such-cc-floorwatch)")
    assert "pure Python" in outcome
    assert not (tmp_path / "core-compiled").exists()
