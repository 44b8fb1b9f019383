"""`pip install .` (not editable) ships every package and data file: the README's first command.

An editable install finds everything in the source tree, so a package missing from
pyproject.toml goes unnoticed by the rest of the suite; a new user's install would fail with an
ImportError (observatory.exports, observatory.analysis and observatory.aggregation.cells were
missing until this test).
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("observatory", "survey", "dashboards")


def _config() -> dict:  # type: ignore[type-arg]
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]  # type: ignore[no-any-return]


def _packages() -> dict[str, Path]:
    found = {}
    for top in TOP:
        for init in (ROOT / top).rglob("__init__.py"):
            found[".".join(init.parent.relative_to(ROOT).parts)] = init.parent
    return found


def test_every_package_is_shipped() -> None:
    listed = set(_config()["packages"])
    missing = sorted(set(_packages()) - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_every_data_file_is_shipped() -> None:
    data = _config()["package-data"]
    packages = _packages()
    unshipped = []
    for name, folder in packages.items():
        for path in folder.rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            owner = max((p for p in packages if path.is_relative_to(packages[p])), key=len)
            if owner != name:
                continue
            relative = path.relative_to(folder).as_posix()
            if not any(fnmatch.fnmatch(relative, glob) for glob in data.get(name, [])):
                unshipped.append(f"{name}: {relative}")
    assert not unshipped, f"add to [tool.setuptools.package-data]: {unshipped[:10]}"
