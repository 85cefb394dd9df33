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
