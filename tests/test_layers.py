"""The layers of DESIGN.md, checked: arrows point down.

- protocols/ never imports net/, a client, or anything that does I/O or reads clocks;
- net/ never imports protocols/ or a client;
- nothing imports the command line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tether"

FORBIDDEN_IN_PROTOCOLS = {"socket", "ssl", "select", "selectors", "asyncio", "threading",
                          "time", "tether.net", "tether._drive"}
CLIENT_PREFIXES = ("tether.smtp", "tether.pop3", "tether.imap", "tether.ftp",
                   "tether.opener", "tether.robots", "tether.sessions", "tether.api",
                   "tether.http", "tether.models", "tether.cli", "tether.demo")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(sub: str) -> list[Path]:
    return sorted((SRC / sub).rglob("*.py"))


def _matches(name: str, prefixes: set[str] | tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", _files("protocols"), ids=lambda p: str(p.relative_to(SRC)))
def test_protocols_do_no_io(path: Path) -> None:
    bad = {n for n in _imports(path) if _matches(n, FORBIDDEN_IN_PROTOCOLS)}
    bad |= {n for n in _imports(path) if _matches(n, CLIENT_PREFIXES)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _files("net"), ids=lambda p: str(p.relative_to(SRC)))
def test_net_knows_no_protocol_or_client(path: Path) -> None:
    bad = {n for n in _imports(path)
           if _matches(n, ("tether.protocols", *CLIENT_PREFIXES))}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_nothing_imports_the_cli() -> None:
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.parts[0] in ("cli", "cli.py", "__main__.py", "_cli"):
            continue
        bad = {n for n in _imports(path) if _matches(n, ("tether.cli", "tether._cli"))}
        assert not bad, f"{rel} imports the CLI: {sorted(bad)}"


def test_errors_import_nothing_of_tether() -> None:
    assert not {n for n in _imports(SRC / "errors.py") if n.startswith("tether")}
