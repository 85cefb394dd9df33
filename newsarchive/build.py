"""The build, read as a spec: load, read, index, plan, render, write."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig, load_config
from .indexes import index_site
from .model import Article
from .reader import read_articles
from .render import make_environment, plan_pages, render_pages, static_files
from .writer import Output, WriteReport, publish


@dataclass(frozen=True)
class BuildReport:
    articles: int
    drafts: int
    pages: int
    write: WriteReport
    seconds: float


def check(config_path: Path, overrides: dict | None = None) -> tuple[SiteConfig, list[Article]]:
    """Validate the config and every article; raise BuildError listing every problem."""
    config = load_config(config_path, overrides)
    return config, read_articles(config)


def build(config_path: Path, overrides: dict | None = None, force: bool = False, clean: bool = False) -> BuildReport:
    """Build the whole site into the configured output folder."""
    started = time.perf_counter()
    # Every source is read and validated before anything is written, so a bad article changes nothing.
    config, articles = check(config_path, overrides)
    published = [a for a in articles if not a.draft]
    index = index_site(published, config)
    env = make_environment(config.paths.templates, config, index)
    pages = plan_pages(index, config)
    # Pages stream from the renderer to the staging folder; the old site stays until all are written.
    files = itertools.chain(render_pages(pages, env), static_files(config.paths.templates))
    outputs = (Output(relpath, hashlib.sha256(data).hexdigest(), data) for relpath, data in files)
    written = publish(outputs, config.paths.output, adopt=force, fresh=clean)
    return BuildReport(len(published), len(articles) - len(published), len(pages), written,
                       time.perf_counter() - started)
