"""``send_many`` in both colours: smtp-sink (pipelined, content dumped), aiosmtpd (no
PIPELINING: one sendmail per message), and scripted peers for grouping and failures."""

from __future__ import annotations

import asyncio
import email.message
from typing import Any

import pytest

import tether.smtp as smtplib
from smtp._peer import Wire, scripted_peer
from smtp._sink import read_dump

pytestmark = pytest.mark.server

COLOURS = ["sync", "async"]
EHLO_PIPE = (b"250-peer", b"250-PIPELINING", b"250-SIZE 200", b"250 ENHANCEDSTATUSCODES")


def send_many(colour: str, port: int, messages: list[Any], **kw: Any) -> list[Any]:
    """Connect, EHLO, send_many, QUIT, in the given colour; returns the results."""
    if colour == "sync":
        with smtplib.SMTP("127.0.0.1", port, local_hostname="c.test", timeout=10) as smtp:
            return smtp.send_many(messages, **kw)

    async def main() -> list[Any]:
        async with smtplib.AsyncSMTP("127.0.0.1", port, local_hostname="c.test",
                                     timeout=10) as smtp:
            return await smtp.send_many(messages, **kw)

    return asyncio.run(main())


# -- smtp-sink: pipelined, every transaction appended to a dump file ---------------------
@pytest.mark.parametrize("colour", COLOURS)
def test_pipelined_messages_arrive_intact_in_order(colour: str, dumping_sink) -> None:  # type: ignore[no-untyped-def]
    port, dump = dumping_sink
    dump.unlink(missing_ok=True)
    msg = email.message.EmailMessage()
    msg["From"] = "Eve <eve@example.org>"
    msg["To"] = "fred@example.org"
    msg["Bcc"] = "hidden@example.org"
    msg["Subject"] = "obj"
    msg.set_content("from a Message object\n")
    messages: list[Any] = [
        (f"s{i}@example.com", [f"r{i}@example.com", f"q{i}@example.com"][: 1 + i % 2],
         f"Subject: {i}\n\nline {i}\n.dot line\n.\nend".encode())
        for i in range(12)
    ]
    messages.insert(3, ("inject@example.com", ["nul\0byte@example.com"], b"never sent"))
    messages.insert(7, msg)
    messages.append(("cr@example.com", ["cr@example.com"], b"bare\rcr\n\n..two dots"))
    results = send_many(colour, port, messages)

    assert isinstance(results[3], smtplib.SMTPCommandInjection)
    assert results[:3] + results[4:] == [{}] * (len(messages) - 1)
    got = read_dump(dump, len(messages) - 1)
    expected = [m for i, m in enumerate(messages) if i != 3]
    assert len(got) == len(expected)
    for (sender, rcpts, content), sent in zip(got, expected, strict=True):
        if isinstance(sent, email.message.Message):
            assert sender == b"<eve@example.org>"
            assert sorted(rcpts) == [b"<fred@example.org>", b"<hidden@example.org>"]
            assert b"from a Message object" in content and b"hidden@" not in content
            continue
        assert sender == f"<{sent[0]}>".encode()
        assert rcpts == [f"<{r}>".encode() for r in sent[1]]
        # smtp-sink un-stuffs dots and writes LF line ends; the body is what was meant.
        meant = sent[2].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        assert content.rstrip(b"\n") == meant.rstrip(b"\n")


# -- aiosmtpd: no PIPELINING, so each message goes through sendmail ----------------------
@pytest.mark.parametrize("colour", COLOURS)
def test_without_pipelining_each_message_is_a_sendmail(colour: str, smtpd) -> None:  # type: ignore[no-untyped-def]
    messages = [
        ("a@example.com", ["ok1@example.com"], "Subject: 1\n\none\n"),
        ("a@example.com", ["ok2@example.com", "reject-x@example.com"], "Subject: 2\n\ntwo\n"),
        ("a@example.com", ["reject-y@example.com"], "Subject: 3\n\nthree\n"),
        ("a@example.com", "ok4@example.com", b"Subject: 4\r\n\r\n.four\r\n"),
    ]
    results = send_many(colour, smtpd.port, messages)
    assert results[0] == {} and results[3] == {}
    assert results[1] == {"reject-x@example.com": (550, b"5.1.1 no such user here")}
    assert isinstance(results[2], smtplib.SMTPRecipientsRefused)
    assert results[2].recipients == {"reject-y@example.com": (550, b"5.1.1 no such user here")}
    got = smtpd.handler.messages
    assert [m.rcpt_tos for m in got] == [["ok1@example.com"], ["ok2@example.com"],
                                         ["ok4@example.com"]]
    assert got[2].content == b"Subject: 4\r\n\r\n.four\r\n"


# -- scripted peers: grouping and failures ------------------------------------------------
def _envelope(w: Wire, rcpts: int) -> list[bytes]:
    return [w.line() for _ in range(rcpts + 2)]


