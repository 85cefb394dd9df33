"""The build, read as a spec: load, read, index, plan, render, publish."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import routes
from .cache import CACHE_VERSION, BuildCache, digest
from .config import SiteConfig, load_config
from .indexes import index_site
from .parallel import IN_PROCESS, ProgressCallback, Workers
from .reader import Reading, read_articles
from .render import make_environment, plan_pages, render_outputs, render_page, static_files
from .writer import Changes, Output, changes_between, publish, published_files


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

    Unchanged sources are taken from the build cache; nothing is written, the cache included.
    """
    config = load_config(config_path, overrides)
    return config, read_articles(config, BuildCache.open(config.paths.cache, config.content_key, read_only=True), workers)


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
    cache = BuildCache.open(config.paths.cache, config.content_key, fresh=clean)
    # Every source is read and validated before anything is written, so a bad article changes nothing.
    reading = read_articles(config, cache, workers, progress)
    published = [a for a in reading.articles if not a.draft]
    index = index_site(published, config)
    env = make_environment(config.paths.templates, config, index, cache.load_body)
    pages = plan_pages(index, config, reading.words)
    on_site = published_files(config.paths.output)
    outputs = itertools.chain(
        render_outputs(pages, env, cache, {} if clean else on_site, workers,
                       fingerprint_base=f"{CACHE_VERSION}\0{config.content_key}", progress=progress),
        _static_outputs(config))
    if dry_run:
        changes = changes_between(on_site, {output.relpath: output.digest for output in outputs})
    else:
        # Pages are rendered as the writer takes them; readers keep the old site until all are written.
        changes = publish(outputs, config.paths.output, _page_maker(pages, env), adopt=force, fresh=clean)
        cache.save()
    return BuildReport(len(published), len(reading.articles) - len(published), len(pages), changes, dry_run,
                       time.perf_counter() - started)


def _static_outputs(config: SiteConfig) -> Iterator[Output]:
    for relpath, data in static_files(config.paths.templates):
        yield Output(relpath, digest(data), data)


def _page_maker(pages: list, env) -> Callable[[str], bytes]:
    """Renders, on demand, a page the writer found missing from every copy of the site."""
    by_path = {routes.output_path(page.url): page for page in pages}
    return lambda relpath: render_page(by_path[relpath], env)
