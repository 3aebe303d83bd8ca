"""multipart/form-data bodies: requests' bytes for small forms, streamed for big files.

Layout: the in-memory and the streamed body are compared with requests' and urllib3's
own encoders (independent oracles) under hypothesis. Behaviour: Content-Length exact
and no chunked framing, rewind (307 redirect), a file that shrinks or grows after the
request was prepared. Real servers: httpbin echoes the form, nginx stores a PUT body as
sent (so a 200 MiB upload is compared byte for byte) while a subprocess measures the
client's peak RSS growth, in both colours.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import string
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.fields import RequestField
from urllib3.filepost import encode_multipart_formdata

import tether
from servers._harness import REPO
from servers._http_colours import Both
from servers._peers import tcp_peer
from servers.httpbin import HttpBin
from servers.nginx import Nginx
from tether.exceptions import RequestException
from tether.http._multipart import (
    STREAM_THRESHOLD,
    FileChangedError,
    MultipartBody,
    stream_size,
)
from tether.http._prepare import encode_files

MIB = 1024 * 1024

# -- strategies ---------------------------------------------------------------------------

_odd = st.sampled_from(['"', "\r", "\n", "\r\n", "\\", ";", "=", "%", " ", "é", "\u2028"])
_text = st.lists(st.one_of(_odd, st.characters(blacklist_categories=("Cs",))),
                 max_size=8).map("".join)
_content_types = st.none() | st.sampled_from(
    ["text/plain", "application/octet-stream", "image/png; x=1", "", "text/plain; charset=utf-8"])
_part_headers = st.none() | st.dictionaries(
    st.from_regex(r"X-[A-Za-z0-9-]{1,8}", fullmatch=True),
    st.one_of(_text, st.just("")), max_size=3)
_boundaries = st.text(string.ascii_letters + string.digits + "'()+_,-./:=?",
                      min_size=1, max_size=70)


@st.composite
def _forms(draw: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(data pairs, file specs); a file spec is (kind, filename, payload, type, headers)."""
    data = draw(st.lists(st.tuples(_text, st.one_of(_text, st.binary(max_size=40))),
                         max_size=3))
    files = draw(st.lists(st.tuples(
        _text,
        st.tuples(st.sampled_from(["bare", "t2", "t3", "t4", "bytes"]),
                  st.none() | _text, st.binary(max_size=300), _content_types,
                  _part_headers)),
        min_size=1, max_size=4))
    return data, files


