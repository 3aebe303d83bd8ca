"""Test configuration shared by every test directory.

Each ``tests/servers/<name>.py`` (not starting with ``_``) is loaded as a pytest plugin,
so its session-scoped server fixtures are available everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from servers._harness import TLSFiles, make_tls_files, run_dir
from servers._http_colours import Both

_SERVERS = Path(__file__).parent / "servers"
pytest_plugins = sorted(
    f"servers.{p.stem}" for p in _SERVERS.glob("*.py") if not p.stem.startswith("_")
)

# Environment variables that would make a test trust or route differently from what it
# sets up itself (SERVERS.md: these machines may set the CA ones).
_ENV_TO_CLEAR = (
    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def tls_ca() -> Iterator[TLSFiles]:
    """A per-run CA and a server certificate for localhost / 127.0.0.1 / ::1."""
    directory = run_dir("tls")
    yield make_tls_files(directory)


@pytest.fixture(scope="session")
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(params=["sync", "async"])
def s(request: pytest.FixtureRequest) -> Iterator[Both]:
    """A requests-style session in each colour (``Session``, ``AsyncSession`` driven
    through the same calls), closed after the test."""
    both = Both(request.param)
    try:
        yield both
    finally:
        both.close()
