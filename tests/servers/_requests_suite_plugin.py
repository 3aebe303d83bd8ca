"""pytest plugin that runs requests' own test suite against tether (``-p`` it).

With ``REQUESTS_SUITE_TARGET=tether`` (the default) it aliases ``requests`` and its
submodules to tether's modules before the suite is imported (``=requests`` runs the
real requests, for a baseline on this machine), and provides the ``httpbin``,
``httpbin_secure`` and ``httpbin_ca_bundle`` fixtures that the suite takes from
pytest-httpbin, from tether's own httpbin server.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

import tether

_SUBMODULES = ("adapters", "api", "auth", "compat", "cookies", "exceptions", "hooks",
               "models", "sessions", "status_codes", "structures", "utils")


def _alias() -> None:
    sys.modules["requests"] = tether  # type: ignore[assignment]
    for name in _SUBMODULES:
        sys.modules[f"requests.{name}"] = importlib.import_module(f"tether.{name}")
    internal = types.ModuleType("requests._internal_utils")
    internal.unicode_is_ascii = lambda s: s.isascii()  # type: ignore[attr-defined]
    internal.to_native_string = tether.utils.to_native_string  # type: ignore[attr-defined]
    sys.modules["requests._internal_utils"] = internal


if os.environ.get("REQUESTS_SUITE_TARGET", "tether") == "tether":
    _alias()

from servers._harness import make_tls_files, run_dir  # noqa: E402
from servers.httpbin import _start  # noqa: E402


@pytest.fixture(scope="session")
def _tls_files() -> Any:
    return make_tls_files(run_dir("requests-suite-tls"))


@pytest.fixture(scope="session")
def httpbin() -> Iterator[Any]:
    proc, server = _start(None)
    try:
        yield server
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def httpbin_secure(_tls_files: Any) -> Iterator[Any]:
    proc, server = _start(_tls_files)
    try:
        yield server
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def httpbin_ca_bundle(_tls_files: Any) -> str:
    return str(_tls_files.ca_pem)
