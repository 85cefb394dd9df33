"""A page's fingerprint: a hash of everything its rendering reads, so an unchanged page is not rendered again.

A page is made from its template (and every template that one extends, includes or imports), the
site's configuration, the builder's version and its context. Reports stand in the context as the
hash of their front-matter; the reports whose bodies a page shows (it declares them, and the
``body()`` of its templates refuses any other) add the hash of their body: editing a body
re-renders only the pages that show it. The
configuration is part of every fingerprint, since terms, dates and the site's name reach every page.
Templates may read nothing but these: no clock, no files, no environment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import operator
import re

import jinja2

from .model import Article


@dataclasses.dataclass(frozen=True)
class Deferred:
    """A value computed only if the page needing it is rendered: ``function(*inputs, *given)``.

    Its fingerprint is that of the function's name and ``inputs``. ``given`` is not fingerprinted,
    so it may hold only what the page's fingerprint already covers: the configuration and what is
    made from it alone (the gazetteer's terms, the site settings), or what is made from the reports
    the page declares in ``Page.bodies`` alone.
    """

    function: object
    inputs: tuple
    given: tuple = ()

    def value(self):
        return self.function(*self.inputs, *self.given)


# The templates a template names in extends, include, import and from; a name that is not a plain
# string (a variable, a list) is chosen at run time and could be any of them. A scan, not a parse,
# so that a template with a syntax error is reported where it is rendered, at its line.
_NAMED = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+(["'])(.+?)\1""")
_CHOSEN_AT_RUN_TIME = re.compile(r"""{%-?\s*(?:extends|include|import|from)\s+(?!["'])""")


def template_digests(env: jinja2.Environment) -> dict[str, str]:
    """For each template, a hash of its source and of every template it uses, transitively."""
    sources = {name: env.loader.get_source(env, name)[0] for name in env.list_templates()}
    references = {}
    for name, source in sources.items():
        dynamic = _CHOSEN_AT_RUN_TIME.search(source) is not None
        references[name] = set(sources) if dynamic else {match[2] for match in _NAMED.finditer(source)}
    digests = {}
    for name in sources:
        used, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in used:
                used.add(current)
                todo += sorted(references.get(current, ()))
        digests[name] = _hash("\0".join(f"{used_name}\0{sources.get(used_name, '')}" for used_name in sorted(used)))
    return digests


class Fingerprinter:
    """Fingerprints pages, remembering the fingerprint of each shared object (a listing, a tuple of reports)."""

    def __init__(self, base: str, templates: dict[str, str]):
        self.base = base
        self.templates = templates
        self.memo: dict[int, str] = {}
        self.kept: list = []  # what the memo's ids belong to, so no id is reused while it is kept

    def take(self, value, fingerprint: str) -> None:
        """Use ``fingerprint`` for ``value``: an earlier build's, for a value known to be equal."""
        self.memo[id(value)] = fingerprint
        self.kept.append(value)

    @staticmethod
    def with_bodies(without_bodies: str, page) -> str:
        """A page's fingerprint from the one of all it reads but bodies, and its bodies' hashes."""
        if not page.bodies:
            return without_bodies
        return _hash("\0".join((without_bodies, *map(_BODY_DIGEST, page.bodies))))  # no generator: every page asks

    def reports_key(self, reports: dict[str, tuple]) -> str:
        """A hash of the templates, the base and each published report's front-matter, given as the
        related-reports memo has them (source path -> (front-matter hash, ...)): while it stays the
        same, so does every page's fingerprint but for bodies (see without_bodies)."""
        return _hash("\0".join([self.base, *(f"{name}\1{digest}" for name, digest in sorted(self.templates.items())),
                                *sorted(f"{path}\1{entry[0]}" for path, entry in reports.items())]))

    def without_bodies(self, page) -> str:
        """The hash of everything a page reads but the bodies it shows: the same for the same
        reports' front-matter, templates and configuration, so a rebuild may take it from the last."""
        parts = [self.base, self.templates.get(page.template, ""), page.url, page.template, page.title,
                 page.description, repr(page.lastmod), repr(page.noindex)]
        context, memo = page.context, self.memo
        for key in sorted(context):
            value = context[key]
            parts += [key, memo.get(id(value)) or self.value(value)]  # shared objects are met again and again
        return _hash("\0".join(parts))

    def value(self, value) -> str:
        kind = type(value)
        if kind in _PLAIN:
            return repr(value)
        found = self.memo.get(id(value))
        if found is not None:
            return found
        if kind is Article:
            return self._article(value)
        if isinstance(value, (tuple, list)):
            # Not remembered: so a sequence all of whose items are remembered holds no plain text,
            # and its text is the same whether it is made from what is remembered or anew.
            plain = _plain_text(value)
            if plain is not None:
                return _short(plain)
        found = self.memo[id(value)] = _short(self._compound(value))
        self.kept.append(value)
        return found

    def _article(self, article: Article) -> str:
        """A report stands for its source path and front-matter, which its metadata digest hashes."""
        key = id(article)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = "A" + article.metadata_digest[:32]
            self.kept.append(article)
        return found

    def _compound(self, value) -> str:
        if isinstance(value, (tuple, list)):
            try:  # most are reports already met (listings, their pages, related reports): one lookup each
                return "(" + "\0".join([self.memo[id(item)] for item in value]) + ")"
            except KeyError:
                return "(" + "\0".join(map(self.value, value)) + ")"
        if isinstance(value, dict):
            return "{" + "\0".join([f"{self.value(k)}\1{self.value(v)}" for k, v in sorted(value.items())]) + "}"
        if isinstance(value, Deferred):
            return f"D{value.function.__module__}.{value.function.__qualname__}\1{self.value(value.inputs)}"
        if dataclasses.is_dataclass(value):
            values = _field_values(type(value))(value)
            return type(value).__qualname__ + "[" + "\0".join(
                [repr(item) if type(item) in _PLAIN else self.value(item) for item in values]) + "]"
        raise TypeError(f"cannot fingerprint a {type(value).__name__} in a page's context")


_PLAIN = {str, int, float, bool, type(None), dt.date, dt.datetime, dt.timezone}
_BODY_DIGEST = operator.attrgetter("body_digest")


@functools.cache
def _field_values(record: type):
    """What gives a record's field values as a tuple, in one call: thousands of listings are fingerprinted."""
    names = [f.name for f in dataclasses.fields(record)]
    if len(names) == 1:  # attrgetter of one name gives the value itself
        return lambda value: (getattr(value, names[0]),)
    return operator.attrgetter(*names)


def _plain_text(value: tuple | list) -> str | None:
    """The text of a sequence of plain values (a listing's key), or of rows of plain values of one
    kind (a sitemap's thousands of addresses and dates), made in one step; None for any other."""
    kinds = set(map(type, value))
    if kinds <= _PLAIN:
        return repr(value)
    if len(kinds) == 1 and issubclass(kinds.pop(), tuple) and set(map(type, itertools.chain.from_iterable(value))) <= _PLAIN:
        return type(value[0]).__qualname__ + repr([tuple(row) for row in value])
    return None


def _short(text: str) -> str:
    """Long parts are replaced by their hash, so pages sharing a large listing do not copy it."""
    return text if len(text) <= 512 else "#" + _hash(text)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
