"""Issue 12: ``pip install tether`` then ``tether demo`` must work.

Every third-party module that tether's runtime code imports must come from a
distribution named in pyproject's ``[project] dependencies`` (not only the dev extra,
which the development venv also has installed).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

import tomllib

SRC = Path(__file__).resolve().parents[2] / "src" / "tether"
PYPROJECT = SRC.parents[1] / "pyproject.toml"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_requirements() -> set[str]:
    deps = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    return {_normalise(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in deps}


def _top_level_imports() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(SRC)))
    return found


def test_every_runtime_import_is_a_declared_dependency() -> None:
    required = _runtime_requirements()
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for top, where in sorted(_top_level_imports().items()):
        if top == "tether" or top in sys.stdlib_module_names:
            continue
        if importlib.util.find_spec(top) is None:
            continue  # a guarded import for another Python version (e.g. compression)
        dists = {_normalise(d) for d in distributions.get(top, [top])}
        if not dists & required:
            missing.append(f"{top} (imported by {where}; from {sorted(dists)})")
    assert not missing, f"not in [project] dependencies: {missing}"
