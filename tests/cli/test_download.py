"""``tether get --download / -o / --continue``: file names, atomic writes, resuming."""

from __future__ import annotations

import socket
from pathlib import Path

from cli._run import header_value, one_error_line, raw_http_server, tether
from servers.nginx import Nginx

BODY = bytes(range(256)) * 1000  # 256,000 bytes
CUT = 150_000


def test_download_names_the_file_after_the_url(nginx: Nginx, tmp_path: Path) -> None:
    expected = (nginx.docroot / "random-1m.bin").read_bytes()
    first = tether("get", nginx.http_url + "/random-1m.bin", "--download", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == b""
    assert (tmp_path / "random-1m.bin").read_bytes() == expected
    second = tether("get", nginx.http_url + "/random-1m.bin", "-D", cwd=tmp_path)
    assert second.returncode == 0
    assert (tmp_path / "random-1m-1.bin").read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["random-1m-1.bin", "random-1m.bin"]


def test_output_file_and_http_error_saves_nothing(nginx: Nginx, tmp_path: Path) -> None:
    ok = tether("get", nginx.http_url + "/small.txt", "-o", "out.txt", cwd=tmp_path)
    assert ok.returncode == 0
    assert (tmp_path / "out.txt").read_bytes() == b"x" * 100
    missing = tether("get", nginx.http_url + "/status/404", "-o", "nothing.txt", cwd=tmp_path)
    assert missing.returncode == 4
    assert not (tmp_path / "nothing.txt").exists()
    assert not (tmp_path / "nothing.txt.part").exists()


def test_resume_with_range(nginx: Nginx, tmp_path: Path) -> None:
    expected = (nginx.docroot / "random-1m.bin").read_bytes()
    (tmp_path / "random-1m.bin.part").write_bytes(expected[:300_000])
    proc = tether("get", nginx.http_url + "/random-1m.bin", "--download", "--continue",
                  cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert b"resumed at byte 300000" in proc.stderr
    assert (tmp_path / "random-1m.bin").read_bytes() == expected
    assert not (tmp_path / "random-1m.bin.part").exists()


def test_resume_of_a_complete_partial_finishes_it(nginx: Nginx, tmp_path: Path) -> None:
    expected = (nginx.docroot / "small.txt").read_bytes()
    (tmp_path / "s.txt.part").write_bytes(expected)
    proc = tether("get", nginx.http_url + "/small.txt", "-o", "s.txt", "-c", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "s.txt").read_bytes() == expected


def _flaky(head: bytes, sock: socket.socket) -> None:
    """Cuts the first transfer in half; answers a Range request properly."""
    spec = header_value(head, "Range")
    if spec is None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n"
                     b"Content-Disposition: attachment; filename=\"../../evil.bin\"\r\n\r\n"
                     % len(BODY) + BODY[:CUT])
        return
    start = int(spec.removeprefix("bytes=").rstrip("-"))
    sock.sendall(b"HTTP/1.1 206 Partial Content\r\nContent-Length: %d\r\n"
                 b"Content-Range: bytes %d-%d/%d\r\nConnection: close\r\n\r\n"
                 % (len(BODY) - start, start, len(BODY) - 1, len(BODY)) + BODY[start:])


def test_cut_transfer_leaves_no_file_and_resumes(tmp_path: Path) -> None:
    with raw_http_server(_flaky) as port:
        url = f"http://127.0.0.1:{port}/files/data.bin"
        cut = tether("get", url, "--download", cwd=tmp_path)
        assert cut.returncode == 10  # the body ended before its Content-Length
        assert f"{CUT} of {len(BODY)}" in one_error_line(cut)
        # The server's name is used, stripped of its path: never ../../evil.bin.
        assert not (tmp_path / "evil.bin").exists()
        # What was written is kept (up to the last whole chunk received).
        partial = (tmp_path / "evil.bin.part").read_bytes()
        assert 0 < len(partial) <= CUT
        assert BODY.startswith(partial)
        assert b"--continue -o evil.bin" in cut.stderr
        resumed = tether("get", url, "--continue", "-o", "evil.bin", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "evil.bin").read_bytes() == BODY
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.bin"]
    assert not (tmp_path.parent.parent / "evil.bin").exists()


def test_wrong_range_is_not_appended(tmp_path: Path) -> None:
    def wrong(head: bytes, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n"
                     b"Content-Range: bytes 0-9/100\r\n\r\n" + b"0123456789")

    (tmp_path / "f.bin.part").write_bytes(b"a" * 50)
    with raw_http_server(wrong) as port:
        proc = tether("get", f"http://127.0.0.1:{port}/f.bin", "-c", "-o", "f.bin",
                      cwd=tmp_path)
    assert proc.returncode == 10
    assert (tmp_path / "f.bin.part").read_bytes() == b"a" * 50
    assert not (tmp_path / "f.bin").exists()
