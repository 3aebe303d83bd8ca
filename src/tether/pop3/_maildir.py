"""Loss-free download of a POP3 mailbox into a Maildir, resumable without duplicates.

Theory of operation
-------------------
The plan (:func:`_plan`) is written once as a generator that yields requests to its
driver: *call this client method* (``uidl``, ``dele``), *stream this message into this
writer*, *run this disk operation*. :func:`fetch_to_maildir` runs it with a blocking
client, :func:`afetch_to_maildir` with an :class:`~tether.pop3.AsyncPOP3` (disk work in
a thread).

Durability order, per message (the Maildir protocol, plus fsync):

1. stream ``RETR`` into ``tmp/<name>`` (bounded memory), ``fsync`` the file;
2. ``link`` it to ``new/<name>``, unlink the tmp name, ``fsync`` ``new/``;
3. add its UIDL to the state file (written to a temporary file, ``fsync``, renamed
   over the old one, directory ``fsync``);
4. only then, and only with ``delete=True``, send ``DELE`` (which the server carries
   out at ``QUIT``).

If the connection drops anywhere, nothing stored is lost and nothing is deleted that
is not stored. A crash between steps 2 and 3 leaves a message in ``new/`` whose UIDL
the state file lacks; the message's file name therefore carries a hash of the account
and UIDL (``…X<hash>.host``), and a rerun treats those as already stored too: no
duplicates. Messages are written with LF line ends, the local Maildir convention.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import os
import re
import socket
import time
from collections.abc import Callable, Generator
from typing import Any

from tether.pop3._errors import POP3ProtocolError

__all__ = ["FetchResult", "afetch_to_maildir", "fetch_to_maildir"]

_KEY_RE = re.compile(r"X([0-9a-f]{24})\.")
_counter = itertools.count()


@dataclasses.dataclass
class FetchResult:
    """What one run did: ``stored`` file paths (in ``new/``), ``skipped`` messages
    already stored by an earlier run, ``deleted`` messages marked with ``DELE``."""

    stored: list[str] = dataclasses.field(default_factory=list)
    skipped: int = 0
    deleted: int = 0


@dataclasses.dataclass(frozen=True)
class _Call:
    method: str
    args: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class _Download:
    which: int
    writer: _Writer


@dataclasses.dataclass(frozen=True)
class _Disk:
    fn: Callable[[], Any]


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Writer:
    """One message on its way from ``tmp/`` to ``new/`` (CRLF → LF on the fly)."""

    def __init__(self, root: str, name: str) -> None:
        self.tmp = os.path.join(root, "tmp", name)
        self.final = os.path.join(root, "new", name)
        self._root = root
        self._file = open(self.tmp, "wb")  # noqa: SIM115 - closed in commit()/discard()
        self._cr = False  # the previous chunk ended with CR

    def write(self, chunk: bytes) -> None:
        if self._cr:
            chunk = b"\r" + chunk
        self._cr = chunk.endswith(b"\r")
        if self._cr:
            chunk = chunk[:-1]
        self._file.write(chunk.replace(b"\r\n", b"\n"))

    def commit(self) -> str:
        if self._cr:
            self._file.write(b"\r")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.link(self.tmp, self.final)
        os.unlink(self.tmp)
        _fsync_dir(os.path.join(self._root, "new"))
        return self.final

    def discard(self) -> None:
        self._file.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


class _Maildir:
    def __init__(self, root: str, account: str) -> None:
        self.root = root
        self.account = account
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(root, sub), mode=0o700, exist_ok=True)
        host = socket.gethostname().replace("/", "\\057").replace(":", "\\072")
        self._host = host or "localhost"

    def key(self, uid: str) -> str:
        return hashlib.sha256(f"{self.account}\0{uid}".encode()).hexdigest()[:24]

    def stored_keys(self) -> set[str]:
        keys: set[str] = set()
        for sub in ("new", "cur"):
            for name in os.listdir(os.path.join(self.root, sub)):
                match = _KEY_RE.search(name)
                if match:
                    keys.add(match.group(1))
        return keys

    def writer(self, key: str) -> _Writer:
        now = time.time()
        name = (f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(_counter)}"
                f"X{key}.{self._host}")
        return _Writer(self.root, name)


class _State:
    """The UIDLs already stored, one per line, replaced atomically."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.uids: set[str] = set()
        try:
            with open(path, encoding="utf-8") as f:
                self.uids = {line.rstrip("\n") for line in f if line.strip()}
        except FileNotFoundError:
            pass

    def save(self) -> None:
        tmp = f"{self.path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(f"{uid}\n" for uid in sorted(self.uids)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(os.path.dirname(os.path.abspath(self.path)))


