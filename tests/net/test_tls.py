"""The TLS context factory: defaults, trust sources, caching."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from tether.net import create_ssl_context, default_ca_source


def test_defaults_verify_and_require_tls12() -> None:
    ctx = create_ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname is True
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2


def test_cached_by_configuration() -> None:
    assert create_ssl_context() is create_ssl_context()
    assert create_ssl_context(alpn=("http/1.1",)) is create_ssl_context(alpn=["http/1.1"])
    assert create_ssl_context(alpn=("http/1.1",)) is not create_ssl_context()
    assert create_ssl_context(verify=False) is not create_ssl_context()


def test_verify_false_disables_checks() -> None:
    ctx = create_ssl_context(verify=False)
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_given_context_is_returned_as_is() -> None:
    mine = ssl.create_default_context()
    assert create_ssl_context(verify=mine) is mine


def test_ssl_cert_file_is_honoured(tls_ca: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", tls_ca.ca_pem)
    assert default_ca_source() == ("file", tls_ca.ca_pem)
    ctx = create_ssl_context()
    assert ctx is not create_ssl_context(trust_env=False)
    assert ctx.cert_store_stats()["x509_ca"] == 1
    assert default_ca_source(trust_env=False)[0] in ("system", "file")


def test_missing_ca_path_names_it() -> None:
    with pytest.raises(OSError, match=r"/no/such/ca\.pem"):
        create_ssl_context(verify="/no/such/ca.pem")
    with pytest.raises(OSError, match=r"/no/such/cert\.pem"):
        create_ssl_context(cert=("/no/such/cert.pem", "/no/such/key.pem"))


def test_client_certificate_is_loaded(tls_ca: Any) -> None:
    ctx = create_ssl_context(cert=(tls_ca.cert_pem, tls_ca.key_pem))
    assert isinstance(ctx, ssl.SSLContext)
