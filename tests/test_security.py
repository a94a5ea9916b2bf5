"""Every page carries a Content-Security-Policy that lets only the site's own scripts run
(the theme's inline scripts by their hash), and a referrer policy; links out tell nothing."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from sitetools import open_search, plant, serve, site_page

from macros.publish import script_hashes, with_security_headers

POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">')


def test_a_policy_lists_the_hash_of_every_inline_script_and_no_data_block():
    page = (
        "<html><head><title>t</title></head><body>"
        "<script>var a = 1;</script><script src='x.js'></script>"
        '<script type="application/json">{"a": 1}</script>'
        '<script type="application/ld+json">{"@type": "Event"}</script></body></html>'
    )
    secured = with_security_headers(page)
    policy = POLICY.search(secured)[1]
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(b"var a = 1;").digest()).decode() + "'"
    assert script_hashes(page) == [expected]
    assert f"script-src 'self' file: {expected};" in policy
    assert "object-src 'none'" in policy and "default-src 'self' file:" in policy
    assert '<meta name="referrer" content="no-referrer">' in secured
    assert secured.index("Content-Security-Policy") < secured.index("<title>")


def test_every_page_of_the_site_carries_a_policy_covering_its_inline_scripts(real_site: Path):
    pages = sorted(real_site.rglob("*.html"))
    assert pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        policy = POLICY.search(html)
        assert policy, f"{path.relative_to(real_site)} has no Content-Security-Policy"
        for source in script_hashes(html):
            assert source in policy[1], f"{path.relative_to(real_site)}: inline script {source} not allowed"
        assert '<meta name="referrer" content="no-referrer">' in html


def test_links_out_of_the_site_open_no_window_handle_and_send_no_referrer(real_site: Path):
    for path in sorted((real_site / "sources").glob("*.html")):
        for tag in re.findall(r'<a href="https?://[^"]*"[^>]*>', path.read_text(encoding="utf-8")):
            assert 'rel="noopener noreferrer"' in tag or "nofollow" in tag, (path.name, tag)


@pytest.mark.parametrize("where", ["disk", "http"])
def test_the_policy_refuses_nothing_of_the_site_and_search_works(browser, real_site, where):
    with serve(real_site) as base:
        start = (real_site / "index.html").as_uri() if where == "disk" else base + "index.html"
        with site_page(browser, "file://" if where == "disk" else base) as page:
            page.goto(start)
            results = open_search(page, "Lavrov")
            assert results.count() > 0
            page.goto(start.replace("index.html", "timeline.html"))
            assert page.csp_refusals == [] and page.errors == []


def test_a_planted_inline_script_is_refused(browser, small_site, tmp_path):
    planted = plant(small_site, tmp_path, "index.html", '<script>document.title = "planted ran"</script>')
    with site_page(browser, "file://") as page:
        page.goto((planted / "index.html").as_uri())
        assert page.title() != "planted ran"
        assert any("violates the following Content Security Policy" in message for message in page.csp_refusals)
