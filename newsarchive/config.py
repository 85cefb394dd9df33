"""site_config.yaml: declared once, validated with every problem collected and pointed at its line."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from slugify import slugify

from . import fields
from .errors import ConfigError, Problem, display_path
from .model import LOCATIONS, TERM_KINDS, TOPICS, Term
from .yamlfile import YamlDocument, YamlError, load_yaml

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_CONFIG_BYTES = 2_000_000


@dataclass(frozen=True)
class SiteSettings:
    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    author: str
    page_size: int
    feed_size: int


@dataclass(frozen=True)
class Paths:
    articles: Path
    templates: Path
    output: Path
    cache: Path


@dataclass(frozen=True)
class SiteConfig:
    """The validated configuration; paths are absolute."""

    path: Path
    site: SiteSettings
    paths: Paths
    locations: tuple[Term, ...]
    topics: tuple[Term, ...]

    def terms(self, kind: str) -> tuple[Term, ...]:
        return self.locations if kind == LOCATIONS else self.topics

    def spellings(self, kind: str) -> dict[str, Term]:
        """Every spelling of every term of ``kind`` (slug, name, aliases), by term_key: every
        report's places and topics are looked up here."""
        return self._spellings[kind]

    @functools.cached_property
    def _spellings(self) -> dict[str, dict[str, Term]]:
        return {kind: {term_key(spelling): term for term in self.terms(kind)
                       for spelling in (term.slug, term.name, *term.aliases)} for kind in TERM_KINDS}

    @property
    def project_root(self) -> Path:
        return self.path.parent

    @property
    def content_key(self) -> str:
        """A hash of everything in the config that can change a page (not where files are)."""
        return hashlib.sha256(repr((self.site, self.locations, self.topics)).encode("utf-8")).hexdigest()


def _language(value: object) -> str:
    text = fields.as_text(value)
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", text):
        raise fields.FieldError(f"expected a language tag such as 'en' or 'en-GB', got {text!r}")
    return text


def _timezone(value: object) -> str:
    text = fields.as_text(value)
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise fields.FieldError(f"unknown time zone {text!r}; use a name such as 'UTC' or 'Europe/Kyiv'") from None
    return text


def _base_url(value: object) -> str:
    text = fields.as_url(value)
    if not text.endswith("/"):
        raise fields.FieldError(f'must end with "/" (got {text!r})')
    return text


def _coordinates(value: object) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise fields.FieldError("expected [latitude, longitude] as two numbers")
    lat, lon = float(value[0]), float(value[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise fields.FieldError(f"[{lat}, {lon}] is not a latitude between -90 and 90 and a longitude between -180 and 180")
    return (lat, lon)


def _text_list(value: object) -> tuple[str, ...]:
    return tuple(fields.as_text(item) for item in fields.as_list(value))


# Each section: key -> (converter, default). A default of REQUIRED means the key must be given.
REQUIRED = fields.REQUIRED
Converter = Callable[[object], object]

SITE_KEYS: dict[str, tuple[Converter, object]] = {
    "title": (fields.as_text, REQUIRED),
    "description": (fields.as_text, ""),
    "base_url": (_base_url, REQUIRED),
    "language": (_language, "en"),
    "timezone": (_timezone, "UTC"),
    "author": (fields.as_text, None),
    "page_size": (fields.as_positive_int, 20),
    "feed_size": (fields.as_positive_int, 20),
}
PATH_KEYS: dict[str, tuple[Converter, object]] = {
    "articles": (fields.as_text, "articles"),
    "templates": (fields.as_text, "templates"),
    "output": (fields.as_text, "_site"),
    "cache": (fields.as_text, ".newsarchive-cache"),
}
TERM_KEYS: dict[str, dict[str, tuple[Converter, object]]] = {
    LOCATIONS: {
        "name": (fields.as_text, REQUIRED),
        "aliases": (_text_list, ()),
        "description": (fields.as_text, ""),
        "region": (fields.as_text, ""),
        "country": (fields.as_text, ""),
        "coordinates": (_coordinates, None),
    },
    TOPICS: {
        "name": (fields.as_text, REQUIRED),
        "aliases": (_text_list, ()),
        "description": (fields.as_text, ""),
    },
}
TOP_KEYS = ("site", "paths", LOCATIONS, TOPICS)


def load_config(path: Path, overrides: dict[str, str] | None = None) -> SiteConfig:
    """Read and validate the config at ``path``; ``overrides`` replace entries of ``paths``."""
    path = Path(path).absolute()
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([Problem(shown, None, None, f"cannot read the config: {exc.strerror}")]) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError([Problem(shown, None, None, "the config is too large")])
    try:
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        control = fields.find_control_character(text)
        if control:
            raise YamlError(control[0], fields.control_character_message(control[2], control[1]))
        doc = load_yaml(text)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem(shown, line, None, "not valid UTF-8")]) from None
    except YamlError as exc:
        raise ConfigError([Problem(shown, exc.line, None, exc.message)]) from None
    return _ConfigValidator(path, shown, doc).validate(overrides or {})