def _parse_uidl(lines: list[bytes]) -> list[tuple[int, str]]:
    out = []
    for line in lines:
        parts = line.split()
        try:
            out.append((int(parts[0]), parts[1].decode("ascii")))
        except (IndexError, ValueError, UnicodeDecodeError):
            raise POP3ProtocolError("malformed UIDL line", line) from None
    return out


def _plan(path: str, state_path: str | None, delete: bool,
          account: str) -> Generator[_Call | _Download | _Disk, Any, FetchResult]:
    maildir = _Maildir(path, account)
    if state_path is None:
        tag = hashlib.sha256(account.encode()).hexdigest()[:12]
        state_path = os.path.join(path, f".tether-pop3-uidl-{tag}")
    state = _State(state_path)
    result = FetchResult()
    _, lines, _ = yield _Call("uidl", ())
    stored = maildir.stored_keys()
    for which, uid in _parse_uidl(lines):
        key = maildir.key(uid)
        if uid not in state.uids and key not in stored:
            writer = maildir.writer(key)
            try:
                yield _Download(which, writer)
            except BaseException:
                writer.discard()
                raise
            final = yield _Disk(writer.commit)
            result.stored.append(final)
            state.uids.add(uid)
            yield _Disk(state.save)
        else:
            result.skipped += 1
            if uid not in state.uids:
                state.uids.add(uid)
                yield _Disk(state.save)
        if delete:
            yield _Call("dele", (which,))
            result.deleted += 1
    return result


def _paths(path: str | os.PathLike[str],
           uidl_state: str | os.PathLike[str] | None) -> tuple[str, str | None]:
    state = None if uidl_state is None else os.path.expanduser(os.fspath(uidl_state))
    return os.path.expanduser(os.fspath(path)), state


def _account(client: Any, account: str | None) -> str:
    """The mailbox's identity: ``user@host`` (the user given to USER/APOP/AUTH)."""
    if account is not None:
        return account
    session = getattr(client, "_s", None)
    login = getattr(session, "login_name", None) or ""
    return f"{login}@{client.host}"


def fetch_to_maildir(client: Any, path: str | os.PathLike[str], delete: bool = False,
                     uidl_state: str | os.PathLike[str] | None = None, *,
                     account: str | None = None) -> FetchResult:
    """Download every message not stored before from a logged-in ``client`` to ``path``.

    ``uidl_state`` is the file remembering stored UIDLs (default: a hidden file in the
    Maildir named after ``account``, itself ``"user@host"`` by default, from the
    client's login). With ``delete=True``, each
    stored message is marked with ``DELE``; the server deletes at ``quit()``. Rerun
    after any failure: nothing is lost and nothing is stored twice.
    """
    plan = _plan(*_paths(path, uidl_state), delete, _account(client, account))
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = plan.throw(error) if error is not None else plan.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        error = None
        try:
            if isinstance(op, _Call):
                value = getattr(client, op.method)(*op.args)
            elif isinstance(op, _Download):
                for chunk in client.iter_retr(op.which):
                    op.writer.write(chunk)
                value = None
            else:
                value = op.fn()
        except BaseException as exc:
            error = exc


async def afetch_to_maildir(client: Any, path: str | os.PathLike[str], delete: bool = False,
                            uidl_state: str | os.PathLike[str] | None = None, *,
                            account: str | None = None) -> FetchResult:
    """:func:`fetch_to_maildir` for an :class:`~tether.pop3.AsyncPOP3` (fsyncs in a thread)."""
    plan = _plan(*_paths(path, uidl_state), delete, _account(client, account))
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            op = plan.throw(error) if error is not None else plan.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        error = None
        try:
            if isinstance(op, _Call):
                value = await getattr(client, op.method)(*op.args)
            elif isinstance(op, _Download):
                async for chunk in client.iter_retr(op.which):
                    op.writer.write(chunk)
                value = None
            else:
                value = await asyncio.to_thread(op.fn)
        except BaseException as exc:
            error = exc
