"""CPython's own test_robotparser, run against tether.robots through an import alias."""

from __future__ import annotations

import tether.opener
import tether.robots
from opener._cpython import aliased, load, run_suite

# test id -> why tether fails it on purpose (also in tether.robots' docstring).
DELIBERATE: dict[str, str] = {
    "UserAgentGoogleMobileTest.test_bad_urls": (
        "RFC 9309 §2.2.1: 'Googlebot-Mobile' matches its own group (Allow: /); "
        "urllib.robotparser matched the 'Googlebot' group by substring"
    ),
    "UseFirstUserAgentWildcardTest.test_good_urls": (
        "RFC 9309 §2.2.1: groups for the same agent ('*' twice) are merged; urllib used "
        "the first only"
    ),
}


def test_cpython_test_robotparser(monkeypatch) -> None:
    from test import support

    # NetworkTestCase needs www.pythontest.net: deny the 'network' resource so it skips.
    monkeypatch.setattr(support, "use_resources", [], raising=False)
    modules = {"urllib.robotparser": tether.robots, "urllib.request": tether.opener,
               "urllib.error": tether.opener}
    with aliased(modules):
        module = load("test_robotparser")
        total, result = run_suite(module, {})
    failed = set(result.failed)
    print(f"CPython test_robotparser: {total} run, {len(result.passed)} passed, "
          f"{len(failed)} failed, {len(result.skipped_names)} skipped")
    unexpected = failed - DELIBERATE.keys()
    fixed = DELIBERATE.keys() - failed
    assert not unexpected, "unexpected failures:\n" + "\n".join(
        result.failed[name] for name in sorted(unexpected))
    assert not fixed, f"listed as deliberate differences but passing: {sorted(fixed)}"
    assert len(result.passed) >= 50


def test_docstring_lists_the_same_differences() -> None:
    doc = tether.robots.__doc__ or ""
    for name in DELIBERATE:
        assert f"``{name}``" in doc, name