def _materialise(files: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """Fresh file objects for a drawn form (each encoder consumes its own)."""
    out: list[tuple[str, Any]] = []
    for field, (kind, filename, payload, content_type, headers) in files:
        fh = io.BytesIO(payload)
        if kind == "bare":
            out.append((field, fh))
        elif kind == "t2":
            out.append((field, (filename, fh)))
        elif kind == "t3":
            out.append((field, (filename, fh, content_type)))
        elif kind == "t4":
            out.append((field, (filename, fh, content_type, headers)))
        else:
            out.append((field, (filename, payload, content_type, headers)))
    return out


def _read_in_pieces(body: MultipartBody, sizes: list[int]) -> bytes:
    out = bytearray()
    i = 0
    while True:
        block = body.read(sizes[i % len(sizes)] if sizes else 65536)
        i += 1
        if not block:
            return bytes(out)
        out += block


# -- layout: equal to requests' and urllib3's encoders -------------------------------------

@settings(max_examples=150, deadline=None)
@given(_forms(), st.lists(st.integers(1, 700), min_size=1, max_size=5))
def test_layout_equals_requests_in_memory_and_streamed(
        form: tuple[list[tuple[str, Any]], list[tuple[str, Any]]], sizes: list[int]) -> None:
    data, files = form
    expected, content_type = requests.models.RequestEncodingMixin._encode_files(
        _materialise(files), data)
    boundary = content_type.split("boundary=", 1)[1]

    small, small_type = encode_files(_materialise(files), data, boundary)
    assert type(small) is bytes
    assert (small, small_type) == (expected, content_type)

    streamed, streamed_type = encode_files(_materialise(files), data, boundary,
                                           stream_threshold=-1)
    assert isinstance(streamed, MultipartBody) and streamed_type == content_type
    assert len(streamed) == len(expected)
    assert _read_in_pieces(streamed, sizes) == expected
    assert streamed.tell() == len(expected)
    assert streamed.to_bytes() == expected and bytes(streamed) == expected


@settings(max_examples=100, deadline=None)
@given(_forms(), _boundaries, st.data())
def test_layout_equals_urllib3_for_any_boundary(
        form: tuple[list[tuple[str, Any]], list[tuple[str, Any]]], boundary: str,
        draw: st.DataObject) -> None:
    data, files = form
    fields: list[RequestField] = []
    for name, value in data:
        fields.append(RequestField.from_tuples(name, value))
    for field, (kind, filename, payload, content_type, headers) in files:
        if kind == "bare":
            filename, content_type, headers = field, None, None
        elif kind == "t2":
            content_type, headers = None, None
        elif kind == "t3":
            headers = None
        rf = RequestField(field, payload, filename, headers)
        rf.make_multipart(content_type=content_type)
        fields.append(rf)
    expected, content_type = encode_multipart_formdata(fields, boundary=boundary)

    streamed, streamed_type = encode_files(_materialise(files), data, boundary,
                                           stream_threshold=-1)
    assert isinstance(streamed, MultipartBody)
    assert streamed_type == content_type
    assert streamed.to_bytes() == expected
    # Rewind and random seeks read the same bytes as slicing the expected body.
    for _ in range(3):
        offset = draw.draw(st.integers(0, len(expected) + 5))
        size = draw.draw(st.integers(0, len(expected) + 5))
        streamed.seek(offset)
        assert streamed.read(size) == expected[offset:offset + size]
    streamed.seek(0)
    assert b"".join(streamed) == expected


# -- which bodies stream -------------------------------------------------------------------

@pytest.fixture
def big_file(tmp_path: Path) -> Callable[[int], Path]:
    def make(size: int, name: str = "big.bin") -> Path:
        path = tmp_path / name
        block = bytes(range(256)) * 256
        with open(path, "wb") as fh:
            for start in range(0, size, len(block)):
                fh.write(block[:size - start])
        return path
    return make


def _prepare(files: Any, data: Any = None, url: str = "http://example.invalid/up") -> Any:
    return tether.Request("POST", url, files=files, data=data).prepare()


def test_small_files_give_requests_bytes_body(big_file: Callable[..., Path]) -> None:
    path = big_file(STREAM_THRESHOLD)
    with open(path, "rb") as ours, open(path, "rb") as theirs:
        p = _prepare({"f": ours}, {"a": "1"})
        r = requests.Request("POST", "http://example.invalid/up", files={"f": theirs},
                             data={"a": "1"}).prepare()
    assert type(p.body) is bytes
    ours_boundary = p.headers["Content-Type"].split("boundary=")[1]
    theirs_boundary = r.headers["Content-Type"].split("boundary=")[1]
    assert p.body == r.body.replace(theirs_boundary.encode(), ours_boundary.encode())
    assert p.headers["Content-Length"] == r.headers["Content-Length"]


def test_big_file_streams_with_exact_content_length(big_file: Callable[..., Path]) -> None:
    path = big_file(STREAM_THRESHOLD + 1)
    with open(path, "rb") as ours, open(path, "rb") as theirs:
        p = _prepare({"f": ours, "g": ("g.txt", b"in memory", "text/plain")}, {"a": "1"})
        r = requests.Request("POST", "http://example.invalid/up",
                             files={"f": theirs, "g": ("g.txt", b"in memory", "text/plain")},
                             data={"a": "1"}).prepare()
        assert isinstance(p.body, MultipartBody)
        assert ours.tell() == 0  # nothing read at prepare time
        assert "Transfer-Encoding" not in p.headers
        whole = p.body.to_bytes()
        assert int(p.headers["Content-Length"]) == len(whole) == len(r.body)
        boundary = p.body.boundary.encode()
        theirs_boundary = r.headers["Content-Type"].split("boundary=")[1].encode()
        assert whole == r.body.replace(theirs_boundary, boundary)
        assert p._body_position == 0
        assert p.headers["Content-Type"] == p.body.content_type


def test_unknown_sizes_and_text_mode_are_read_into_memory(tmp_path: Path,
                                                         big_file: Callable[..., Path]) -> None:
    class Unsized:
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def read(self, n: int = -1) -> bytes:
            return self._inner.read(n)

    payload = b"u" * (2 * MIB)
    p = _prepare({"f": ("f.bin", Unsized(payload))})
    assert type(p.body) is bytes and payload in p.body
    path = big_file(2 * MIB)
    with open(path, encoding="latin-1") as text_mode:
        assert stream_size(text_mode) is None
    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as pipe, os.fdopen(write_fd, "wb"):
        assert stream_size(pipe) is None


def test_stream_size_counts_from_the_current_position(big_file: Callable[..., Path]) -> None:
    path = big_file(3 * MIB)
    with open(path, "rb") as fh:
        fh.seek(MIB + 7)
        assert stream_size(fh) == 2 * MIB - 7
        assert fh.tell() == MIB + 7
        body, _ = encode_files({"f": fh}, None, "b")
        assert isinstance(body, MultipartBody)
        fh.seek(0)  # someone moves the file: the body still starts where it was prepared
        data = body.to_bytes()
    assert data.count(path.read_bytes()[MIB + 7:]) == 1
    assert len(data) == len(body)


def test_same_file_twice_matches_in_memory(big_file: Callable[..., Path]) -> None:
    path = big_file(2 * MIB)
    with open(path, "rb") as a:
        small, _ = encode_files([("x", a), ("y", a)], None, "B", stream_threshold=10**12)
    with open(path, "rb") as b:
        streamed, _ = encode_files([("x", b), ("y", b)], None, "B")
        assert isinstance(streamed, MultipartBody)
        assert streamed.to_bytes() == small


def test_rewind_reads_the_same_bytes(big_file: Callable[..., Path]) -> None:
    path = big_file(2 * MIB + 5)
    with open(path, "rb") as fh, open(path, "rb") as other:
        body, _ = encode_files({"f": fh, "g": other}, {"k": "v"}, "XyZ")
        assert isinstance(body, MultipartBody)
        first = body.read(MIB + 3)
        assert body.tell() == MIB + 3
        assert body.seek(0) == 0
        whole = body.read()
        assert whole[:MIB + 3] == first and len(whole) == len(body)
        assert body.read() == b"" and body.read(10) == b""
        assert body.seek(-10, os.SEEK_END) == len(body) - 10
        assert body.read() == whole[-10:] == b"\r\n--XyZ--\r\n"[-10:]
        with pytest.raises(ValueError):
            body.seek(-1)


def test_shrunk_file_raises_grown_file_sends_announced_length(
        big_file: Callable[..., Path]) -> None:
    path = big_file(2 * MIB)
    with open(path, "r+b") as fh:
        body, _ = encode_files({"f": fh}, None, "B")
        assert isinstance(body, MultipartBody)
        fh.truncate(MIB)
        with pytest.raises(FileChangedError, match=r"shrank .* 2097152 bytes .* after 1048576"):
            body.read()
    error = FileChangedError("x")
    assert isinstance(error, RequestException) and isinstance(error, tether.TetherError)
    assert tether.exceptions.FileChangedError is FileChangedError  # the public name

    path = big_file(2 * MIB, "grow.bin")
    original = path.read_bytes()
    with open(path, "r+b") as fh:
        body, _ = encode_files({"f": fh}, None, "B")
        assert isinstance(body, MultipartBody)
        announced = len(body)
        with open(path, "ab") as more:
            more.write(b"EXTRA" * 1000)
        data = body.read()
    assert len(data) == announced and b"EXTRA" not in data and original in data


# -- real servers -------------------------------------------------------------------------

def _text_file(path: Path, size: int, seed: str) -> Path:
    line = (seed * 40)[:63].encode() + b"\n"
    path.write_bytes((line * (size // len(line) + 1))[:size])
    return path


@pytest.mark.server
def test_small_upload_to_httpbin(s: Both, httpbin: HttpBin, tmp_path: Path) -> None:
    path = _text_file(tmp_path / "small.txt", 5000, "s")
    with open(path, "rb") as fh:
        r = s.post(httpbin + "/post", data={"field": ["1", "2"]},
                   files={"up": fh, "t": ("t.txt", "tuple", "text/plain", {"X-P": "1"})})
    assert type(r.request.body) is bytes
    body = r.json()
    assert body["files"] == {"up": path.read_text(), "t": "tuple"}
    assert body["form"] == {"field": ["1", "2"]}


@pytest.mark.server
def test_streamed_upload_to_httpbin(s: Both, httpbin: HttpBin, tmp_path: Path) -> None:
    big = _text_file(tmp_path / "big.txt", 3 * MIB + 11, "b")
    other = _text_file(tmp_path / "other.txt", 700 * 1024, "o")
    with open(big, "rb") as fh, open(other, "rb") as fo:
        r = s.post(httpbin + "/post", data={"field": "v"},
                   files={"big": fh, "other": ("o.txt", fo, "text/plain")})
    assert r.status_code == 200
    assert isinstance(r.request.body, MultipartBody)
    body = r.json()
    assert body["files"] == {"big": big.read_text(), "other": other.read_text()}
    assert body["form"] == {"field": "v"}
    assert int(body["headers"]["Content-Length"]) == len(r.request.body)
    assert "Transfer-Encoding" not in body["headers"]


def _drain_and_answer(answers: list[bytes],
                      received: list[tuple[bytes, bytes]]) -> Callable[[socket.socket], None]:
    """A peer that reads each whole request (head + Content-Length body), records
    (head, body) and sends the next of ``answers``, one connection per answer.

    httpbin's own /redirect-to answers before reading the body and gunicorn's sync
    worker then closes the socket with the upload unread, so the kernel may reset the
    connection before the client reads the 307 (a race the server causes, for any
    client); this peer drains the body first, as a well-behaved server does.
    """
    def handler(conn: socket.socket) -> None:
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            chunk = conn.recv(1 << 20)
            if not chunk:
                break
            body += chunk
        received.append((head, body))
        conn.sendall(answers[len(received) - 1])

    return handler


@pytest.mark.server
def test_streamed_upload_is_resent_after_307(s: Both, httpbin: HttpBin,
                                             tmp_path: Path) -> None:
    big = _text_file(tmp_path / "big.txt", 2 * MIB, "r")
    received: list[tuple[bytes, bytes]] = []
    answer = (b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + (httpbin + "/post").encode()
              + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    with tcp_peer(_drain_and_answer([answer], received)) as port, open(big, "rb") as fh:
        r = s.post(f"http://127.0.0.1:{port}/redirect", files={"f": fh}, data={"k": "v"})
        assert isinstance(r.request.body, MultipartBody)
        # The same bytes before and after the redirect.
        assert [body for _, body in received] == [r.request.body.to_bytes()]
    assert r.status_code == 200 and [h.status_code for h in r.history] == [307]
    assert r.json()["files"] == {"f": big.read_text()}
    assert r.json()["form"] == {"k": "v"}


def test_streamed_upload_is_resent_for_digest_auth(s: Both, tmp_path: Path) -> None:
    big = _text_file(tmp_path / "big.txt", 2 * MIB, "d")
    received: list[tuple[bytes, bytes]] = []
    answers = [
        b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="r", nonce="abc", '
        b'qop="auth", algorithm=MD5\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    ]
    with tcp_peer(_drain_and_answer(answers, received), connections=2) as port, \
            open(big, "rb") as fh:
        r = s.post(f"http://127.0.0.1:{port}/up", files={"f": fh},
                   auth=tether.auth.HTTPDigestAuth("user", "pass"))
        assert isinstance(r.request.body, MultipartBody)
        whole = r.request.body.to_bytes()
    assert r.status_code == 200 and r.text == "ok"
    assert [body for _, body in received] == [whole, whole]
    assert b"\r\nauthorization: digest " in received[1][0].lower()
    assert big.read_bytes() in whole


@pytest.mark.server
def test_shrinking_file_fails_the_request(s: Both, nginx: Nginx,
                                          big_file: Callable[..., Path]) -> None:
    path = big_file(4 * MIB)
    with open(path, "r+b") as fh:
        prepared = s.prepare_request(tether.Request("POST", nginx.http_url + "/discard",
                                                    files={"f": fh}))
        fh.truncate(3 * MIB)
        with pytest.raises(FileChangedError) as info:
            s.send(prepared)
    assert info.value.request is prepared
    # The session still works (the broken connection was dropped, not reused).
    assert s.get(nginx.http_url + "/small.txt").status_code == 200


def _expected_matches(stored: Path, source: Path, head_and_tail: bytes,
                      boundary: str) -> None:
    """``stored`` == part head + ``source`` + the closing lines, read in blocks."""
    with open(stored, "rb") as got, open(source, "rb") as want:
        head = got.read(200)
        start = head.index(b"\r\n\r\n") + 4
        assert head.startswith(f"--{boundary}\r\n".encode())
        assert head[:start].endswith(head_and_tail + b"\r\n\r\n")
        got.seek(start)
        while True:
            block = want.read(MIB)
            if not block:
                break
            assert got.read(len(block)) == block
        assert got.read() == f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.server
def test_grown_file_sends_only_the_announced_bytes(s: Both, nginx: Nginx,
                                                   big_file: Callable[..., Path],
                                                   tmp_path: Path) -> None:
    path = big_file(2 * MIB)
    original = tmp_path / "original.bin"
    original.write_bytes(path.read_bytes())
    name = f"grow-{s.colour}.bin"
    with open(path, "r+b") as fh:
        prepared = s.prepare_request(tether.Request(
            "PUT", f"{nginx.http_url}/upload/{name}", files={"f": ("g.bin", fh)}))
        with open(path, "ab") as more:
            more.write(b"MORE" * 5000)
        r = s.send(prepared)
    assert r.status_code in (201, 204)
    stored = nginx.docroot / "upload" / name
    try:
        _expected_matches(stored, original, b'; filename="g.bin"', prepared.body.boundary)
    finally:
        stored.unlink()
    assert s.get(nginx.http_url + "/small.txt").status_code == 200


_MEMORY_SCRIPT = textwrap.dedent("""
    import asyncio, json, sys, time
    import tether

    url, path, colour, warm = sys.argv[1:5]

    def status_kib(field):
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise LookupError(field)

    async def upload_async(target, source):
        async with tether.AsyncSession() as session:
            with open(source, "rb") as fh:
                r = await session.put(target, files={"f": ("big.bin", fh)})
            return r.status_code, type(r.request.body).__name__

    def upload(target, source):
        if colour == "async":
            return asyncio.run(upload_async(target, source))
        with tether.Session() as session, open(source, "rb") as fh:
            r = session.put(target, files={"f": ("big.bin", fh)})
            return r.status_code, type(r.request.body).__name__

    upload(url + "-warm", warm)  # imports, event loop, first-use allocations
    # getrusage's ru_maxrss would carry the forking parent's (pytest's) peak across
    # exec; the kernel's peak-RSS mark (VmHWM) is reset here instead ("5" in
    # clear_refs, Linux >= 4.0), so VmHWM afterwards is the upload's own peak.
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    before = status_kib("VmRSS")
    start = time.perf_counter()
    status, kind = upload(url, path)
    seconds = time.perf_counter() - start
    print(json.dumps({"status": status, "kind": kind, "seconds": seconds,
                      "growth_kib": status_kib("VmHWM") - before}))
""")



@pytest.mark.server
@pytest.mark.parametrize("colour", ["sync", "async"])
def test_200_mib_upload_memory_bound(colour: str, nginx: Nginx, tmp_path: Path) -> None:
    size = 200 * MIB
    path = tmp_path / "sparse.bin"
    with open(path, "wb") as fh:  # sparse, with markers so the content is not all zeros
        fh.truncate(size)
        for offset in (0, size // 3, size // 2, size - 16):
            fh.seek(offset)
            fh.write(hashlib.sha256(str(offset).encode()).digest()[:16])
    name = f"big-{colour}.bin"
    url = f"{nginx.http_url}/upload/{name}"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    warm = tmp_path / "warm.bin"
    warm.write_bytes(b"w" * 1000)
    proc = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, url, str(path), colour,
                           str(warm)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\n{colour}: 200 MiB multipart upload in {result['seconds']:.2f} s "
          f"({200 / result['seconds']:.0f} MiB/s), peak RSS growth "
          f"{result['growth_kib'] / 1024:.1f} MiB")
    stored = nginx.docroot / "upload" / name
    try:
        assert result["status"] in (201, 204) and result["kind"] == "MultipartBody"
        assert result["growth_kib"] < 32 * 1024
        _expected_matches(stored, path, b'; filename="big.bin"',
                          _boundary_of(stored))
    finally:
        stored.unlink(missing_ok=True)
        (nginx.docroot / "upload" / f"{name}-warm").unlink(missing_ok=True)


def _boundary_of(stored: Path) -> str:
    with open(stored, "rb") as fh:
        first = fh.readline()
    assert first.startswith(b"--") and first.endswith(b"\r\n")
    return first[2:-2].decode("ascii")
