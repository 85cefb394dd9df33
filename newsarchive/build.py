"""The build, read as a spec: load, read, index, plan, render, publish."""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import routes
from .cache import CACHE_VERSION, BuildCache, digest
from .config import SiteConfig, load_config
from .errors import ContentError
from .indexes import index_site
from .parallel import IN_PROCESS, Prefetch, ProgressCallback, Workers
from .reader import Reading, find_sources, read_articles
from .render import make_environment, plan_pages, render_outputs, render_page, static_files
from .reuse import earlier_plan
from .urllock import check_lock, lock_path, write_lock
from .writer import Changes, Output, changes_between, files_of, publish, published_files, survey_copies


@dataclass(frozen=True)
class BuildReport:
    articles: int
    drafts: int
    pages: int
    changes: Changes
    dry_run: bool
    seconds: float


def check(config_path: Path, overrides: dict | None = None, workers: Workers = IN_PROCESS) -> tuple[SiteConfig, Reading]:
    """Validate the config and every article; raise BuildError listing every problem.

    Unchanged sources are taken from the build cache; nothing is written, the cache included. With a
    URL lock, an address the site would lose is a problem too.
    """
    config = load_config(config_path, overrides)
    # The sources are found ahead, as build() finds them.
    with Prefetch([functools.partial(find_sources, config.paths.articles, config.project_root)]) as ahead:
        cache = BuildCache.open(config.paths.cache, config.content_key, read_only=True)
        reading = read_articles(config, cache, workers, found=ahead.result(0))
    _check_lock(config, plan_pages(index_site(_published(reading), config), config, reading.words))
    return config, reading


def _published(reading: Reading) -> list:
    return [article for article in reading.articles if not article.draft]


def _check_lock(config: SiteConfig, pages: list) -> None:
    problems = check_lock(lock_path(config.project_root), pages)
    if problems:
        raise ContentError(problems)


@contextlib.contextmanager
def _fewer_collections():
    """Run Python's cycle collector a hundred times less often: by default it runs every 700 new
    objects, and a build makes millions that live until it ends and little cyclic garbage, so
    its visits were about a twentieth of a rebuild's time."""
    threshold = gc.get_threshold()
    gc.set_threshold(70_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


@_fewer_collections()
def build(config_path: Path, overrides: dict | None = None, force: bool = False, clean: bool = False,
          workers: Workers = IN_PROCESS, progress: ProgressCallback | None = None,
          dry_run: bool = False) -> BuildReport:
    """Build the site into the configured output, redoing only what changed since the last build.

    ``clean`` ignores the cache and the published files and writes everything anew; ``force``
    adopts an output folder the builder did not create; ``dry_run`` renders and reports what
    would change without touching the site (only bodies, stored by their hash, reach the cache).
    """
    started = time.perf_counter()
    config = load_config(config_path, overrides)
    # A stat of every source and of every folder of the site: a helper does those while the cache
    # loads and the site is planned (in a large archive's rebuild, they were a fifth of the time).
    with Prefetch([functools.partial(find_sources, config.paths.articles, config.project_root),
                   functools.partial(survey_copies, config.paths.output)]) as ahead, \
            contextlib.closing(BuildCache.open(config.paths.cache, config.content_key, fresh=clean)) as cache:
        cache.keep_rendered = not dry_run
        # Every source is read and validated before anything is written, so a bad article changes nothing.
        reading = read_articles(config, cache, workers, progress, found=ahead.result(0))
        published = _published(reading)
        earlier_related = cache.related
        index = index_site(published, config, earlier_related)
        cache.remember_related(index.related_memo)
        env = make_environment(config.paths.templates, config, index, cache.load_body, cache.compiled_templates)
        on_site = published_files(config.paths.output)
        earlier = earlier_plan(index, earlier_related, env, cache, {} if clean else on_site,
                               fingerprint_base=f"{CACHE_VERSION}\0{config.content_key}")
        pages = plan_pages(index, config, reading.words, earlier)
        _check_lock(config, pages)
        outputs = itertools.chain(render_outputs(pages, earlier, _listings(index), env, cache, workers, progress),
            _static_outputs(config))
        if dry_run:
            changes = changes_between(on_site, files_of(outputs))
        else:
            # Pages are rendered as the writer takes them; readers keep the old site until all are written.
            changes = publish(outputs, config.paths.output,
                              _page_maker(lambda: plan_pages(index, config, reading.words), env),
                              adopt=force, fresh=clean, survey=ahead.result(1))
            cache.save()
            write_lock(lock_path(config.project_root), pages)
    return BuildReport(len(published), len(reading.articles) - len(published), len(pages), changes, dry_run,
                       time.perf_counter() - started)


def _static_outputs(config: SiteConfig) -> Iterator[Output]:
    for relpath, data in static_files(config.paths.templates):
        yield Output(relpath, digest(data), data)


def _listings(index) -> list:
    return [listing for group in (*index.periods.values(), *index.terms.values()) for listing in group]


def _page_maker(plan: Callable[[], list], env) -> Callable[[str], bytes]:
    """Renders, on demand, a page the writer found missing from every copy of the site (rarely: so
    every page is planned, and looked up by path, only then)."""
    pages = functools.cache(plan)

    def make(relpath: str) -> bytes:
        return render_page(next(page for page in pages() if routes.output_path(page.url) == relpath), env)
    return make
