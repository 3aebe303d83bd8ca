"""Every public name of poplib exists in tether.pop3, with compatible signatures."""

from __future__ import annotations

import inspect
import pickle
import poplib

import tether.pop3 as pop3
from tether.errors import TetherError


def test_module_names() -> None:
    for name in [*poplib.__all__, "POP3_PORT", "POP3_SSL_PORT", "CR", "LF", "CRLF", "_MAXLINE",
                 "HAVE_SSL"]:
        assert hasattr(pop3, name), name
        if not callable(getattr(poplib, name)):
            assert getattr(pop3, name) == getattr(poplib, name), name
    assert set(poplib.__all__) <= set(pop3.__all__)


def test_methods_and_parameters() -> None:
    for cls_name in ("POP3", "POP3_SSL"):
        theirs, ours = getattr(poplib, cls_name), getattr(pop3, cls_name)
        for name, member in vars(theirs).items():
            if name.startswith("__") or not callable(member):
                continue
            assert hasattr(ours, name), f"{cls_name}.{name}"
            their_params = list(inspect.signature(member).parameters)
            our_params = list(inspect.signature(getattr(ours, name)).parameters)
            assert our_params[: len(their_params)] == their_params, (cls_name, name)


def test_async_twin_has_the_same_methods() -> None:
    public = [n for n, m in vars(pop3.POP3).items() if callable(m) and not n.startswith("_")]
    for name in public:
        assert hasattr(pop3.AsyncPOP3, name), name
        if name not in ("getwelcome", "set_debuglevel", "close", "iter_retr", "retr_many"):
            assert inspect.iscoroutinefunction(getattr(pop3.AsyncPOP3, name)), name


def test_exceptions_are_error_proto_and_tether_errors() -> None:
    for name in ("POP3ResponseError", "POP3ProtocolError", "POP3LimitExceeded",
                 "POP3ConnectionClosed", "POP3CommandError", "CleartextAuthError",
                 "POP3ClosedError"):
        cls = getattr(pop3, name)
        assert issubclass(cls, pop3.error_proto) and issubclass(cls, TetherError), name
    err = pop3.POP3ResponseError(b"-ERR no")
    assert err.args == (b"-ERR no",)
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is pop3.POP3ResponseError and again.response == b"-ERR no"
