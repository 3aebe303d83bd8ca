"""CPython's own test_urllib2, run against tether.opener through an import alias."""

from __future__ import annotations

import tether.opener
from opener._cpython import aliased, load, run_suite, with_extras


def _macos_only(*args: object) -> bool:
    raise NotImplementedError("macOS system proxy settings are not read by tether")


# test id -> why tether fails it on purpose (also listed in tether.opener's docstring).
DELIBERATE: dict[str, str] = {
    "TrivialTests.test___all__": (
        "it checks that every exported name's __module__ is 'urllib.request'/'urllib.error'; "
        "tether's objects name tether's modules"
    ),
}
# test id -> why it is not run at all.
EXCLUDED: dict[str, str] = {
    "HandlerTests.test_redirect_no_path": (
        "it replaces http.client.HTTPConnection with a fake and calls urlopen('http://python.org"
        "/path'); tether's HTTPHandler does not use http.client, so the request would go to "
        "the real python.org"
    ),
}


def test_cpython_test_urllib2(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    request = with_extras(tether.opener, _proxy_bypass_macosx_sysconf=_macos_only)
    modules = {"urllib.request": request, "urllib.error": tether.opener}
    with aliased(modules):
        module = load("test_urllib2")
        total, result = run_suite(module, EXCLUDED)
    failed = set(result.failed)
    print(f"CPython test_urllib2: {total} run, {len(result.passed)} passed, "
          f"{len(failed)} failed, {len(result.skipped_names)} skipped")
    unexpected = failed - DELIBERATE.keys()
    fixed = DELIBERATE.keys() - failed
    assert not unexpected, "unexpected failures:\n" + "\n".join(
        result.failed[name] for name in sorted(unexpected))
    assert not fixed, f"listed as deliberate differences but passing: {sorted(fixed)}"
    assert len(result.passed) >= 68


def test_docstring_lists_the_same_differences() -> None:
    doc = tether.opener.__doc__ or ""
    for name in [*DELIBERATE, *EXCLUDED]:
        assert f"``{name}``" in doc, name
