"""``tether mail send|fetch|list`` as a subprocess against aiosmtpd and Dovecot."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from cli._run import one_error_line, tether
from servers.dovecot import DovecotServer, message, standard_messages
from servers.smtp import AioSMTPServer

PASSWORD_ENV = "TETHER_TEST_PASSWORD"


def _send(server: AioSMTPServer, url: str, *args: str, password: str | None = None,
          stdin: bytes = b"") -> tuple[int, bytes]:
    proc = tether("mail", "send", "--smtp", url, "--cacert", server.ca_pem,
                  "--password-env", PASSWORD_ENV, *args, input=stdin,
                  env={PASSWORD_ENV: password or server.password})
    output = proc.stdout + proc.stderr
    assert (password or server.password).encode() not in output
    return proc.returncode, output


def test_send_with_starttls_and_auth(smtpd: AioSMTPServer, tmp_path: Path) -> None:
    attachment = tmp_path / "notes.txt"
    attachment.write_bytes(b"attached text\n")
    code, output = _send(smtpd, f"smtp://{smtpd.user}@127.0.0.1:{smtpd.port}",
                         "--from", "bob@example.com", "--to", "carol@example.com",
                         "--cc", "dave@example.com", "--bcc", "erin@example.com",
                         "--subject", "Hello from the CLI", "--attach", str(attachment),
                         stdin=b"Body from stdin.\n.\nafter a lone dot\n")
    assert code == 0, output
    assert b"STARTTLS" in output and b"AUTH as alice" in output
    [received] = smtpd.handler.messages
    assert received.mail_from == "bob@example.com"
    assert received.rcpt_tos == ["carol@example.com", "dave@example.com", "erin@example.com"]
    msg = email.message_from_bytes(received.content, policy=email.policy.default)
    assert msg["Subject"] == "Hello from the CLI"
    assert "Bcc" not in msg and "erin" not in str(msg["To"]) + str(msg["Cc"])
    body = msg.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == "Body from stdin.\n.\nafter a lone dot\n"
    [part] = list(msg.iter_attachments())
    assert part.get_filename() == "notes.txt"
    assert part.get_content().replace("\r\n", "\n") == "attached text\n"


def test_submission_and_smtps(smtpd: AioSMTPServer, aiosmtpd_tls_server: AioSMTPServer) -> None:
    code, output = _send(smtpd, f"submission://{smtpd.user}@127.0.0.1:{smtpd.port}",
                         "--from", "a@example.com", "--to", "b@example.com", "--body", "hi")
    assert code == 0, output
    tls = aiosmtpd_tls_server
    tls.handler.clear()
    code, output = _send(tls, f"smtps://{tls.user}@127.0.0.1:{tls.port}",
                         "--from", "a@example.com", "--to", "b@example.com", "--body", "hi")
    assert code == 0, output
    assert b"implicit TLS" in output
    assert len(tls.handler.messages) == 1


def test_sendmail_mode_reads_recipients_and_strips_bcc(smtpd: AioSMTPServer) -> None:
    whole = (b"From: bob@example.com\r\nTo: carol@example.com\r\n"
             b"Bcc: hidden@example.com\r\nSubject: -t mode\r\n\r\nwhole message\r\n")
    code, output = _send(smtpd, f"smtp://{smtpd.user}@127.0.0.1:{smtpd.port}", "-t",
                         stdin=whole)
    assert code == 0, output
    [received] = smtpd.handler.messages
    assert sorted(received.rcpt_tos) == ["carol@example.com", "hidden@example.com"]
    assert b"hidden@example.com" not in received.content
    assert b"whole message" in received.content


def test_refusals_have_their_exit_code(smtpd: AioSMTPServer) -> None:
    url = f"smtp://{smtpd.user}@127.0.0.1:{smtpd.port}"
    code, output = _send(smtpd, url, "--from", "a@example.com", "--to", "b@example.com",
                         "--body", "x", password="wrong password")
    assert code == 11, output
    assert b"535" in output
    code, output = _send(smtpd, url, "--from", "a@example.com", "--to",
                         "reject-me@example.com", "--body", "x")
    assert code == 11, output
    assert b"reject-me@example.com: 550" in output
    assert smtpd.handler.messages == []


def test_unknown_ca_is_a_tls_error(smtpd: AioSMTPServer) -> None:
    proc = tether("mail", "send", "--smtp", f"smtp://127.0.0.1:{smtpd.port}",
                  "--from", "a@example.com", "--to", "b@example.com", "--body", "x")
    assert proc.returncode == 9  # STARTTLS offered, certificate not trusted by default
    one_error_line(proc)


def _pop3(dovecot: DovecotServer, *args: str) -> tuple[int, bytes, bytes]:
    proc = tether("mail", *args, "--cacert", dovecot.ca_pem, "--password-env", PASSWORD_ENV,
                  env={PASSWORD_ENV: dovecot.password})
    assert dovecot.password.encode() not in proc.stdout + proc.stderr
    return proc.returncode, proc.stdout, proc.stderr


def test_fetch_into_maildir_then_rerun(dovecot: DovecotServer, tmp_path: Path) -> None:
    maildir = tmp_path / "Maildir"
    url = f"pop3://reader@127.0.0.1:{dovecot.pop3_port}"  # STLS is used when offered
    code, out, err = _pop3(dovecot, "fetch", url, "--maildir", str(maildir))
    assert code == 0, err
    assert out.startswith(b"6 new message(s)")
    stored = sorted(p.read_bytes() for p in (maildir / "new").iterdir())
    assert stored == sorted(standard_messages())
    code, out, err = _pop3(dovecot, "fetch", url, "--maildir", str(maildir))
    assert code == 0, err
    assert out.startswith(b"0 new message(s)") and b"6 already stored" in out
    assert len(list((maildir / "new").iterdir())) == 6


def test_fetch_with_delete_over_pop3s(dovecot: DovecotServer, tmp_path: Path) -> None:
    dovecot.fill("user3", [message("one", b"first\n"), message("two", b"second\n")])
    url = f"pop3s://user3@127.0.0.1:{dovecot.pop3s_port}"
    code, out, err = _pop3(dovecot, "fetch", url, "--maildir", str(tmp_path / "md"),
                           "--delete")
    assert code == 0, err
    assert b"2 deleted on the server" in out
    left = [p for sub in ("new", "cur") for p in (dovecot.maildir("user3") / sub).iterdir()]
    assert left == []
    assert len(list((tmp_path / "md" / "new").iterdir())) == 2


def test_list_server_and_maildir(dovecot: DovecotServer, tmp_path: Path) -> None:
    url = f"pop3s://reader@127.0.0.1:{dovecot.pop3s_port}"
    code, out, err = _pop3(dovecot, "list", url)
    assert code == 0, err
    rows = [line.split("\t") for line in out.decode().splitlines()]
    assert rows[0] == ["#", "size", "from", "subject", "date"]
    assert [r[3] for r in rows[1:]] == ["plain", "dots", "eight bit", "long line", "large",
                                       "empty body"]
    assert {r[2] for r in rows[1:]} == {"sender@example.com"}
    code, out, err = _pop3(dovecot, "fetch", url, "--maildir", str(tmp_path / "md"))
    assert code == 0, err
    local = tether("mail", "list", "--maildir", str(tmp_path / "md"))
    assert local.returncode == 0
    assert sorted(line.split("\t")[3] for line in local.stdout.decode().splitlines()[1:]) \
        == sorted(r[3] for r in rows[1:])


def test_wrong_pop3_password(dovecot: DovecotServer, tmp_path: Path) -> None:
    proc = tether("mail", "list", f"pop3s://reader@127.0.0.1:{dovecot.pop3s_port}",
                  "--cacert", dovecot.ca_pem, "--password-command", "echo not-it")
    assert proc.returncode == 11
    one_error_line(proc)
