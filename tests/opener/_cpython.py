"""Running one of CPython's own test modules against tether through an import alias.

The test file is the running interpreter's (never copied here). While it is loaded and
run, ``sys.modules`` and the ``urllib`` package map the stdlib names to tether's
modules, so ``import urllib.request`` and ``urllib.request.X`` inside it reach tether.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import sysconfig
import types
import unittest
import urllib
from collections.abc import Iterator, Mapping
from pathlib import Path

from servers._harness import server_unavailable


def stdlib_test_path(name: str) -> Path:
    spec = importlib.util.find_spec(f"test.{name}")
    if spec is not None and spec.origin:
        return Path(spec.origin)
    return Path(sysconfig.get_paths()["stdlib"]) / "test" / f"{name}.py"


@contextlib.contextmanager
def aliased(modules: Mapping[str, types.ModuleType]) -> Iterator[None]:
    """Map ``urllib.<x>`` names (keys like ``"urllib.request"``) to tether modules."""
    saved_mods = {name: sys.modules.get(name) for name in modules}
    saved_attrs = {name: getattr(urllib, name.split(".", 1)[1], None) for name in modules}
    try:
        for name, module in modules.items():
            sys.modules[name] = module
            setattr(urllib, name.split(".", 1)[1], module)
        yield
    finally:
        for name, module in saved_mods.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
            attr = saved_attrs[name]
            if attr is not None:
                setattr(urllib, name.split(".", 1)[1], attr)


def with_extras(target: types.ModuleType, **extras: object) -> types.ModuleType:
    """A module object with ``target``'s names plus ``extras`` (private helpers of the
    stdlib module that a test imports by name but tether does not provide)."""
    alias = types.ModuleType(target.__name__, target.__doc__)
    alias.__dict__.update(vars(target))
    alias.__dict__.update(extras)
    return alias


def load(name: str) -> types.ModuleType:
    path = stdlib_test_path(name)
    if not path.exists():
        server_unavailable("CPython's test suite", f"{name} is not installed ({path})")
    spec = importlib.util.spec_from_file_location(f"_tether_cpython_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Collector(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self.failed: dict[str, str] = {}
        self.passed: set[str] = set()
        self.skipped_names: set[str] = set()

    @staticmethod
    def name(test: unittest.TestCase) -> str:
        test = getattr(test, "test_case", test)
        method = getattr(test, "_testMethodName", None)
        if method is None:  # a class-level setUp failure/skip
            return str(test)
        return f"{type(test).__name__}.{method}"

    def _fail(self, test: unittest.TestCase, err: object) -> None:
        self.failed.setdefault(self.name(test),
                               self._exc_info_to_string(err, test))  # type: ignore[arg-type]

    def addFailure(self, test, err):  # type: ignore[no-untyped-def]
        self._fail(test, err)

    def addError(self, test, err):  # type: ignore[no-untyped-def]
        self._fail(test, err)

    def addSubTest(self, test, subtest, err):  # type: ignore[no-untyped-def]
        if err is not None:
            self._fail(subtest, err)

    def addSuccess(self, test):  # type: ignore[no-untyped-def]
        self.passed.add(self.name(test))

    def addSkip(self, test, reason):  # type: ignore[no-untyped-def]
        self.skipped_names.add(self.name(test))


def run_suite(module: types.ModuleType, excluded: Mapping[str, str]) -> tuple[int, Collector]:
    """Run every test of ``module`` except ``excluded`` (``Class.method`` names)."""
    suite = unittest.TestSuite()
    for test in unittest.defaultTestLoader.loadTestsFromModule(module):
        for case in _flatten(test):
            name = Collector.name(case)
            if name not in excluded:
                suite.addTest(case)
    result = Collector()
    suite.run(result)
    return suite.countTestCases(), result


def _flatten(suite: unittest.TestSuite | unittest.TestCase) -> Iterator[unittest.TestCase]:
    if isinstance(suite, unittest.TestCase):
        yield suite
        return
    for item in suite:
        yield from _flatten(item)
