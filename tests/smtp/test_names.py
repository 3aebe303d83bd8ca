"""tether.smtp exposes smtplib's names, signatures and exception tree; AsyncSMTP mirrors SMTP."""

from __future__ import annotations

import inspect
import smtplib

import tether.smtp
from tether.errors import TetherError


def test_every_smtplib_name_exists() -> None:
    public = [n for n in dir(smtplib) if not n.startswith("__")]
    modules = {"base64", "copy", "datetime", "email", "hmac", "io", "re", "ssl", "sys",
               "encode_base64"}
    missing = [n for n in public if n not in modules and not hasattr(tether.smtp, n)]
    assert missing == []
    assert set(smtplib.__all__) <= set(tether.smtp.__all__)


def test_signatures_match() -> None:
    for cls_name in ("SMTP", "SMTP_SSL", "LMTP"):
        ours, theirs = getattr(tether.smtp, cls_name), getattr(smtplib, cls_name)
        for name, member in inspect.getmembers(theirs, inspect.isfunction):
            if name.startswith("__") and name not in ("__init__", "__enter__", "__exit__"):
                continue
            mine = getattr(ours, name)
            expected = list(inspect.signature(member).parameters)
            got = [p for p in inspect.signature(mine).parameters
                   if p != "allow_cleartext_auth"]
            assert got == expected, (cls_name, name)


def test_exception_tree() -> None:
    for name in smtplib.__all__:
        theirs = getattr(smtplib, name)
        if isinstance(theirs, type) and issubclass(theirs, Exception):
            ours = getattr(tether.smtp, name)
            assert issubclass(ours, TetherError) and issubclass(ours, OSError)
            for base in theirs.__mro__[1:]:
                if base.__module__ == "smtplib":
                    assert issubclass(ours, getattr(tether.smtp, base.__name__)), name
    exc = tether.smtp.SMTPSenderRefused(550, b"no", "a@b")
    assert (exc.smtp_code, exc.smtp_error, exc.sender, exc.args) == (550, b"no", "a@b",
                                                                     (550, b"no", "a@b"))
    assert str(exc) == str(smtplib.SMTPSenderRefused(550, b"no", "a@b"))


def test_async_twin_has_every_public_method_as_coroutine() -> None:
    sync_methods = {n for n, m in inspect.getmembers(tether.smtp.SMTP, inspect.isfunction)
                    if not n.startswith("_")}
    sync_only = {"connect", "close", "set_debuglevel", "has_extn", "auth_cram_md5",
                 "auth_plain", "auth_login"}
    for name in sync_methods - sync_only:
        assert inspect.iscoroutinefunction(getattr(tether.smtp.AsyncSMTP, name)), name
    assert inspect.iscoroutinefunction(tether.smtp.AsyncSMTP.connect)
