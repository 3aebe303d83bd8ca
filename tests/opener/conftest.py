from __future__ import annotations

from collections.abc import Iterator

import pytest

import tether.opener


@pytest.fixture(autouse=True)
def _fresh_opener() -> Iterator[None]:
    """Each test starts without an installed opener and with an empty connection pool."""
    tether.opener.urlcleanup()
    yield
    tether.opener.urlcleanup()
