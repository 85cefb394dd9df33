"""Article sources to validated Article records, with every problem collected as path:line: field: message.

Source files live at ``articles/YYYY/YYYY-MM-DD-slug.md``. Files whose names start with ``.`` or
``_``, end with ``~``, or end with ``.swp``, ``.swo``, ``.tmp``, ``.bak`` or ``.orig`` are editor
or tool droppings and are ignored, as are files not ending in ``.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import frontmatter

from . import fields, routes
from .cache import BuildCache, CachedSource, digest
from .config import SLUG_RE, SiteConfig, term_key
from .errors import ContentError, Problem, display_path
from .markup import MarkdownRenderer, MarkupError, RenderedBody
from .model import LOCATIONS, MEASURES, TOPICS, Article, Claim, Correction, Source, Term
from .parallel import IN_PROCESS, ProgressCallback, Workers
from .search import words
from .yamlfile import YamlDocument, YamlError, load_yaml

FILE_NAME_RE = re.compile(r"(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)\.md")
IGNORED_SUFFIXES = ("~", ".swp", ".swo", ".tmp", ".bak", ".orig")
# Names the site uses itself, and device names that Windows cannot store as folders.
RESERVED_SLUGS = {"index", "page", "feed", "static", "con", "prn", "aux", "nul",
                  *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
MAX_SLUG_LENGTH = 80
MAX_FILE_BYTES = 1_000_000
# python-frontmatter's own boundary rule: a line of three or more dashes.
BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY

FIELDS = ("title", "date", "slug", "summary", "byline", "locations", "topics", "sources",
          "updated", "corrections", "claims", "draft", "date_note", "aliases")
ALIAS_RE = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*/)+")
SOURCE_FIELDS = {"name": (fields.as_text, fields.REQUIRED), "url": (fields.as_url, fields.REQUIRED),
                 "published": (fields.as_date, None), "republished": (fields.as_bool, False),
                 "note": (fields.as_text, "")}
CORRECTION_FIELDS = {"date": (fields.as_date, fields.REQUIRED), "text": (fields.as_text, fields.REQUIRED),
                     "serious": (fields.as_bool, False)}
CLAIM_FIELDS = {"claimant": (fields.as_text, fields.REQUIRED),
                "measure": (fields.one_of(MEASURES, "measure"), fields.REQUIRED),
                "figure": (fields.as_count, None), "low": (fields.as_count, None), "high": (fields.as_count, None),
                "stated": (fields.as_date, fields.REQUIRED), "note": (fields.as_text, ""),
                "subject": (fields.as_text, "")}


def is_ignored(name: str) -> bool:
    """Whether a file name is an editor dropping or not an article source."""
    return (name.startswith((".", "_", "#")) or name.endswith(IGNORED_SUFFIXES)
            or not name.endswith(".md"))


class SourceFile(NamedTuple):
    """An article source: its path, the path as messages show it, and the path that names it."""

    path: str
    shown: str  # relative to the working folder, as an editor would type it (see display_path)
    key: str  # relative to the project: the same wherever the build is run (see project_path)
    signature: tuple[int, ...]  # size, times and inode: see BuildCache.unchanged_source


def project_path(path: Path | str, project_root: Path) -> str:
    """``path`` relative to the project's folder, or absolute if outside it: what names a source in
    the cache, in the related-reports memo and in the URL lock, so that a build run from another
    folder (or given the config by another path) finds what the last one kept."""
    path, root = Path(os.path.abspath(path)), Path(os.path.abspath(project_root))
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def find_sources(articles_dir: Path, project_root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every article source below ``articles_dir``, sorted; links that leave the folder are problems."""
    root = articles_dir.resolve()
    if not root.is_dir():
        return [], [Problem(display_path(articles_dir), None, None, "the articles folder does not exist")]
    # Paths are made by joining, not by a display_path or project_path per file: thousands of relpaths are slow.
    shown_root, key_root = display_path(root), project_path(root, project_root.resolve())
    found, problems = [], []

    def walk(folder: str, shown_folder: str, key_folder: str) -> None:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            name, shown, key = entry.name, _joined(shown_folder, entry.name), _joined(key_folder, entry.name)
            if entry.is_dir(follow_symlinks=False):
                if not name.startswith((".", "_")):
                    walk(entry.path, shown, key)
            elif entry.is_symlink() and entry.is_dir():
                problems.append(Problem(shown, None, None, "symbolic links to folders are not followed; move the files here"))
            elif is_ignored(name):
                continue
            elif entry.is_symlink() and not Path(entry.path).resolve().is_relative_to(root):
                problems.append(Problem(shown, None, None,
                                        "symbolic link leads outside the articles folder; refusing to read it"))
            else:
                try:
                    stat = entry.stat()
                except OSError as exc:  # a link to a file that is not there
                    problems.append(Problem(shown, None, None, f"cannot read: {exc.strerror}"))
                    continue
                found.append(SourceFile(entry.path, shown, key,
                                        (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)))

    walk(str(root), shown_root, key_root)
    return found, problems


