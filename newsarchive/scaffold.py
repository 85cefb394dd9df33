"""`new`: start an article source, correctly named and in canonical form; never overwrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from . import fields
from .canonical import front_matter
from .config import SLUG_RE, load_config, term_key, url_slug
from .errors import ConfigError, ContentError, Problem, display_path
from .model import LOCATIONS, TOPICS
from .reader import MAX_SLUG_LENGTH, RESERVED_SLUGS, suggest

BODY_PLACEHOLDER = ("Write the report here in the archive's own words. Attribute every figure to who "
                    "gave it and when, and list the report's source in `sources` above.\n")


def make_slug(title: str, max_length: int = 60) -> str:
    """A URL slug from a title, cut at a word so it reads as the title's beginning."""
    slug = url_slug(title)
    if len(slug) > max_length:
        slug = slug[: max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[:max_length]
    return slug


def new_article(config_path: Path, overrides: dict, title: str, date: dt.date,
                locations: list[str], topics: list[str], slug: str | None = None) -> Path:
    """Write ``articles/YYYY/YYYY-MM-DD-slug.md`` and return its path."""
    config = load_config(config_path, overrides)
    problems = []
    try:
        title = fields.as_text(title)
    except fields.FieldError as exc:
        problems.append(Problem("TITLE", None, None, str(exc)))
    slug = slug or make_slug(title)
    if not SLUG_RE.fullmatch(slug) or len(slug) > MAX_SLUG_LENGTH or slug in RESERVED_SLUGS:
        problems.append(Problem("--slug", None, None, f"{slug!r} cannot be a slug; give --slug with lowercase letters, digits and hyphens"))
    names = {}
    for kind, given in ((LOCATIONS, locations), (TOPICS, topics)):
        lookup = config.spellings(kind)
        names[kind] = []
        for name in given:
            term = lookup.get(term_key(name))
            if term is None:
                problems.append(Problem(f"--{kind[:-1]}", None, None,
                                        f"unknown {kind[:-1]} {name!r}{suggest(name, config.terms(kind))}"))
            elif term.name not in names[kind]:
                names[kind].append(term.name)
    if problems:
        raise ConfigError(problems)
    path = config.paths.articles / f"{date.year:04d}" / f"{date.isoformat()}-{slug}.md"
    values = {"title": title, "date": date.isoformat(), "byline": config.site.author}
    values.update({kind: names[kind] for kind in (LOCATIONS, TOPICS) if names[kind]})
    text = front_matter(values) + BODY_PLACEHOLDER
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ContentError([Problem(display_path(path), None, None, "already exists; not overwritten")]) from None
    return path