@pytest.mark.parametrize("colour", COLOURS)
def test_body_and_next_envelope_share_one_write(colour: str) -> None:
    seen: dict[str, Any] = {}

    def handler(w: Wire) -> None:
        w.reply(b"220 hi")
        w.line()
        w.reply(*EHLO_PIPE)
        w.reads.clear()
        # m0 is larger than SIZE 200: refused before anything is sent.
        g1 = _envelope(w, 1)  # m1
        seen["g1"] = (g1, len(w.reads))
        w.reply(b"250 ok", b"250 ok", b"354 go")
        w.reads.clear()
        body1 = w.body()
        g2 = _envelope(w, 1)  # m2: sender refused
        seen["g2"] = (body1, g2, len(w.reads))
        w.reply(b"250 2.0.0 queued 1", b"550 5.7.1 not you", b"503 no sender", b"503 no mail")
        w.reads.clear()
        g3 = [w.line(), *_envelope(w, 2)]  # RSET, then m3
        seen["g3"] = (g3, len(w.reads))
        w.reply(b"250 reset", b"250 ok", b"250 ok", b"550 5.1.1 unknown", b"354 go")
        w.reads.clear()
        body3 = w.body()
        g4 = _envelope(w, 1)  # m4
        seen["g4"] = (body3, g4, len(w.reads))
        w.reply(b"554 5.6.0 content refused", b"250 ok", b"250 ok", b"354 go")
        seen["body4"] = w.body()
        w.reply(b"250 2.0.0 queued 4")
        assert w.line().lower() == b"quit"
        w.reply(b"221 bye")

    messages = [
        ("big@x", ["b@x"], b"x" * 300),
        ("a@x", ["b@x"], b"one\n.dot"),
        ("bad@x", ["c@x"], b"two"),
        ("a@x", ["d@x", "nobody@x"], b"three\n.\n"),
        ("a@x", ["e@x"], b"four\r\n"),
    ]
    with scripted_peer(handler) as port:
        results = send_many(colour, port, messages)

    assert isinstance(results[0], smtplib.SMTPMessageTooLarge)
    assert results[1] == {}
    assert isinstance(results[2], smtplib.SMTPSenderRefused)
    assert results[2].smtp_code == 550 and results[2].sender == "bad@x"
    assert isinstance(results[3], smtplib.SMTPDataError)
    assert results[3].smtp_code == 554 and results[3].enhanced_status == "5.6.0"
    assert results[4] == {}

    g1, reads = seen["g1"]
    assert [c.lower() for c in g1] == [b"mail from:<a@x> size=9", b"rcpt to:<b@x>", b"data"]
    assert reads == 1
    body1, g2, reads = seen["g2"]
    assert body1 == b"one\r\n..dot"
    assert g2[0].lower().startswith(b"mail from:<bad@x>") and reads == 1
    g3, reads = seen["g3"]
    assert [c.lower() for c in g3][:1] == [b"rset"] and g3[-1].lower() == b"data"
    assert reads == 1
    body3, g4, reads = seen["g4"]
    assert body3 == b"three\r\n.." and g4[-1].lower() == b"data" and reads == 1
    assert seen["body4"] == b"four"


@pytest.mark.parametrize("colour", COLOURS)
def test_421_mid_batch_raises_with_results_so_far(colour: str) -> None:
    def handler(w: Wire) -> None:
        w.reply(b"220 hi")
        w.line()
        w.reply(*EHLO_PIPE)
        _envelope(w, 1)
        w.reply(b"250 ok", b"250 ok", b"354 go")
        w.body()
        _envelope(w, 1)
        w.reply(b"250 2.0.0 queued", b"421 4.3.2 shutting down")

    messages = [("a@x", ["b@x"], b"one"), ("a@x", ["c@x"], b"two"), ("a@x", ["d@x"], b"3")]
    with scripted_peer(handler) as port:
        if colour == "sync":
            smtp = smtplib.SMTP("127.0.0.1", port, local_hostname="c", timeout=10)
            with pytest.raises(smtplib.SMTPServerDisconnected) as info:
                smtp.send_many(messages)
        else:
            async def main() -> Any:
                smtp = smtplib.AsyncSMTP("127.0.0.1", port, local_hostname="c", timeout=10)
                await smtp.connect()
                with pytest.raises(smtplib.SMTPServerDisconnected) as info:
                    await smtp.send_many(messages)
                return smtp, info

            smtp, info = asyncio.run(main())
    assert smtp.sock is None  # closed, as sendmail closes on 421
    results = info.value.results  # type: ignore[attr-defined]
    assert results[0] == {}
    assert isinstance(results[1], smtplib.SMTPSenderRefused) and results[1].smtp_code == 421
    assert len(results) == 2  # the third message was never started
