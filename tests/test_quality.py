"""Quality gates run by real tools on the built site: axe-core (accessibility),
the Nu HTML Checker (valid HTML) and linkchecker (no broken internal link).
Each gate is also shown to fail on a fault planted in a copy of the site.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import (
    COLLECTIONS,
    PHONE,
    axe,
    describe_axe,
    describe_vnu,
    linkchecker,
    open_search,
    plant,
    record_page,
    serve,
    site_page,
    theme_fault,
    vnu,
)

from macros.publish import check_links

pytestmark = pytest.mark.quality

# --- Accessibility ------------------------------------------------------------------

PAGE_TYPES = {
    "home": "index.html",
    "timeline": "timeline.html",
    "proposals": "proposals.html",
    "treaties": "treaties.html",
    "actors": "actors.html",
    "sources": "sources.html",
    "tags": "tags.html",
    "downloads": "downloads.html",
    "methodology": "methodology.html",
    "writing": "writing.html",
    "quality": "quality.html",
    "limits": "limits.html",
    "contributing": "contributing.html",
    "engines": "engines.html",
    "an episode": "episodes",
    "a treaty": "treaties",
    "an actor": "actors",
    "a source": "sources",
}


def page_path(site: Path, kind: str) -> str:
    path = PAGE_TYPES[kind]
    return record_page(site, path) if path in COLLECTIONS else path


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_axe_finds_no_violation(browser, real_site, kind):
    with site_page(browser, "file://") as page:
        page.goto((real_site / page_path(real_site, kind)).as_uri())
        violations = axe(page)
        assert violations == [], describe_axe(violations)
        assert page.request_log.outside == []


def test_axe_finds_no_violation_with_the_search_open(browser, real_site):
    with site_page(browser, "file://") as page:
        page.goto((real_site / "index.html").as_uri())
        results = open_search(page, "Lavrov")
        results.nth(1).focus()  # a result in focus, as a keyboard reader has it
        violations = axe(page)
        assert violations == [], describe_axe(violations)


@pytest.mark.parametrize("kind", ["home", "an episode", "a treaty"])
def test_axe_finds_no_violation_on_a_phone(browser, real_site, kind):
    with site_page(browser, "file://", **PHONE) as page:
        page.goto((real_site / page_path(real_site, kind)).as_uri())
        assert axe(page) == []
        page.locator('label.md-header__button[for="__drawer"]').click()  # the menu drawer open
        page.locator(".md-sidebar--primary").wait_for()
        violations = axe(page)
        assert violations == [], describe_axe(violations)


# --- Valid HTML ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def vnu_errors(real_site, small_site):
    """The Nu HTML Checker's errors on both built sites (one run of Java)."""
    return vnu(real_site, small_site)


def test_the_nu_html_checker_finds_no_error(vnu_errors):
    errors = [message for message in vnu_errors if theme_fault(message) is None]
    assert errors == [], describe_vnu(errors)


def test_only_the_known_theme_fault_is_let_through(vnu_errors):
    # Each let-through message is on one of Material's two toggles, nothing else.
    for message in filter(theme_fault, vnu_errors):
        assert 'id="__drawer"' in message["extract"] or 'id="__search"' in message["extract"]


# --- Links ----------------------------------------------------------------------------------


def test_linkchecker_finds_no_broken_internal_link(real_site, tmp_path):
    with serve(real_site) as base:
        result = linkchecker(base + "index.html", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 errors found" in result.stdout and " 0 warnings found" in result.stdout, result.stdout


# --- Planted faults: each gate can fail ----------------------------------------------------


def test_a_planted_broken_link_fails_linkchecker(small_site, tmp_path):
    gone = '<p><a href="episodes/1999-no-such-episode.html">gone</a></p>'
    planted = plant(small_site, tmp_path, "timeline.html", gone)
    with serve(planted) as base:
        result = linkchecker(base + "index.html", tmp_path)
    assert result.returncode == 1
    assert "episodes/1999-no-such-episode.html" in result.stdout


def test_every_link_and_fragment_of_both_sites_resolves(real_site, small_site):
    assert check_links(real_site) == [] and check_links(small_site) == []


def test_a_planted_missing_fragment_fails_the_link_check(small_site, tmp_path):
    planted = plant(
        small_site,
        tmp_path,
        "timeline.html",
        '<p><a href="episodes/1999-no-such-episode.html">gone</a> <a href="treaties.html#no-such-row">row</a></p>',
    )
    broken = {(link.page, link.target) for link in check_links(planted)}
    assert broken == {
        ("timeline.html", "episodes/1999-no-such-episode.html"),
        ("timeline.html", "treaties.html#no-such-row"),
    }


def test_a_planted_image_without_alt_fails_axe_and_vnu(browser, small_site, tmp_path):
    planted = plant(small_site, tmp_path, "index.html", '<p><img src="assets/images/favicon.png"></p>')
    with site_page(browser, "file://") as page:
        page.goto((planted / "index.html").as_uri())
        assert [violation["id"] for violation in axe(page)] == ["image-alt"]
    errors = [message for message in vnu(planted / "index.html") if theme_fault(message) is None]
    assert len(errors) == 1 and "alt" in errors[0]["message"], describe_vnu(errors)


def test_a_planted_invalid_element_fails_vnu(small_site, tmp_path):
    planted = plant(small_site, tmp_path, "timeline.html", "<p><div>a block inside a paragraph</div></p>")
    errors = [message for message in vnu(planted / "timeline.html") if theme_fault(message) is None]
    assert errors, "vnu let an invalid page through"


def test_a_planted_autocomplete_on_another_checkbox_is_not_let_through(small_site, tmp_path):
    planted = plant(small_site, tmp_path, "index.html", '<p><input type="checkbox" id="x" autocomplete="off"></p>')
    errors = [message for message in vnu(planted / "index.html") if theme_fault(message) is None]
    assert any("autocomplete" in message["message"] for message in errors), describe_vnu(errors)


def test_a_planted_low_contrast_text_fails_axe(browser, small_site, tmp_path):
    planted = plant(small_site, tmp_path, "index.html", '<p style="color: #bbbbbb">faint words</p>')
    with site_page(browser, "file://") as page:
        page.goto((planted / "index.html").as_uri())
        assert "color-contrast" in [violation["id"] for violation in axe(page)]
