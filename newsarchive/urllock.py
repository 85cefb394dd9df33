"""The URL lock: a committed, sorted list of the site's addresses, so that none disappears unnoticed.

If ``urls.lock`` exists beside the config, every build and every check compares the addresses the
site would publish with it: an address in the lock that the site would no longer have, not even as
a redirect (a report's ``aliases``, a place's or topic's aliases), is an error. A successful build
then writes the lock anew, so new addresses join it and a reviewer sees them in the diff. To let an
address go on purpose, delete its line. Numbered pages of long listings (page/1/, ...) keep their
reports as reports are added, but go when reports are removed, and are not locked; nor are the
search indexes and the sitemaps under sitemaps/, files only the search page and the sitemap index read.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import routes
from .errors import Problem, display_path

LOCK_FILE = "urls.lock"
_PAGINATED = re.compile(r"(^|/)page/\d+/$")
_DATA = {"search-index.js", "sitemap.xml"}  # files read by the search page and by the sitemap index, not readers


def lock_path(project_root: Path) -> Path:
    return project_root / LOCK_FILE


def locked_addresses(pages) -> dict[str, str]:
    """The addresses to lock (every page, feed and redirect, but pagination, the not-found page, the
    search indexes and the sitemaps the sitemap index lists) -> the source they come from, relative to
    the project (as a report's source_path is), so the lock reads the same wherever the build is run."""
    return {"/" + page.url: page.source_path for page in pages
            if page.url != routes.NOT_FOUND and not _PAGINATED.search(page.url) and page.template not in _DATA}


def check_lock(path: Path, pages) -> list[Problem]:
    """Problems for every locked address the planned ``pages`` (redirects included) would lose."""
    if not path.exists():
        return []
    served = {"/" + page.url for page in pages}
    problems = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        address, _, source = line.partition(" ")
        if address and address not in served:
            origin = f" (from {source.strip()})" if source.strip() else ""
            problems.append(Problem(display_path(path), number, None,
                                    f"{address}{origin} would disappear; add it to the aliases of the report that "
                                    "replaces it, or delete this line if it should go"))
    return problems


def write_lock(path: Path, pages) -> None:
    """Rewrite the lock with the addresses of ``pages``, if it exists and they changed."""
    if not path.exists():
        return
    addresses = locked_addresses(pages)
    text = "".join(f"{address} {source}".rstrip() + "\n" for address, source in sorted(addresses.items()))
    if path.read_text("utf-8") != text:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text, "utf-8")
        temporary.replace(path)
