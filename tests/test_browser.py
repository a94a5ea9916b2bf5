"""The built folder opened from disk, in headless Chromium: browse and search, offline."""

from __future__ import annotations

import re

import pytest
from sitetools import open_search

pytestmark = pytest.mark.browser


def test_search_from_disk_finds_a_record_and_follows_it(small_site, offline_page):
    page = offline_page
    page.goto((small_site / "index.html").as_uri())
    results = open_search(page, "Vladivostok")
    results.first.click()
    page.wait_for_url(re.compile(r"episodes/2019-09-04-test-interview\.html"))
    assert page.locator("h1").inner_text().rstrip("¶") == "Lavrov gives an interview in Vladivostok"
    assert page.request_log.outside == []


def test_search_from_disk_finds_a_cyrillic_name(small_site, offline_page):
    page = offline_page
    page.goto((small_site / "index.html").as_uri())
    results = open_search(page, "Лавров")
    assert "Sergey Lavrov" in results.all_inner_texts()[0]
    assert page.request_log.outside == []


def test_pages_link_to_each_other_from_disk(small_site, offline_page):
    page = offline_page
    page.goto((small_site / "timeline.html").as_uri())
    page.get_by_role("link", name="Moscow proposes reaffirming the 1933 commitment").first.click()
    page.wait_for_url(re.compile(r"episodes/2018-06-test-proposal\.html$"))
    page.get_by_role("link", name="Test Agreement").first.click()
    page.wait_for_url(re.compile(r"treaties/test-treaty\.html$"))
    page.get_by_role("link", name="Russia").first.click()
    page.wait_for_url(re.compile(r"actors/russia\.html$"))
    assert page.locator("h1").inner_text().rstrip("¶") == "Russia"
    assert page.request_log.outside == []