def _joined(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder != "." else name


@dataclass(frozen=True)
class SourceReading:
    """What reading one source gives: the article, or the problems that stop it, and its body."""

    article: Article | None
    problems: list[Problem]
    body: RenderedBody | None = None


@dataclass(frozen=True)
class Reading:
    """Every valid article, oldest first, and each one's searchable words by source path."""

    articles: list[Article]
    words: dict[str, str]


def read_articles(config: SiteConfig, cache: BuildCache, workers: Workers = IN_PROCESS,
                  progress: ProgressCallback | None = None,
                  found: tuple[list[SourceFile], list[Problem]] | None = None) -> Reading:
    """Read and validate every source, reusing the cached reading of unchanged ones.

    Raise ContentError listing every problem in every file. Sources are parsed by ``workers``
    (Markdown is most of a build's work); bodies go into the cache, words into the Reading.
    ``found`` is what find_sources gives, if it was called ahead.
    """
    sources, problems = found or find_sources(config.paths.articles, config.project_root)
    problems = list(problems)
    entries: dict[str, CachedSource] = {}
    unread = []
    for source in sources:
        cached = cache.unchanged_source(source.key, source.signature)
        if cached is not None:
            entries[source.key] = cached
        else:
            unread.append(source)
    global _READING
    _READING = (config, cache)  # what forked workers read with
    results = workers.map(_read_in_worker, unread)
    for done, (source, (entry, source_problems, same_bytes)) in enumerate(zip(unread, results), start=1):
        if progress:
            progress("reading reports", done, len(unread))
        problems += source_problems
        if same_bytes:  # touched or copied, not changed
            entries[source.key] = cache.remember_signature(source.key, source.signature)
        elif entry is not None:
            entries[source.key] = entry
            cache.remember_source(source.key, entry)
    cache.forget_sources_except({source.key for source in sources})
    articles = [entry.article for entry in entries.values()]
    problems += find_duplicate_urls(articles, {source.key: source.shown for source in sources})
    if problems:
        raise ContentError(problems)
    return Reading(sorted(articles, key=lambda a: a.chronological_key),
                   {key: entry.words for key, entry in entries.items()})


_READING: tuple[SiteConfig, BuildCache] | None = None


def _read_in_worker(source: SourceFile) -> tuple[CachedSource | None, list[Problem], bool]:
    """Read one source in a worker process and, unless its bytes are those cached, parse it.

    Its body goes straight to the store, not back through a pipe. Gives its reading or the
    problems found, and whether the bytes were the cached ones.
    """
    config, cache = _READING
    try:
        with open(source.path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        return None, [Problem(source.shown, None, None, f"cannot read: {exc.strerror}")], False
    source_digest = digest(raw)
    if cache.source(source.key, source_digest) is not None:
        return None, [], True
    reading = read_article(Path(source.path), raw, config, _renderer().render, source.shown, source.key)
    if reading.article is None:
        return None, reading.problems, False
    cache.bodies.save(reading.article.body_digest, reading.body.html.encode("utf-8"))
    return CachedSource(source_digest, source.signature, reading.article, searchable_words(reading)), [], False


@functools.cache
def _renderer() -> MarkdownRenderer:
    """One Markdown converter per process (it is reset after every body)."""
    return MarkdownRenderer()


def searchable_words(reading: SourceReading) -> str:
    """The distinct words of the title, summary and body, sorted, as the search index stores them."""
    article = reading.article
    return " ".join(sorted(set(words(" ".join((article.title, article.summary, reading.body.text))))))


def read_article(path: Path, raw: bytes, config: SiteConfig, render: Callable[[str], RenderedBody],
                 shown: str | None = None, key: str | None = None) -> SourceReading:
    """Parse one source file's bytes into an article, or the problems found; ``shown`` names it in
    messages, ``key`` (its project_path) in the article."""
    shown = shown or display_path(path)
    key = key or project_path(path, config.project_root)
    if len(raw) > MAX_FILE_BYTES:
        return SourceReading(None, [Problem(shown, None, None, f"file too large ({len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,})")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        return SourceReading(None, [Problem(shown, line, None, f"not valid UTF-8 (byte 0x{raw[exc.start]:02X}); save the file as UTF-8")])
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    control = fields.find_control_character(text)
    if control:
        line, column, character = control
        return SourceReading(None, [Problem(shown, line, None, fields.control_character_message(character, column))])
    try:
        doc, body, body_line = split_front_matter(text)
    except YamlError as exc:
        return SourceReading(None, [Problem(shown, exc.line, None, exc.message)])
    validator = _ArticleValidator(path, shown, key, doc, config)
    # The path is hashed with the front-matter: the digest then names the report wherever it is met.
    metadata = f"{key}\0{text[: len(text) - len(body)]}".encode("utf-8", "surrogatepass")
    article, rendered = validator.validate(body, body_line, render, digest(metadata))
    return SourceReading(None if validator.problems else article, validator.problems, rendered)


def split_front_matter(text: str) -> tuple[YamlDocument, str, int]:
    """The parsed front-matter, the body and the body's first line number."""
    if not text.strip():
        raise YamlError(1, "the file is empty")
    opening = BOUNDARY.search(text)
    if opening is None or text[: opening.start()].strip():
        raise YamlError(1, "the file must start with a front-matter block between '---' lines")
    closing = BOUNDARY.search(text, opening.end())
    if closing is None:
        raise YamlError(text.count("\n", 0, opening.start()) + 1, "the front-matter block opened here is never closed with '---'")
    yaml_text = text[opening.end(): closing.start()]
    first_line = text.count("\n", 0, opening.end()) + 1
    doc = load_yaml(yaml_text, first_line)
    if not isinstance(doc.data, dict):
        got = "nothing" if doc.data is None else fields.describe(doc.data)
        raise YamlError(text.count("\n", 0, opening.start()) + 1, f"the front-matter must be a mapping of fields, got {got}")
    body_start = closing.end() + 1
    return doc, text[body_start:], text.count("\n", 0, body_start) + 1


class _ArticleValidator(fields.SchemaChecker):
    """Checks one article's fields against the schema, collecting problems with their lines."""

    def __init__(self, path: Path, shown: str, key: str, doc: YamlDocument, config: SiteConfig):
        self.path, self.shown, self.key, self.doc, self.config = path, shown, key, doc, config
        self.problems: list[Problem] = []

    def problem(self, keypath: tuple, message: str, line: int | None = None) -> None:
        name = ".".join(str(k) for k in keypath) or None
        self.problems.append(Problem(self.shown, line or self.doc.line(keypath), name, message))

    def convert(self, keypath: tuple, convert, value: object):
        result = super().convert(keypath, convert, value)
        if isinstance(result, str) and keypath in self.doc.commented:
            self.problem(keypath, f"an unquoted ' #' starts a YAML comment, so the value was cut to {result!r}; "
                                  "quote the whole value")
        return result

    def optional(self, key: str, convert, default):
        value = self.doc.data.get(key)
        return default if value is None else self.convert((key,), convert, value)

    def validate(self, body: str, body_line: int, render: Callable[[str], RenderedBody],
                 metadata_digest: str) -> tuple[Article | None, RenderedBody | None]:
        data = self.doc.data
        for key in data:
            if key not in FIELDS:
                self.problem((key,), fields.unknown_key_message(key, FIELDS))
        for key in ("title", "date"):
            if data.get(key) is None:
                self.problem((key,), "is required", line=self.doc.line(()) if key not in data else None)
        title = self.optional("title", fields.as_text, None)
        moment = self.optional("date", fields.as_date_or_datetime, None)
        day = self.filing_day(moment)
        slug = self.slug(day)
        updated = self.optional("updated", fields.as_date, None)
        if updated and day and updated < day:
            self.problem(("updated",), f"{updated} is before the report's date {day}")
        rendered = None
        if not body.strip():
            self.problem((), "the body is empty; write the report below the front-matter", line=body_line)
        else:
            try:
                rendered = render(body)
            except MarkupError as exc:
                self.problem((), str(exc), line=body_line + exc.line - 1)
        article = Article(
            source_path=self.key,
            slug=slug or "",
            day=day or dt.date.min,
            moment=moment if isinstance(moment, dt.datetime) else None,
            title=title or "",
            summary=self.optional("summary", fields.as_text, ""),
            byline=self.optional("byline", fields.as_text, ""),
            locations=self.terms(LOCATIONS),
            topics=self.terms(TOPICS),
            sources=self.sources(),
            updated=updated,
            corrections=self.corrections(day),
            claims=self.claims(day, updated),
            date_note=self.optional("date_note", fields.as_text, ""),
            aliases=self.aliases(),
            draft=self.optional("draft", fields.as_bool, False),
            body_digest=digest(rendered.html.encode("utf-8")) if rendered else "",
            metadata_digest=metadata_digest,
        )
        return (None, None) if self.problems else (article, rendered)

    def filing_day(self, moment: dt.date | dt.datetime | None) -> dt.date | None:
        """The day a report is filed under: its date, or its date-time seen in the site's time zone."""
        if isinstance(moment, dt.datetime):
            day = moment.astimezone(zoneinfo.ZoneInfo(self.config.site.timezone)).date()
        else:
            day = moment
        match = FILE_NAME_RE.fullmatch(self.path.name)
        if match is None:
            self.problem((), "the file name must be YYYY-MM-DD-slug.md", line=1)
            return day
        year_folder = self.path.parent.name
        if year_folder != match["date"][:4]:
            self.problem((), f"the file belongs in the folder {match['date'][:4]}/ (it is in {year_folder!r})", line=1)
        if day is not None and match["date"] != day.isoformat():
            where = f" (in {self.config.site.timezone})" if isinstance(moment, dt.datetime) else ""
            self.problem(("date",), f"files the report on {day.isoformat()}{where} but the file name says {match['date']}; "
                                    "rename the file or correct the date")
        return day

    def slug(self, day: dt.date | None) -> str | None:
        match = FILE_NAME_RE.fullmatch(self.path.name)
        given = self.optional("slug", fields.as_text, None)
        slug = given or (match["slug"] if match else None)
        if slug is None:
            return None
        keypath = ("slug",) if given else ()
        if not SLUG_RE.fullmatch(slug):
            self.problem(keypath, f"the slug {slug!r} must be lowercase ASCII letters, digits and single hyphens", line=None if given else 1)
        elif len(slug) > MAX_SLUG_LENGTH:
            self.problem(keypath, f"the slug is longer than {MAX_SLUG_LENGTH} characters", line=None if given else 1)
        elif slug in RESERVED_SLUGS:
            self.problem(keypath, f"the slug {slug!r} is reserved; choose another", line=None if given else 1)
        return slug

    def terms(self, kind: str) -> tuple[str, ...]:
        """Resolve names, slugs or aliases to canonical term slugs, in the order given, without repeats."""
        value = self.doc.data.get(kind)
        if value is None:
            return ()
        items = self.convert((kind,), fields.as_list, value)
        if items is None:
            return ()
        lookup = self.config.spellings(kind)
        result = []
        for index, item in enumerate(items):
            name = self.convert((kind, index), fields.as_text, item)
            if name is None:
                continue
            term = lookup.get(term_key(name))
            if term is None:
                self.problem((kind, index), f"unknown {kind[:-1]} {name!r}{suggest(name, self.config.terms(kind))}; "
                                            f"add it to {kind} in site_config.yaml if it is new")
            elif term.slug not in result:
                result.append(term.slug)
        return tuple(result)

    def aliases(self) -> tuple[str, ...]:
        """Earlier addresses of the report, as site paths like 2023/01/03/old-slug/."""
        result = []
        for index, item in enumerate(self.optional("aliases", fields.as_list, []) or []):
            text = self.convert(("aliases", index), fields.as_text, item)
            if text is None:
                continue
            path = text.removeprefix("/")
            if not ALIAS_RE.fullmatch(path):
                self.problem(("aliases", index), f"{text!r} is not an address of this site: write it as "
                                                 "/2023/01/03/old-slug/ (lowercase letters, digits, hyphens)")
            elif path not in result:
                result.append(path)
        return tuple(result)

    def records(self, key: str, schema: dict, what: str) -> list[tuple[tuple, dict]]:
        """The items of a list of mappings (sources, corrections), each converted by ``schema``.

        Items with any problem are reported and left out.
        """
        result = []
        for index, item in enumerate(self.optional(key, fields.as_list, []) or []):
            keypath = (key, index)
            if not isinstance(item, dict):
                self.problem(keypath, f"each {what} is a mapping with {', '.join(schema)}")
                continue
            before = len(self.problems)
            values = self.section(item, keypath, schema)
            if len(self.problems) == before:
                result.append((keypath, values))
        return result

    def sources(self) -> tuple[Source, ...]:
        return tuple(Source(**values) for _, values in self.records("sources", SOURCE_FIELDS, "source"))

    def corrections(self, day: dt.date | None) -> tuple[Correction, ...]:
        result = []
        for keypath, values in self.records("corrections", CORRECTION_FIELDS, "correction"):
            if day and values["date"] < day:
                self.problem(keypath + ("date",), f"{values['date']} is before the report's date {day}")
            result.append(Correction(**values))
        return tuple(sorted(result, key=lambda c: (c.date, c.text)))

    def claims(self, day: dt.date | None, updated: dt.date | None) -> tuple[Claim, ...]:
        """The figures the report records, in the order claims are listed; none stated after its last change."""
        last_change, what = (updated, "last update") if updated and (day is None or updated > day) else (day, "date")
        result = []
        for keypath, values in self.records("claims", CLAIM_FIELDS, "claim"):
            before = len(self.problems)
            figure, low, high = values.pop("figure"), values.pop("low"), values.pop("high")
            if figure is not None and (low, high) != (None, None):
                self.problem(keypath + ("figure",), "give either figure or low and high, not both")
            elif (figure, low, high) == (None, None, None):
                self.problem(keypath, "give the figure claimed, or a range as low and high "
                                      "(leave out high for 'at least', low for 'up to')")
            elif low is not None and high is not None and low > high:
                self.problem(keypath + ("low",), f"low ({low}) is above high ({high})")
            if last_change and values["stated"] > last_change:
                self.problem(keypath + ("stated",), f"{values['stated']} is after the report's {what} {last_change}; "
                                                    "a report can only record claims made by then")
            if len(self.problems) == before:
                low, high = (low, high) if figure is None else (figure, figure)
                result.append(Claim(low=low, high=high, **values))
        return tuple(sorted(result, key=lambda claim: claim.order))


def suggest(name: str, terms: Iterable[Term]) -> str:
    """' (did you mean 'Tolyatti'?)' naming the canonical names of the nearest spellings."""
    by_spelling = {spelling.casefold(): term.name for term in terms for spelling in (term.slug, term.name, *term.aliases)}
    close = difflib.get_close_matches(name.casefold(), sorted(by_spelling), n=3, cutoff=0.6)
    names = list(dict.fromkeys(by_spelling[c] for c in close))
    return f" (did you mean {' or '.join(repr(n) for n in names)}?)" if names else ""


def find_duplicate_urls(articles: list[Article], shown: dict[str, str]) -> list[Problem]:
    """Two reports (or a report and another's alias) would share an address: name both files, as
    ``shown`` (source path -> the path messages show) gives them."""
    owner: dict[str, Article] = {}
    problems = []
    ordered = sorted(articles, key=lambda a: a.source_path)
    for article in ordered:
        url = routes.article_url(article)
        first = owner.setdefault(url, article)
        if first is not article:
            problems.append(Problem(shown[article.source_path], 1, "slug",
                                    f"the page {url} is already made from {shown[first.source_path]}; "
                                    "give one of them another slug"))
    for article in ordered:
        for alias in article.aliases:
            first = owner.setdefault(alias, article)
            if first is not article:
                what = "a page made from" if routes.article_url(first) == alias else "an alias of"
                problems.append(Problem(shown[article.source_path], 1, "aliases",
                                        f"/{alias} is already {what} {shown[first.source_path]}"))
    return problems
