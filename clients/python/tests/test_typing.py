"""The package is typed (py.typed + generated .pyi): mypy --strict passes on
the helpers, the examples and these tests, as configured in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def test_mypy_strict_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is a dev dependency (requirements-dev.txt)")
    monkeypatch.chdir(PACKAGE_ROOT)
    stdout, stderr, status = api.run(["--config-file", "pyproject.toml"])
    assert status == 0, stdout + stderr
