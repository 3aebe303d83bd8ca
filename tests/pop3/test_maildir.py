"""fetch_to_maildir: loss-free and resumable, tested by cutting connections mid-transfer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import tether.pop3 as pop3
from pop3._fake import cutting_proxy
from servers.dovecot import DovecotServer, message


def mailbox() -> list[bytes]:
    big = b"".join(b"%06d " % i + b"q" * 90 + b"\n" for i in range(20000))  # ~2 MiB
    return [
        message("one", b"first\n"),
        message("two", b".dot line\n..two\n.\n"),
        message("three big", big),
        message("four", "ünïcode\n".encode()),
        message("five", b"last\n"),
    ]


def stored(maildir: Path) -> list[bytes]:
    files = sorted((maildir / "new").iterdir()) + sorted((maildir / "cur").iterdir())
    return sorted(f.read_bytes() for f in files)


def login(server: DovecotServer, user: str, port: int | None = None) -> pop3.POP3:
    client = pop3.POP3(server.host, port or server.pop3_port, timeout=10)
    client.user(user)
    client.pass_(server.password)
    return client


@pytest.mark.parametrize("cut_after", [5_000, 1_200_000])
def test_cut_mid_transfer_then_rerun(dovecot: DovecotServer, tmp_path: Path,
                                     cut_after: int) -> None:
    user = "user1"
    dovecot.fill(user, mailbox())
    target = tmp_path / "Maildir"
    with cutting_proxy((dovecot.host, dovecot.pop3_port), cut_after) as port:
        client = login(dovecot, user, port)
        with pytest.raises((OSError, pop3.error_proto)):
            pop3.fetch_to_maildir(client, target, delete=True)
        client.close()
    partial = stored(target)
    assert len(partial) < len(mailbox())
    assert not list((target / "tmp").iterdir()), "a partial message was left in tmp/"
    expected_all = sorted(m for m in mailbox())
    assert all(m in expected_all for m in partial)
    # The server deletes at QUIT only; the dropped session deleted nothing.
    client = login(dovecot, user)
    assert client.stat()[0] == len(mailbox())
    result = pop3.fetch_to_maildir(client, target, delete=True)
    client.quit()
    assert len(result.stored) == len(mailbox()) - len(partial)
    assert result.skipped == len(partial)
    assert result.deleted == len(mailbox())
    assert stored(target) == expected_all  # everything, once, with LF line ends
    client = login(dovecot, user)
    assert client.stat()[0] == 0  # deleted after being stored
    client.quit()


def test_rerun_without_state_file_makes_no_duplicates(dovecot: DovecotServer,
                                                      tmp_path: Path) -> None:
    # A crash between moving a message into new/ and saving the state file.
    user = "user2"
    dovecot.fill(user, mailbox())
    target = tmp_path / "Maildir"
    client = login(dovecot, user)
    first = pop3.fetch_to_maildir(client, target)
    client.quit()
    assert len(first.stored) == len(mailbox())
    for state in target.glob(".tether-pop3-uidl-*"):
        os.unlink(state)
    client = login(dovecot, user)
    second = pop3.fetch_to_maildir(client, target)
    client.quit()
    assert second.stored == [] and second.skipped == len(mailbox())
    assert stored(target) == sorted(mailbox())


def test_messages_moved_to_cur_still_count_and_new_mail_is_fetched(dovecot: DovecotServer,
                                                                   tmp_path: Path) -> None:
    user = "user3"
    dovecot.fill(user, mailbox()[:2])
    target = tmp_path / "Maildir"
    client = login(dovecot, user)
    pop3.fetch_to_maildir(client, target)
    client.quit()
    for f in (target / "new").iterdir():  # a mail reader marks them seen
        f.rename(target / "cur" / (f.name + ":2,S"))
    dovecot.fill(user, mailbox())  # same first two (same UIDLs) plus three new
    client = login(dovecot, user)
    uidls = client.uidl()[1]
    result = pop3.fetch_to_maildir(client, target)
    client.quit()
    assert len(uidls) == len(mailbox())
    assert len(result.stored) + result.skipped == len(mailbox())


async def test_async_cut_then_rerun(dovecot: DovecotServer, tmp_path: Path) -> None:
    user = "user4"
    dovecot.fill(user, mailbox())
    target = tmp_path / "Maildir"
    with cutting_proxy((dovecot.host, dovecot.pop3_port), 600_000) as port:
        client = pop3.AsyncPOP3(dovecot.host, port, timeout=10)
        await client.connect()
        await client.user(user)
        await client.pass_(dovecot.password)
        with pytest.raises((OSError, pop3.error_proto)):
            await pop3.afetch_to_maildir(client, target, delete=True)
        await client.close()
    async with pop3.AsyncPOP3(dovecot.host, dovecot.pop3_port, timeout=10) as client:
        await client.user(user)
        await client.pass_(dovecot.password)
        result = await pop3.afetch_to_maildir(client, target, delete=True)
    assert result.deleted == len(mailbox())
    assert stored(target) == sorted(mailbox())
