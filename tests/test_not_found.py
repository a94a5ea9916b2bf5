"""404.html keeps the site's look when opened from disk, from a local build and from a published one."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SMALL, mkdocs_build
from sitetools import serve, site_page

pytestmark = pytest.mark.browser

INDIGO = "rgb(64, 81, 181)"  # Material's indigo header: its stylesheets were applied


@pytest.fixture(scope="module")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("published") / "site"
    result = mkdocs_build(SMALL, site, CHRONICLE_SITE_URL="https://example.github.io/chronicle/")
    assert result.returncode == 0, result.stderr
    return site


def looks(page) -> dict[str, str]:
    return page.evaluate(
        """() => ({
            header: getComputedStyle(document.querySelector('.md-header')).backgroundColor,
            heading: document.querySelector('article h1').textContent.trim(),
            font: getComputedStyle(document.body).fontFamily,
        })"""
    )


def test_404_of_a_local_build_is_styled_from_disk_and_its_links_work(browser, small_site):
    with site_page(browser, "file://") as page:
        failed = []
        # Material probes sitemap.xml beside each <link rel="alternate"> (for its language switcher),
        # whenever its script gets to it: from disk the probe cannot load, and changes nothing.
        page.on(
            "requestfailed",
            lambda request: request.url.endswith("/sitemap.xml") or failed.append(request.url),
        )
        page.goto((small_site / "404.html").as_uri())
        assert looks(page)["header"] == INDIGO
        assert "Times" not in looks(page)["font"] and looks(page)["heading"] == "404 - Not found"
        assert failed == [] and page.request_log.outside == [] and page.errors == []
        page.locator(".md-tabs").get_by_role("link", name="Timeline", exact=True).click()
        page.wait_for_url((small_site / "timeline.html").as_uri())


def test_404_of_a_published_build_is_styled_from_disk_and_at_any_depth_over_http(browser, published_site, tmp_path):
    with site_page(browser, "file://") as page:
        page.goto((published_site / "404.html").as_uri())
        assert looks(page)["header"] == INDIGO
        assert page.request_log.outside == [] and page.errors == []
    # Published at /chronicle/, as on GitHub Pages, which sends 404.html for an unknown address at any depth.
    (tmp_path / "chronicle").symlink_to(published_site, target_is_directory=True)
    html = (published_site / "404.html").read_text(encoding="utf-8")
    with serve(tmp_path) as base, site_page(browser, base) as page:
        unknown = base + "chronicle/episodes/no/such/page.html"
        page.route(unknown, lambda route: route.fulfill(status=404, body=html, content_type="text/html"))
        page.goto(unknown)
        assert looks(page)["header"] == INDIGO
        page.locator(".md-tabs").get_by_role("link", name="Timeline", exact=True).click()
        page.wait_for_url(base + "chronicle/timeline.html")
        assert page.request_log.outside == []
