"""Dates and front matter as other tools write them: a post moved from Hugo, Jekyll or Pelican builds as it is."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from welcome_gen.errors import ProjectError
from welcome_gen.project import load_project
from welcome_gen.site.build import build

from helpers import write

TODAY = date(2004, 2, 1)
CONFIG = """\
site:
  title: Old Blog
  url: https://blog.example.net/
  timezone: Australia/Sydney
  language: en-AU  # dates as Australians write them: 6 January 2004
  per_page: 10
  signup:
    action: https://tiny.us1.list-manage.com/subscribe/post?u=abc&id=def
business: {name: Old Blog, postal_address: "1 Road, Town", reply_to: hi@blog.example.net}
"""
HUGO = """---
title: "Dovetails, at last"
date: 2004-01-05T23:04:00Z
lastmod: 2004-01-07T10:00:00Z
draft: false
slug: dovetails
description: Cutting them by hand.
tags: ["Hand Tools", "Joinery"]
categories: [workshop]
aliases: [/posts/2004/01/dovetails/, /old-dovetails.html]
author: Tom
---
Cut the tails first.
"""
JEKYLL = """---
layout: post
title: Morning glue-up
date: 2004-01-05 08:15
categories: workshop
excerpt: Glue, clamps, patience.
redirect_from: /2004/01/05/morning-glue-up.html
---
Dry-fit first.
"""
PELICAN = """---
Title: Evening oiling
Date: 2004-01-05 18:30
Tags: finishing, oil
Status: published
Summary: Three coats.
---
Thin coats.
"""
PLAIN = "---\ntitle: Planing day\ndate: 2004-01-04\n---\nFlat, then square.\n"
OFFSET = "---\ntitle: Far away\ndate: 2004-01-05T23:04:00+10:00\n---\nFrom Brisbane.\n"
UNPUBLISHED = "---\ntitle: Not yet\ndate: 2004-01-06\npublished: false\n---\nLater.\n"


def blog(root: Path, **extra: str) -> Path:
    files = {"welcome.yaml": CONFIG, "content/newsletter/hugo-post.md": HUGO,
             "content/newsletter/jekyll-post.md": JEKYLL, "content/newsletter/pelican-post.md": PELICAN,
             "content/newsletter/plain.md": PLAIN, "content/newsletter/offset.md": OFFSET,
             "content/newsletter/unpublished.md": UNPUBLISHED}
    return write(root, {**files, **extra})


def test_posts_from_other_tools_build_without_edits(tmp_path):
    out = tmp_path / "out"
    result = build(load_project(blog(tmp_path / "blog")), out, today=TODAY)
    assert not [p for p in result.warnings if p.is_error]
    assert (out / "newsletter/dovetails/index.html").is_file()  # Hugo's slug
    assert (out / "tags/hand-tools/index.html").is_file() and (out / "tags/finishing/index.html").is_file()
    assert not (out / "newsletter/unpublished").exists()  # Jekyll's `published: false` is a draft
    page = (out / "newsletter/dovetails/index.html").read_text()
    assert "Cutting them by hand." in page and "6 January 2004" in page  # 23:04 UTC is the 6th in Sydney


def test_times_order_the_day_and_reach_the_feed_in_the_sites_timezone(tmp_path):
    out = tmp_path / "out"
    build(load_project(blog(tmp_path / "blog")), out, today=TODAY)
    feed = (out / "feed.xml").read_text()
    titles = re.findall(r"<entry>\s*<title>([^<]+)</title>", feed)
    # Newest first: 23:04 UTC (10:04 on the 6th in Sydney), then the 5th in Sydney at 18:30, 08:15, then the
    # one written for Brisbane (23:04 +10:00 is 00:04 on the 6th in Sydney: after the evening), then the 4th.
    assert titles == ["Dovetails, at last", "Far away", "Evening oiling", "Morning glue-up", "Planing day"]
    assert "<published>2004-01-05T23:04:00+00:00</published>" in feed
    assert "<published>2004-01-05T18:30:00+11:00</published>" in feed  # a time without a zone is the site's
    assert "<published>2004-01-04T00:00:00+11:00</published>" in feed  # a date alone: the site's midnight
    archive = (out / "newsletter/index.html").read_text()
    assert archive.index("Evening oiling") < archive.index("Morning glue-up")


def test_aliases_redirect_to_where_the_issue_lives_now(tmp_path):
    out = tmp_path / "out"
    build(load_project(blog(tmp_path / "blog")), out, today=TODAY)
    old = (out / "posts/2004/01/dovetails/index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../../../../newsletter/dovetails/">' in old
    assert '<link rel="canonical" href="https://blog.example.net/newsletter/dovetails/">' in old
    assert "newsletter/dovetails/" in (out / "old-dovetails.html").read_text()
    assert "newsletter/jekyll-post/" in (out / "2004/01/05/morning-glue-up.html").read_text()
    assert "posts/2004" not in (out / "sitemap.xml").read_text()


@pytest.mark.parametrize("front, says", [
    ("date: soon", "content/newsletter/bad.md:3: date: 'soon' is not a date: write YYYY-MM-DD"),
    ("date: 2004-01-05\naliases: [/newsletter/]", "content/newsletter/bad.md:4: alias '/newsletter/' is already"),
    ("date: 2004-01-05\naliases: [../up/]", "content/newsletter/bad.md:4: alias '../up/' is no address on this site"),
])
def test_a_bad_date_or_alias_is_named_at_its_line(tmp_path, front, says):
    root = blog(tmp_path / "blog", **{"content/newsletter/bad.md": f"---\ntitle: Bad\n{front}\n---\nBody.\n"})
    with pytest.raises(ProjectError) as caught:
        build(load_project(root), tmp_path / "out", today=TODAY)
    assert any(str(p).startswith(says) for p in caught.value.problems), [str(p) for p in caught.value.problems]
