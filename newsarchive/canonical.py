"""The canonical form of an article source: one way to write each thing, so a diff shows only meaning.

Fields come in a fixed order; text is plain where YAML reads it back unchanged and double-quoted
otherwise; long summaries fold at 100 columns; places and topics are written by their canonical
names in flow lists; sources, claims and corrections are block lists with their keys in schema order;
dates stay as written (YYYY-MM-DD, or a date-time with its offset). Lines end in LF and the file
in exactly one newline. The body is kept as written: in Markdown, spaces can mean something.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap

import yaml

from pathlib import Path

from .config import SiteConfig, load_config, term_key
from .errors import ContentError, Problem, display_path
from .markup import MarkdownRenderer
from .model import TERM_KINDS
from .reader import CLAIM_FIELDS, CORRECTION_FIELDS, SOURCE_FIELDS, find_sources, read_article, split_front_matter

WIDTH = 100
# The order fields are written in: what a report is, where and what it is about, where it comes from,
# what changed since. Fields not named here follow, alphabetically.
ORDER = ("title", "date", "date_note", "slug", "summary", "byline", "locations", "topics", "sources", "claims",
         "updated", "corrections", "draft")
NESTED_ORDER = {"sources": tuple(SOURCE_FIELDS), "corrections": tuple(CORRECTION_FIELDS), "claims": tuple(CLAIM_FIELDS)}
FOLDED = ("summary", "date_note")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z))?")


class NotCanonicalisable(ValueError):
    """A source that cannot be rewritten without losing something (a comment); ``line`` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def yaml_scalar(text: str, in_flow: bool = False) -> str:
    """Text as a YAML scalar: plain where YAML reads it back unchanged, double-quoted otherwise."""
    plain_ok = (text == text.strip() and text[:1].isalnum() and text.isprintable()
                and not (in_flow and any(c in text for c in ",[]{}")))
    try:
        plain_ok = plain_ok and yaml.safe_load(text) == text
    except yaml.YAMLError:
        plain_ok = False
    if plain_ok:
        return text
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n")


def yaml_flow_list(items: list[str]) -> str:
    return "[" + ", ".join(yaml_scalar(item, in_flow=True) for item in items) + "]"


def canonical_source(text: str, config: SiteConfig) -> str:
    """The canonical form of a valid source's text (BOM and CR already removed)."""
    doc, body, _ = split_front_matter(text)
    _refuse_comments(text[: len(text) - len(body)])
    data = _canonical_terms(doc.data, config)
    lines = ["---"]
    for key in sorted(data, key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k)):
        lines += _field(key, data[key])
    lines.append("---")
    return "\n".join(lines) + "\n" + canonical_body(body)


def canonical_body(body: str) -> str:
    """The body with one trailing newline; spaces within lines are Markdown's and stay."""
    return body.rstrip("\n").lstrip("\n") + "\n"


def front_matter(fields: dict) -> str:
    """Front-matter lines for ``fields`` (already canonical values), between '---' lines."""
    lines = ["---"]
    for key, value in fields.items():
        lines += _field(key, value)
    return "\n".join(lines + ["---"]) + "\n"


def _refuse_comments(front: str) -> None:
    """YAML comments do not survive parsing: refuse rather than drop an editor's note."""
    for number, line in enumerate(front.split("\n"), start=1):
        if line.lstrip().startswith("#"):
            raise NotCanonicalisable("this YAML comment would be lost; move it into the body or delete it", number)


def _canonical_terms(data: dict, config: SiteConfig) -> dict:
    """Places and topics by their canonical names, each once, in the order given."""
    data = dict(data)
    for kind in TERM_KINDS:
        if isinstance(data.get(kind), list):
            lookup = config.spellings(kind)
            names = [lookup[term_key(str(item))].name for item in data[kind]]
            data[kind] = list(dict.fromkeys(names))
    return data


def _field(key: str, value) -> list[str]:
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        order = NESTED_ORDER.get(key, ())
        lines = [f"{key}:"]
        for item in value:
            keys = sorted(item, key=lambda k: (order.index(k) if k in order else len(order), k))
            for n, item_key in enumerate(keys):
                lines.append(("  - " if n == 0 else "    ") + f"{item_key}: {_scalar(item[item_key])}")
        return lines
    if isinstance(value, list):
        return [f"{key}: {yaml_flow_list([str(item) for item in value])}"]
    if key in FOLDED and isinstance(value, str):
        return _folded(key, value)
    return [f"{key}: {_scalar(value)}"]


def _folded(key: str, text: str) -> list[str]:
    """A long text as a folded block (>-) wrapped at WIDTH, if folding gives back the same text."""
    if len(key) + 2 + len(yaml_scalar(text)) <= WIDTH or "  " in text or "\n" in text or text != text.strip():
        return [f"{key}: {_scalar(text)}"]
    wrapped = textwrap.wrap(text, WIDTH - 2, break_long_words=False, break_on_hyphens=False)
    block = [f"{key}: >-"] + ["  " + line for line in wrapped]
    if yaml.safe_load("\n".join(block)) != {key: text}:  # some text does not fold cleanly
        return [f"{key}: {_scalar(text)}"]
    return block


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if value is None:
        return "null"
    if _DATE_LIKE.fullmatch(value):
        return value  # our reader keeps dates as the text written, so they need no quotes
    return yaml_scalar(value)


def format_sources(config_path: Path, overrides: dict, only: list[Path], check_only: bool) -> list[str]:
    """Rewrite article sources in canonical form (or, with ``check_only``, just list them).

    Returns the display paths of the files that were, or would be, changed. Invalid sources are
    reported and nothing is written; a rewrite that would change what the archive reads is refused.
    """
    config = load_config(config_path, overrides)
    sources, problems = find_sources(config.paths.articles, config.project_root)
    paths = [Path(source.path) for source in sources]
    if only:
        wanted = {path.resolve() for path in only}
        paths = [path for path in paths if path.resolve() in wanted]
    renderer = MarkdownRenderer()
    changes = {}
    for path in paths:
        raw = path.read_bytes()
        reading = read_article(path, raw, config, renderer.render)
        problems += reading.problems
        if reading.article is None:
            continue
        text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        try:
            canonical = canonical_source(text, config)
        except NotCanonicalisable as exc:
            problems.append(Problem(display_path(path), exc.line, None, str(exc)))
            continue
        if canonical.encode("utf-8") == raw:
            continue
        again = read_article(path, canonical.encode("utf-8"), config, renderer.render)
        if not _same_article(reading.article, again.article):
            problems.append(Problem(display_path(path), None, None,
                                    "the canonical form would read differently; left as it is (please report this)"))
            continue
        changes[path] = canonical
    if problems:
        raise ContentError(problems)
    if not check_only:
        for path, canonical in changes.items():
            temporary = path.with_name(f".{path.name}.fmt")
            temporary.write_bytes(canonical.encode("utf-8"))
            temporary.replace(path)
    return [display_path(path) for path in changes]


def _same_article(before, after) -> bool:
    """Whether two readings give the same article, the hash of the raw front-matter aside."""
    return (after is not None
            and dataclasses.replace(before, metadata_digest="") == dataclasses.replace(after, metadata_digest=""))
