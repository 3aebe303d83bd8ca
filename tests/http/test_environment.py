"""The requests API's environment lookups that are cached between requests stay exact."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tether.http import _environment


def test_netrc_created_after_a_lookup_is_found(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    hour_ago = time.time() - 3600
    os.utime(tmp_path, (hour_ago, hour_ago))
    assert _environment.get_netrc_auth("http://example.org/") is None
    # The "no netrc here" answer was remembered for this (unchanged) directory.
    assert (str(tmp_path / ".netrc"), str(tmp_path / "_netrc")) in _environment._NO_NETRC
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine example.org login alice password s3cret\n")
    netrc.chmod(0o600)
    assert _environment.get_netrc_auth("http://example.org/") == ("alice", "s3cret")


def test_netrc_in_a_directory_changed_just_now_is_not_remembered_absent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "other").write_text("x")  # the directory changed within the last tick
    assert _environment.get_netrc_auth("http://example.org/") is None
    assert (str(tmp_path / ".netrc"), str(tmp_path / "_netrc")) not in _environment._NO_NETRC


def test_netrc_removed_after_a_lookup_is_gone(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETRC", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    netrc = tmp_path / "_netrc"
    netrc.write_text("machine example.org login bob password pw\n")
    netrc.chmod(0o600)
    hour_ago = time.time() - 3600
    os.utime(tmp_path, (hour_ago, hour_ago))
    assert _environment.get_netrc_auth("http://example.org/") == ("bob", "pw")
    netrc.unlink()
    assert _environment.get_netrc_auth("http://example.org/") is None


def test_proxy_variables_set_or_removed_between_calls_are_seen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    url = "http://example.com/"
    assert _environment.get_environ_proxies(url) == {}
    assert _environment.get_environ_proxies(url) == {}  # the remembered answer
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.test:3128")
    assert _environment.get_environ_proxies(url).get("http") == "http://proxy.test:3128"
    monkeypatch.delenv("HTTP_PROXY")
    assert _environment.get_environ_proxies(url) == {}
    # Same number of names, one swapped for a proxy variable.
    monkeypatch.setenv("TETHER_TEST_FILLER", "1")
    assert _environment.get_environ_proxies(url) == {}
    monkeypatch.delenv("TETHER_TEST_FILLER")
    monkeypatch.setenv("all_proxy", "http://proxy.test:3129")
    assert _environment.get_environ_proxies(url).get("all") == "http://proxy.test:3129"
