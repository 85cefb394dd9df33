"""Shared helpers for the test suite: fixture projects, tree hashes, HTML link checks."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
BUILD_SCRIPT = REPO / "build_site.py"

BASE_URL = "https://example.org/archive/"

# A minimal config. Line numbers matter to some tests: keep its layout stable.
CONFIG = """\
site:
  title: Test archive
  description: A small archive for the tests.
  base_url: https://example.org/archive/
  language: en
  timezone: Europe/Kyiv
  page_size: 2
  feed_size: 10
locations:
  makiivka:
    name: Makiivka
    aliases: [Makeevka, Makiyivka]
    region: Donetsk Oblast
    country: Ukraine
    description: City in Donetsk Oblast.
  samara:
    name: Samara
    region: Samara Oblast
    country: Russia
  tolyatti:
    name: Tolyatti
    aliases: [Togliatti]
    region: Samara Oblast
    country: Russia
topics:
  strike:
    name: Strike
    description: The attack itself.
  casualties:
    name: Casualties
    aliases: [death toll]
  commemoration:
    name: Commemoration
    aliases: [memorials]
"""


ARTICLE_PATH = "articles/2023/2023-01-05-x.md"  # where a test's one source goes


def problems_of(make_project, run_cli, text, path: str = ARTICLE_PATH) -> list[str]:
    """Check a project holding one source at ``path``; the problem lines (exit 1, nothing on stdout)."""
    root = make_project({path: text})
    result = run_cli(root, "check")
    assert result.code == 1, result.err
    assert result.out == ""
    assert result.err.splitlines()[-1] == (
        f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} found; nothing was written")
    return result.problems


def md(front: str, body: str = "Body text.\n") -> str:
    """An article source: ``front`` (YAML lines) between '---' lines, then ``body``."""
    return "---\n" + front.strip("\n") + "\n---\n" + body


def write_project(root: Path, articles: dict | None = None, config: str = CONFIG) -> Path:
    """A project folder: config, a copy of the real templates, and ``articles`` {root-relative path: text|bytes}."""
    root.mkdir(parents=True, exist_ok=False)
    (root / "site_config.yaml").write_text(config, encoding="utf-8", newline="")
    shutil.copytree(TEMPLATES, root / "templates")
    (root / "articles").mkdir()
    for relpath, text in (articles or {}).items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
    return root


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (relative posix path) -> sha256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
            for p in sorted(folder.rglob("*")) if p.is_file()}


def page_url(relpath: str) -> str:
    """The site URL (relative to the root) that serves an output file."""
    if relpath == "index.html":
        return ""
    if relpath.endswith("/index.html"):
        return relpath[: -len("index.html")]
    return relpath


def resolve_link(page: str, href: str, base_url: str = BASE_URL) -> str | None:
    """The output file a link on ``page`` (a site URL) points to.

    None for a bare #fragment and for absolute links to other sites; a relative link that climbs
    out of the site resolves to a string starting with "!" so that it never matches a file.
    """
    href, _ = urldefrag(href)
    if not href:
        return None
    target = urljoin(base_url + page, href)
    if urlsplit(href).scheme and not target.startswith(base_url):
        return None  # an absolute link elsewhere (http, https, mailto)
    if not target.startswith(base_url):
        return "!" + target
    rel = target[len(base_url):]
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def read_project(root: Path):
    """(config, cache, reading) for a project folder, as a build reads it (the cache in the project)."""
    from newsarchive.cache import BuildCache
    from newsarchive.config import load_config
    from newsarchive.reader import read_articles
    config = load_config(root / "site_config.yaml")
    cache = BuildCache.open(config.paths.cache, config.content_key)
    return config, cache, read_articles(config, cache)


def plan_project(root: Path, with_drafts: bool = False):
    """(config, index, pages, env) for a project folder: everything a build makes before rendering."""
    from newsarchive.indexes import index_site
    from newsarchive.render import make_environment, plan_pages
    config, cache, reading = read_project(root)
    articles = [a for a in reading.articles if with_drafts or not a.draft]
    index = index_site(articles, config)
    return (config, index, plan_pages(index, config, reading.words),
            make_environment(config.paths.templates, config, index, cache.load_body))


def article(slug="a", day="2023-01-03", title="T", **fields):
    """An Article for tests that need no source file; its body is "<p>x</p>" unless ``body_digest`` says."""
    import datetime as dt
    from newsarchive.model import Article
    values = dict(source_path=f"articles/{day[:4]}/{day}-{slug}.md", slug=slug, day=dt.date.fromisoformat(day),
                  moment=None, title=title, summary="", byline="", locations=(), topics=(), sources=(), updated=None,
                  corrections=(), claims=(), date_note="", draft=False, body_digest=BODY_DIGEST, metadata_digest=f"metadata-of-{slug}")
    values.update(fields)
    return Article(**values)


BODY_HTML = "<p>x</p>"
BODY_DIGEST = hashlib.sha256(BODY_HTML.encode()).hexdigest()


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_entries(site: Path, base_url: str = BASE_URL) -> dict[str, str | None]:
    """Every address the site's sitemap lists (following sitemap.xml, an index, to its parts) -> lastmod."""
    import xml.etree.ElementTree as ET
    index = ET.fromstring((site / "sitemap.xml").read_bytes())
    assert index.tag == SITEMAP_NS + "sitemapindex"
    entries = {}
    for loc in index.iter(SITEMAP_NS + "loc"):
        assert loc.text.startswith(base_url), loc.text
        part = ET.fromstring((site / loc.text.removeprefix(base_url)).read_bytes())
        for url in part.iter(SITEMAP_NS + "url"):
            address = url.findtext(SITEMAP_NS + "loc")
            assert address not in entries, address
            entries[address] = url.findtext(SITEMAP_NS + "lastmod")
    return entries