class _ConfigValidator(fields.SchemaChecker):
    noun = "key"

    def __init__(self, path: Path, shown: str, doc: YamlDocument):
        self.path, self.shown, self.doc = path, shown, doc
        self.problems: list[Problem] = []

    def problem(self, keypath: tuple, message: str) -> None:
        name = ".".join(str(k) for k in keypath) or None
        self.problems.append(Problem(self.shown, self.doc.line(keypath), name, message))

    def mapping(self, value: object, keypath: tuple) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(keypath, f"expected a mapping of keys, got {fields.describe(value)}")
            return {}
        return value

    def validate(self, overrides: dict[str, str]) -> SiteConfig:
        top = self.mapping(self.doc.data, ())
        for key in top:
            if key not in TOP_KEYS:
                self.problem((key,), fields.unknown_key_message(key, TOP_KEYS, "key"))
        site = self.section(self.mapping(top.get("site"), ("site",)), ("site",), SITE_KEYS)
        if "site" not in top:
            self.problem(("site",), "is required")
        site["author"] = site["author"] or site["title"]
        paths = self.section(self.mapping(top.get("paths"), ("paths",)), ("paths",), PATH_KEYS)
        given = {k: v for k, v in overrides.items() if v is not None}
        paths.update(given)
        # The output itself is not resolved: it is a link the builder repoints (see writer.py).
        resolved = Paths(**{k: _absolute(self.path.parent / v, resolve_last=k != "output") for k, v in paths.items()})
        self.check_output(resolved, from_command_line="output" in given)
        terms = {kind: self.terms(kind, self.mapping(top.get(kind), (kind,))) for kind in TERM_KINDS}
        if self.problems:
            raise ConfigError(self.problems)
        return SiteConfig(self.path, SiteSettings(**site), resolved, terms[LOCATIONS], terms[TOPICS])

    def terms(self, kind: str, entries: dict) -> tuple[Term, ...]:
        result = []
        for slug, value in entries.items():
            keypath = (kind, slug)
            if not SLUG_RE.fullmatch(slug):
                self.problem(keypath, "a key is a slug: lowercase ASCII letters, digits and single hyphens")
            values = self.section(self.mapping(value, keypath), keypath, TERM_KEYS[kind])
            if values["name"] is not None:
                result.append(Term(kind=kind, slug=slug, **values))
        self.check_term_collisions(kind, result)
        return tuple(sorted(result, key=lambda t: t.slug))

    def check_term_collisions(self, kind: str, terms: list[Term]) -> None:
        """Every slug, name and alias must lead to exactly one term, ignoring case and Unicode form."""
        owner: dict[str, Term] = {}
        before = len(self.problems)
        for term in terms:
            spellings = [((kind, term.slug), term.slug), ((kind, term.slug, "name"), term.name)]
            spellings += [((kind, term.slug, "aliases", i), alias) for i, alias in enumerate(term.aliases)]
            for keypath, spelling in spellings:
                other = owner.setdefault(term_key(spelling), term)
                if other is not term:
                    self.problem(keypath, f"{spelling!r} also names {kind}.{other.slug}; each spelling must name one term")
        if len(self.problems) == before:  # a shared spelling would also share its address: say it once
            self.check_alias_addresses(kind, terms)

    def check_alias_addresses(self, kind: str, terms: list[Term]) -> None:
        """Each alias redirects from its slug's address, so no two terms may claim one address."""
        address_owner = {term.slug: term for term in terms}
        for term in terms:
            for slug in alias_slugs(term):
                other = address_owner.setdefault(slug, term)
                if other is not term:
                    self.problem((kind, term.slug, "aliases"), f"an alias of {term.slug} would redirect /{kind}/{slug}/, "
                                                               f"which is {kind}.{other.slug}'s; change one of them")

    def check_output(self, paths: Paths, from_command_line: bool) -> None:
        """Refuse an output folder whose replacement could destroy sources or unrelated files."""
        out = paths.output.parent.resolve() / paths.output.name if paths.output.name else paths.output
        problems = []
        if out in {Path(out.anchor), Path.home().resolve(), self.path.parent.resolve()}:
            problems.append(f"refusing to build into {out}: it is the project, home or root folder")
        else:
            for name in ("articles", "templates", "cache"):
                source = getattr(paths, name)
                if out == source or out.is_relative_to(source) or source.is_relative_to(out):
                    problems.append(f"the output folder overlaps paths.{name} ({display_path(source)})")
        for message in problems:
            if from_command_line:
                self.problems.append(Problem("--output", None, None, message))
            else:
                self.problem(("paths", "output"), message)


def _absolute(path: Path, resolve_last: bool) -> Path:
    """An absolute, normalised path; symbolic links resolved, except in the last part if not ``resolve_last``."""
    path = Path(os.path.abspath(path))
    return path.resolve() if resolve_last or not path.name else path.parent.resolve() / path.name


# How python-slugify turns letters outside ASCII into ASCII. Slugs are addresses, which must not
# change with what else is installed: by default it prefers Unidecode where that is installed (its
# documentation says to pin a backend for identifiers that persist), and each slug of a non-ASCII
# name first tried to import it, failing, which was a third of loading a config with 40 places.
TRANSLITERATION = "text-unidecode"


def url_slug(text: str) -> str:
    """The URL slug python-slugify makes of ``text``: 'Makiïvka's school' -> 'makiivka-s-school'."""
    return slugify(text, backend=TRANSLITERATION)


@functools.cache
def alias_slugs(term: Term) -> tuple[str, ...]:
    """The slugs of a term's aliases other than its own: each an address that redirects to the term's page.

    Remembered: the config's check and the redirect pages both ask, and slugify is slow.
    """
    slugs = (url_slug(alias) for alias in (term.name, *term.aliases))
    return tuple(sorted({slug for slug in slugs if slug != term.slug and SLUG_RE.fullmatch(slug)}))


def term_key(spelling: str) -> str:
    """How a term spelling is compared: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", spelling).casefold().split())
