"""tether.exceptions: requests' names and bases, and tether's tree underneath."""

from __future__ import annotations

import builtins
import json
import pickle
import ssl

import pytest
import requests.exceptions as rex

import tether
from tether import errors
from tether import exceptions as tex


def _requests_names() -> list[str]:
    return sorted(n for n, v in vars(rex).items()
                  if isinstance(v, type) and issubclass(v, (Exception, Warning))
                  and v.__module__ == "requests.exceptions")


@pytest.mark.parametrize("name", _requests_names())
def test_every_requests_exception_exists_with_the_same_bases(name: str) -> None:
    ours = getattr(tex, name)
    theirs = getattr(rex, name)
    for base in theirs.__mro__[1:]:
        if base.__module__ == "requests.exceptions":
            assert issubclass(ours, getattr(tex, base.__name__)), base
        elif base.__module__ == "builtins":
            assert issubclass(ours, base), base
    if issubclass(ours, Exception) and not issubclass(ours, Warning):
        assert issubclass(ours, errors.TetherError)


def test_timeouts_are_requests_and_tether_and_builtin() -> None:
    assert tether.Timeout is tex.Timeout
    assert issubclass(tex.ConnectTimeout, tex.ConnectionError)
    assert issubclass(tex.ConnectTimeout, tex.Timeout)
    assert issubclass(tex.ConnectTimeout, errors.ConnectTimeout)
    assert issubclass(tex.ReadTimeout, errors.ReadTimeout)
    assert issubclass(tex.ReadTimeout, builtins.TimeoutError)
    assert issubclass(tex.BodyReadTimeout, tex.ConnectionError)
    assert issubclass(tex.BodyReadTimeout, tex.ReadTimeout)


def test_ssl_error_is_ssl_error() -> None:
    assert issubclass(tex.SSLError, ssl.SSLError)
    assert issubclass(tex.SSLCertVerificationError, ssl.SSLCertVerificationError)
    assert issubclass(tex.SSLCertVerificationError, tex.SSLError)


def test_request_and_response_are_kept() -> None:
    class R:
        request = "req"

    err = tex.HTTPError("boom", response=R())
    assert err.request == "req"
    assert str(err) == "boom"
    err2 = tex.ConnectionError("x", request="r2")
    assert err2.request == "r2" and err2.response is None


def test_json_decode_error_is_both() -> None:
    err = tex.JSONDecodeError("Expecting value", "doc", 0)
    assert isinstance(err, json.JSONDecodeError)
    assert isinstance(err, tex.RequestException)
    assert str(err) == "Expecting value: line 1 column 1 (char 0)"
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is tex.JSONDecodeError and again.pos == 0


@pytest.mark.parametrize("cls", [tex.ConnectTimeout, tex.ReadTimeout, tex.TooManyRedirects,
                                 tex.ChunkedEncodingError, tex.InvalidURL, tex.SSLError])
def test_pickle_round_trip(cls: type[tex.RequestException]) -> None:
    err = cls("message", request="R")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls
    assert str(again) == str(err)
    assert again.request == "R"


def test_decompression_bomb_error_names_limit() -> None:
    assert issubclass(tex.DecompressionBombError, tex.ContentDecodingError)
    assert issubclass(tex.DecompressionBombError, errors.LimitExceeded)


def test_top_level_exports_match_requests() -> None:
    import requests

    for name in ("ConnectionError", "ConnectTimeout", "FileModeWarning", "HTTPError",
                 "JSONDecodeError", "ReadTimeout", "RequestException", "Timeout",
                 "TooManyRedirects", "URLRequired", "request", "get", "head", "post", "put",
                 "patch", "delete", "options", "Session", "session", "Request",
                 "PreparedRequest", "Response", "codes"):
        assert hasattr(requests, name)
        assert hasattr(tether, name), name
    assert tether.TimeoutConfig is tether.net.TimeoutConfig
