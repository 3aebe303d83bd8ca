"""Mailboxes shared by the demo's SMTP server (which delivers) and POP3 server (which serves).

A mailbox is named by the local part of a recipient address, lower-cased
(``Alice@example.test`` is delivered to ``alice``). Each delivered message gets a
unique id (for POP3 ``UIDL``) and a ``Return-Path``/``Delivered-To`` header as a local
delivery agent would add (RFC 5321 §4.4). The store is used from the server loop and
from the demo's steps, so every access takes a lock.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredMessage:
    uid: str
    data: bytes  # CRLF line ends, not dot-stuffed


class MailStore:
    def __init__(self, passwords: dict[str, str]) -> None:
        self.passwords = dict(passwords)  # mailbox (login) -> password
        self._boxes: dict[str, list[StoredMessage]] = {name: [] for name in passwords}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._locked: set[str] = set()

    @staticmethod
    def mailbox_of(address: str) -> str:
        return address.rpartition("@")[0].lower() if "@" in address else address.lower()

    def check_password(self, login: str, password: str) -> bool:
        expected = self.passwords.get(self.mailbox_of(login))
        return expected is not None and expected == password

    def deliver(self, sender: str, recipient: str, content: bytes) -> bool:
        """Store ``content`` for ``recipient``; False if there is no such mailbox."""
        box = self.mailbox_of(recipient)
        body = content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        trace = f"Return-Path: <{sender}>\r\nDelivered-To: {recipient}\r\n".encode()
        with self._lock:
            if box not in self._boxes:
                return False
            uid = f"demo-{next(self._ids):06d}"
            self._boxes[box].append(StoredMessage(uid, trace + body))
        return True

    def messages(self, box: str) -> list[StoredMessage]:
        with self._lock:
            return list(self._boxes.get(self.mailbox_of(box), []))

    def remove(self, box: str, uids: set[str]) -> None:
        with self._lock:
            name = self.mailbox_of(box)
            self._boxes[name] = [m for m in self._boxes[name] if m.uid not in uids]

    def lock(self, box: str) -> bool:
        """Take a mailbox's exclusive POP3 lock (RFC 1939 §8); False if already taken."""
        with self._lock:
            name = self.mailbox_of(box)
            if name in self._locked:
                return False
            self._locked.add(name)
            return True

    def unlock(self, box: str) -> None:
        with self._lock:
            self._locked.discard(self.mailbox_of(box))
