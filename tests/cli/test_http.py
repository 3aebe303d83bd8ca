"""``tether get|head|post|...`` as a subprocess against nginx, httpbin and hostile peers."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

from cli._run import one_error_line, raw_http_server, tether
from servers._harness import free_port
from servers.httpbin import HttpBin
from servers.nginx import Nginx


def test_piped_body_is_the_raw_bytes(nginx: Nginx) -> None:
    proc = tether("get", nginx.http_url + "/data.json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (nginx.docroot / "data.json").read_bytes()  # not re-indented
    assert proc.stderr == b""


def test_compressed_body_is_decoded(nginx: Nginx) -> None:
    proc = tether("get", nginx.http_url + "/text.txt", "--print=hb")
    assert proc.returncode == 0, proc.stderr
    head, _, body = proc.stdout.partition(b"\n\n")
    assert b"Content-Encoding: gzip" in head
    assert body == (nginx.docroot / "text.txt").read_bytes()


def test_print_headers_and_head_method(nginx: Nginx) -> None:
    proc = tether("head", nginx.http_url + "/small.txt", "--print=h")
    lines = proc.stdout.decode().splitlines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "Content-Length: 100" in lines
    assert b"xxxx" not in proc.stdout


def test_verbose_shows_the_request(nginx: Nginx) -> None:
    proc = tether("get", nginx.http_url + "/small.txt", "-v", "q==1", "X-Demo:yes")
    text = proc.stdout.decode()
    assert text.startswith("GET /small.txt?q=1 HTTP/1.1\n")
    assert f"Host: {nginx.host}:{nginx.port}\n" in text
    assert "X-Demo: yes\n" in text
    assert "\nHTTP/1.1 200 OK\n" in text
    assert text.rstrip().endswith("x" * 100)


def test_https_needs_the_ca(nginx: Nginx) -> None:
    ok = tether("get", nginx.https_url + "/small.txt", "--cacert", nginx.tls.ca_pem)
    assert (ok.returncode, ok.stdout) == (0, b"x" * 100)
    refused = tether("get", nginx.https_url + "/small.txt")
    assert refused.returncode == 9
    assert "CERTIFICATE_VERIFY_FAILED" in one_error_line(refused)
    other = tether("get", nginx.https_url + "/small.txt", "--verify", nginx.tls.other_ca_pem)
    assert other.returncode == 9
    insecure = tether("get", nginx.https_url + "/small.txt", "--insecure")
    assert (insecure.returncode, insecure.stdout) == (0, b"x" * 100)


def test_redirects(nginx: Nginx, httpbin: HttpBin) -> None:
    followed = tether("get", nginx.http_url + "/redirect")
    assert (followed.returncode, followed.stdout) == (0, b"x" * 100)
    shown = tether("get", nginx.http_url + "/redirect", "--no-follow", "--print=h")
    assert shown.stdout.decode().splitlines()[0] == "HTTP/1.1 302 Moved Temporarily"
    assert shown.returncode == 0
    checked = tether("get", nginx.http_url + "/redirect", "--no-follow", "--check-status")
    assert checked.returncode == 3
    too_many = tether("get", httpbin + "/redirect/3", "--max-redirects", "2")
    assert too_many.returncode == 6
    assert "redirects" in one_error_line(too_many)


def test_check_status_exit_codes(nginx: Nginx, httpbin: HttpBin) -> None:
    assert tether("get", nginx.http_url + "/status/404").returncode == 0
    not_found = tether("get", nginx.http_url + "/status/404", "--check-status")
    assert not_found.returncode == 4
    assert b"HTTP 404" in not_found.stderr
    assert tether("get", httpbin + "/status/503", "--check-status").returncode == 5


def test_json_items(httpbin: HttpBin) -> None:
    proc = tether("post", httpbin + "/anything", "name=tether", "n:=3", "tags:=[\"a\"]",
                  "X-Test:yes", "q==1")
    assert proc.returncode == 0, proc.stderr
    echo = json.loads(proc.stdout)
    assert echo["json"] == {"name": "tether", "n": 3, "tags": ["a"]}
    assert echo["headers"]["Content-Type"] == "application/json"
    assert echo["headers"]["X-Test"] == "yes"
    assert echo["args"] == {"q": "1"}
    assert echo["method"] == "POST"


def test_form_multipart_and_raw_data(httpbin: HttpBin, tmp_path: Path) -> None:
    form = json.loads(tether("put", httpbin + "/anything", "--form", "a=1", "b=two").stdout)
    assert form["form"] == {"a": "1", "b": "two"}
    assert form["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    upload = tmp_path / "report.txt"
    upload.write_bytes(b"uploaded content\n")
    multi = json.loads(tether("post", httpbin + "/anything", f"doc@{upload}", "a=1").stdout)
    assert multi["files"] == {"doc": "uploaded content\n"}
    assert multi["form"] == {"a": "1"}
    assert multi["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    raw = tmp_path / "raw.bin"
    raw.write_bytes(b"raw body bytes")
    sent = json.loads(tether("patch", httpbin + "/anything", "-d", f"@{raw}").stdout)
    assert sent["data"] == "raw body bytes"
    piped = json.loads(tether("post", httpbin + "/anything", "-d", "-",
                              input=b"from stdin").stdout)
    assert piped["data"] == "from stdin"


def test_basic_and_digest_auth_never_print_the_password(httpbin: HttpBin) -> None:
    secret = "pa55-w0rd-xyz"
    basic = tether("get", httpbin + f"/basic-auth/user/{secret}", "-v", "--auth", "user",
                   "--password-env", "SECRET_FOR_TEST", env={"SECRET_FOR_TEST": secret})
    assert basic.returncode == 0, basic.stderr
    assert b'"authenticated": true' in basic.stdout
    assert b"Authorization: Basic <hidden>" in basic.stdout
    assert secret.encode() not in basic.stdout.replace(b"/basic-auth/user/" + secret.encode(),
                                                       b"")
    assert secret.encode() not in basic.stderr
    digest = tether("get", httpbin + f"/digest-auth/auth/user/{secret}", "--auth-type",
                    "digest", "--auth", "user", "--password-command", f"echo {secret}",
                    "--check-status")
    assert digest.returncode == 0, digest.stderr
    wrong = tether("get", httpbin + f"/basic-auth/user/{secret}", "--auth", "user",
                   "--password-command", "echo nope", "--check-status")
    assert wrong.returncode == 4
    assert secret.encode() not in wrong.stdout + wrong.stderr


def test_password_prompt_without_a_terminal_is_a_usage_error(httpbin: HttpBin) -> None:
    proc = tether("get", httpbin + "/basic-auth/u/p", "--auth", "u")
    assert proc.returncode == 2
    assert "--password-env" in one_error_line(proc)


def test_connection_refused_is_a_network_error() -> None:
    proc = tether("get", f"http://127.0.0.1:{free_port()}/")
    assert proc.returncode == 7
    one_error_line(proc)


def test_silent_server_times_out() -> None:
    def silent(head: bytes, sock: socket.socket) -> None:
        time.sleep(5)

    with raw_http_server(silent) as port:
        started = time.monotonic()
        proc = tether("get", f"http://127.0.0.1:{port}/", "--timeout", "0.5")
        assert time.monotonic() - started < 4.5
    assert proc.returncode == 8
    one_error_line(proc)


def test_garbage_reply_is_a_protocol_error() -> None:
    def garbage(head: bytes, sock: socket.socket) -> None:
        sock.sendall(b"HELLO THERE\r\n\r\n")

    with raw_http_server(garbage) as port:
        proc = tether("get", f"http://127.0.0.1:{port}/")
    assert proc.returncode == 10
    one_error_line(proc)


def test_usage_errors() -> None:
    assert tether("get").returncode == 2
    bad_item = tether("get", "http://127.0.0.1:1/", "word")
    assert bad_item.returncode == 2
    assert "not a request item" in one_error_line(bad_item)
    missing = tether("post", "http://127.0.0.1:1/", "-d", "@/nonexistent/file")
    assert missing.returncode == 2
    one_error_line(missing)
