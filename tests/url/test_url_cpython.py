"""CPython's own test_urlparse, run against tether.url through an import alias.

The test file is the one of the running interpreter's standard library (it is not
copied here). It is loaded as a fresh module whose ``urllib`` global is replaced by a
namespace whose ``parse`` is :mod:`tether.url`, so every ``urllib.parse.X`` in it uses
tether. Every failure must be listed in ``DELIBERATE`` with its reason (the same list
is in the ``tether.url`` docstring); a listed test that passes fails this test too.
"""

from __future__ import annotations

import importlib.util
import sysconfig
import types
import unittest
from pathlib import Path

import tether.url
from servers._harness import server_unavailable

# test id (Class.method) -> why tether fails it on purpose.
DELIBERATE: dict[str, str] = {
    "UrlParseTestCase.test_all": (
        "it collects names whose __module__ is 'urllib.parse'; tether's objects name "
        "tether's modules, and tether.url.__all__ also lists URL and the error classes"
    ),
}


def _stdlib_test_path() -> Path:
    spec = importlib.util.find_spec("test.test_urlparse")
    if spec is not None and spec.origin:
        return Path(spec.origin)
    return Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_urlparse.py"


def _load_aliased() -> types.ModuleType:
    path = _stdlib_test_path()
    if not path.exists():
        server_unavailable("CPython's test suite", f"test_urlparse is not installed ({path})")
    spec = importlib.util.spec_from_file_location("_tether_cpython_test_urlparse", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.urllib = types.SimpleNamespace(parse=tether.url)  # type: ignore[attr-defined]
    return module


class _Collector(unittest.TestResult):
    def __init__(self) -> None:
        super().__init__()
        self.failed: dict[str, str] = {}
        self.passed: set[str] = set()

    @staticmethod
    def _name(test: unittest.TestCase) -> str:
        # Sub-tests report under their parent test.
        test = getattr(test, "test_case", test)
        return f"{type(test).__name__}.{test._testMethodName}"

    def _fail(self, test: unittest.TestCase, err: object) -> None:
        name = self._name(test)
        self.failed.setdefault(name, self._exc_info_to_string(err, test))  # type: ignore[arg-type]

    def addFailure(self, test, err):  # type: ignore[no-untyped-def]
        self._fail(test, err)

    def addError(self, test, err):  # type: ignore[no-untyped-def]
        self._fail(test, err)

    def addSubTest(self, test, subtest, err):  # type: ignore[no-untyped-def]
        if err is not None:
            self._fail(subtest, err)

    def addSuccess(self, test):  # type: ignore[no-untyped-def]
        self.passed.add(self._name(test))


def test_cpython_test_urlparse() -> None:
    module = _load_aliased()
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = _Collector()
    suite.run(result)
    total = suite.countTestCases()
    failed = set(result.failed)
    unexpected = {name: result.failed[name] for name in failed - DELIBERATE.keys()}
    fixed = DELIBERATE.keys() - failed
    print(
        f"CPython test_urlparse: {total} tests, {total - len(failed)} passed, "
        f"{len(failed)} failed (all deliberate: {not unexpected})"
    )
    assert not unexpected, "unexpected failures:\n" + "\n".join(unexpected.values())
    assert not fixed, f"listed as deliberate differences but passing: {sorted(fixed)}"


def test_docstring_lists_the_same_differences() -> None:
    doc = tether.url.__doc__ or ""
    for name in DELIBERATE:
        assert f"``{name}``" in doc, name
