"""urlretrieve: complete files only, urllib's reporthook calls."""

from __future__ import annotations

import os
import socket
import stat

import pytest

import tether.opener as request
from opener._httppeer import Seen, http_peer


@pytest.mark.server
def test_retrieve_from_nginx(nginx, tmp_path) -> None:
    target = tmp_path / "out.bin"
    calls: list[tuple[int, int, int]] = []
    filename, headers = request.urlretrieve(nginx.http_url + "/random-1m.bin", target,
                                            lambda *a: calls.append(a))
    assert filename == str(target)
    assert target.read_bytes() == (nginx.docroot / "random-1m.bin").read_bytes()
    assert headers["Content-Length"] == str(1024 * 1024)
    # urllib: one call before the first block, then one per 8 KiB block.
    assert calls[0] == (0, 8192, 1024 * 1024)
    assert len(calls) == 1 + 1024 * 1024 // 8192
    assert calls[-1][0] == 128
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.server
def test_retrieve_to_temporary_file(nginx) -> None:
    filename, _ = request.urlretrieve(nginx.http_url + "/small.txt")
    with open(filename, "rb") as fp:
        assert fp.read() == b"x" * 100
    request.urlcleanup()
    assert not os.path.exists(filename)


def test_short_body_leaves_no_file(tmp_path) -> None:
    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"a" * 30000)
        return False

    target = tmp_path / "file.bin"
    target.write_bytes(b"previous version")
    with http_peer(respond) as peer, pytest.raises(request.ContentTooShortError) as info:
        request.urlretrieve(peer.url + "/", target)
    assert "retrieval incomplete" in str(info.value.reason)
    assert info.value.content[0] == str(target)
    # The old file is untouched and no partial file is left next to it.
    assert target.read_bytes() == b"previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["file.bin"]


def test_failed_download_to_temporary_file_is_removed(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def respond(seen: Seen, conn: socket.socket) -> bool:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n" + b"a" * 10)
        return False

    with http_peer(respond) as peer, pytest.raises(request.ContentTooShortError):
        request.urlretrieve(peer.url + "/")
    assert list(tmp_path.iterdir()) == []


def test_file_url_returns_the_path(tmp_path) -> None:
    source = tmp_path / "s.txt"
    source.write_bytes(b"abc")
    filename, headers = request.urlretrieve(source.as_uri())
    assert filename == str(source)
    assert headers["Content-length"] == "3"
