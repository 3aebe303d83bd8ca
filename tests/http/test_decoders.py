"""Content decoders: every coding, chains, per-read caps, bombs."""

from __future__ import annotations

import gzip
import os
import zlib

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tether.exceptions import ContentDecodingError
from tether.http._decoders import MAX_CODINGS, make_decoder

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

DATA = os.urandom(2000) * 50 + b"z" * 2_000_000


def _deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstd.compress,
}


def _decode(coding: str, payload: bytes, step: int, cap: int) -> tuple[bytes, int]:
    decoder = make_decoder(coding)
    assert decoder is not None
    out = bytearray()
    biggest = 0
    for i in range(0, len(payload), step):
        decoder.feed(payload[i : i + step])
        while piece := decoder.read(cap):
            biggest = max(biggest, len(piece))
            out += piece
    decoder.finish()
    return bytes(out), biggest


@pytest.mark.parametrize("coding", sorted(ENCODERS))
@pytest.mark.parametrize(("step", "cap"), [(1 << 20, 100), (997, 65536), (7, 4096)])
def test_round_trip_with_cap(coding: str, step: int, cap: int) -> None:
    data = DATA if step > 100 else DATA[:200_000]
    out, biggest = _decode(coding, ENCODERS[coding](data), step, cap)
    assert out == data
    assert biggest <= cap


def test_raw_deflate_accepted() -> None:
    out, _ = _decode("deflate", _deflate_raw(DATA), 1000, 65536)
    assert out == DATA


def test_gzip_members_and_trailing_garbage() -> None:
    payload = gzip.compress(b"one") + gzip.compress(b"two")
    assert _decode("gzip", payload, 5, 10)[0] == b"onetwo"
    assert _decode("gzip", gzip.compress(b"one") + b"\x00garbage", 100, 10)[0] == b"one"


def test_zstd_frames() -> None:
    payload = zstd.compress(b"a" * 1000) + zstd.compress(b"b" * 1000)
    assert _decode("zstd", payload, 3, 100)[0] == b"a" * 1000 + b"b" * 1000


@pytest.mark.parametrize("chain", ["gzip, br", "deflate, zstd, gzip", "br, br"])
def test_chains_undo_in_reverse(chain: str) -> None:
    payload = DATA[:300_000]
    for coding in [c.strip() for c in chain.split(",")]:
        payload = ENCODERS[coding](payload)
    out, biggest = _decode(chain, payload, 1000, 5000)
    assert out == DATA[:300_000]
    assert biggest <= 5000


def test_too_many_codings() -> None:
    with pytest.raises(ContentDecodingError, match="Too many content encodings"):
        make_decoder(", ".join(["gzip"] * (MAX_CODINGS + 1)))


def test_identity_and_unknown_pass_through() -> None:
    assert make_decoder("identity") is None
    assert make_decoder("compress-of-the-future") is None
    assert make_decoder(None) is None


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_garbage_raises_content_decoding_error(coding: str) -> None:
    decoder = make_decoder(coding)
    assert decoder is not None
    with pytest.raises(ContentDecodingError):
        decoder.feed(b"\xff" * 64 + b"not compressed at all" * 10)
        while decoder.read(1000):
            pass
        decoder.finish()


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_bomb_never_yields_more_than_cap(coding: str) -> None:
    bomb = ENCODERS[coding](b"\x00" * (64 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    decoder = make_decoder(coding)
    assert decoder is not None
    decoder.feed(bomb)
    first = decoder.read(65536)
    assert 0 < len(first) <= 65536


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=5000), step=st.integers(1, 300), cap=st.integers(1, 2000),
       coding=st.sampled_from(sorted(ENCODERS)))
def test_random_chunking(data: bytes, step: int, cap: int, coding: str) -> None:
    out, biggest = _decode(coding, ENCODERS[coding](data), step, cap)
    assert out == data
    assert biggest <= cap
