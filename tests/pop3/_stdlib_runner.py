"""Run CPython's own test_poplib against tether.pop3 (``poplib`` aliased); print JSON.

Usage: ``python _stdlib_runner.py strict|unverified``. ``unverified`` makes tether's
default TLS context unverified, as poplib's was, to show that certificate
verification is the only reason for the differences of the ``strict`` run.

Only the harness is adjusted, never a test: when a test's ``setUp`` fails after
starting its dummy server (the expected certificate error), the server thread is
stopped, as ``tearDown`` would have done; otherwise the next test's server shares
asyncore's global socket map with the orphan and the process crashes.
"""

from __future__ import annotations

import importlib.util
import json
import ssl
import sys
import unittest
from typing import Any


def load_suite() -> Any:
    import tether.pop3

    spec = importlib.util.find_spec("test.test_poplib")
    assert spec is not None and spec.loader is not None
    saved = sys.modules.get("poplib")
    sys.modules["poplib"] = tether.pop3
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is not None:
            sys.modules["poplib"] = saved
        else:
            del sys.modules["poplib"]
    return module


def guard_setups(module: Any) -> None:
    for name in dir(module):
        cls = getattr(module, name)
        if isinstance(cls, type) and issubclass(cls, unittest.TestCase) and "setUp" in vars(cls):
            original = vars(cls)["setUp"]

            def setUp(self: Any, _original: Any = original) -> None:
                try:
                    _original(self)
                except BaseException:
                    server = getattr(self, "server", None)
                    if server is not None and getattr(server, "active", False):
                        server.stop()
                    raise

            cls.setUp = setUp


def main(mode: str) -> None:
    module = load_suite()
    guard_setups(module)
    if mode == "unverified":
        import tether.pop3._client as client

        client.create_ssl_context = lambda *a, **k: ssl._create_unverified_context()
    suite = unittest.TestLoader().loadTestsFromModule(module)
    result = unittest.TestResult()
    suite.run(result)
    problems = {test.id().removeprefix("test.test_poplib."): text.strip().splitlines()[-1]
                for test, text in result.errors + result.failures}
    print(json.dumps({"run": result.testsRun, "skipped": len(result.skipped),
                      "problems": problems}))


if __name__ == "__main__":
    main(sys.argv[1])
