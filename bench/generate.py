#!/usr/bin/env python3
"""Synthetic report archives for the benchmark, and the same corpus for Pelican 4 and Hugo.

    python bench/generate.py --reports N --out DIR [--seed S] [--format ours|pelican|hugo]

Every random choice comes from a random.Random seeded with (seed, what, number), never from the
clock or hash order, so a seed always gives the same bytes. A report depends only on the seed and
its own number: the first N reports are the same whatever N is, and run.py can add report N+1
later without changing the others.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("ours", "pelican", "hugo")
SITE_TITLE = "Synthetic report archive"
SITE_DESCRIPTION = "Generated reports for benchmarking the archive builder."
BASE_URL = "https://example.org/bench/"
PAGE_SIZE = 20
FEED_SIZE = 20
FIRST_DAY = dt.date(2019, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
PLACE_COUNT = 40


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    aliases: tuple[str, ...]
    region: str
    country: str
    coordinates: tuple[float, float]
    description: str


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    aliases: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    published: dt.date


@dataclass(frozen=True)
class Correction:
    date: dt.date
    text: str


@dataclass(frozen=True)
class Report:
    day: dt.date
    slug: str
    title: str
    summary: str
    byline: str
    places: tuple[Place, ...]
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    updated: dt.date | None
    corrections: tuple[Correction, ...]
    body: str


def rng_for(seed: int, what: str, number: int = 0) -> random.Random:
    # A string seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED.
    return random.Random(f"{seed}/{what}/{number}")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- the gazetteer -------------------------------------------------------------------------------

# Regions with an approximate centre; places are scattered around it.
REGIONS = [
    ("Donetsk Oblast", "Ukraine", (48.0, 37.8)), ("Luhansk Oblast", "Ukraine", (48.6, 39.3)),
    ("Kharkiv Oblast", "Ukraine", (49.6, 36.5)), ("Zaporizhzhia Oblast", "Ukraine", (47.5, 35.5)),
    ("Kherson Oblast", "Ukraine", (46.6, 33.4)), ("Belgorod Oblast", "Russia", (50.6, 36.6)),
    ("Kursk Oblast", "Russia", (51.7, 36.2)), ("Rostov Oblast", "Russia", (47.4, 40.5)),
]
NAME_STARTS = ["Ver", "Pok", "Sol", "Kras", "Nov", "Bil", "Chor", "Zal", "Hor", "Lys", "Myr", "Star",
               "Dob", "Pry", "Kam", "Ros", "Tor", "Sev", "Vol", "Zol"]
NAME_MIDDLES = ["kho", "no", "ro", "lo", "ve", "ha", "mi", "to", "", ""]
NAME_ENDS = ["rivka", "hrad", "ske", "pil", "ivka", "yne", "sk", "ovo", "ivtsi", "dar"]
# Spellings other outlets use: Russian-style and older transliterations.
VARIANTS = [("ivka", "evka"), ("h", "g"), ("ske", "skoye"), ("yne", "ino"), ("iv", "yiv"), ("v", "w")]
CYRILLIC = {"shch": "щ", "kh": "х", "ch": "ч", "sh": "ш", "zh": "ж", "ts": "ц", "yi": "ї", "ye": "є",
            "a": "а", "b": "б", "v": "в", "h": "г", "g": "г", "d": "д", "e": "е", "z": "з", "y": "и",
            "i": "і", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с",
            "t": "т", "u": "у", "f": "ф", "w": "в"}
PLACE_KINDS = ["Industrial town", "Village", "Railway town", "Market town", "Mining town",
               "River port", "Farming settlement", "Regional centre"]


def to_cyrillic(name: str) -> str:
    """A Ukrainian-looking spelling: another alias a report might use."""
    keys = sorted(CYRILLIC, key=len, reverse=True)
    out, rest = [], name.lower()
    while rest:
        key = next((k for k in keys if rest.startswith(k)), None)
        out.append(CYRILLIC[key] if key else rest[0])
        rest = rest[len(key) if key else 1:]
    text = "".join(out)
    return text[:1].upper() + text[1:]


def make_places(seed: int) -> list[Place]:
    """PLACE_COUNT places, five to a region, whose names and aliases never collide (the config requires it)."""
    rng = rng_for(seed, "places")
    taken: set[str] = set()
    places = []
    while len(places) < PLACE_COUNT:
        name = rng.choice(NAME_STARTS) + rng.choice(NAME_MIDDLES) + rng.choice(NAME_ENDS)
        if name.casefold() in taken:
            continue
        aliases = []
        for spelling in (variant_spelling(name, rng), to_cyrillic(name)):
            if spelling.casefold() not in taken | {name.casefold()} | {a.casefold() for a in aliases}:
                aliases.append(spelling)
        taken |= {name.casefold(), slugify(name), *(a.casefold() for a in aliases)}
        region, country, (lat, lon) = REGIONS[len(places) % len(REGIONS)]
        coordinates = (round(lat + rng.uniform(-0.8, 0.8), 2), round(lon + rng.uniform(-1.0, 1.0), 2))
        description = (f"{rng.choice(PLACE_KINDS)} in {region}, about {rng.randint(8, 90)} km from the "
                       f"regional centre. Population before 2022 about {rng.randint(2, 250) * 1000:,}.")
        places.append(Place(slugify(name), name, tuple(aliases), region, country, coordinates, description))
    return places


def variant_spelling(name: str, rng: random.Random) -> str:
    """The name with one transliteration changed; the name itself if none applies."""
    applicable = [(a, b) for a, b in VARIANTS if a in name.lower()]
    if not applicable:
        return name + "e"
    old, new = rng.choice(applicable)
    changed = name.lower().replace(old, new, 1)
    return changed[:1].upper() + changed[1:]


# Name, aliases, description: the subjects a regional news archive files reports under.
TOPICS = [
    Topic("air-defence", "Air defence", ("air defense",), "Interceptions, alerts and the systems that make them."),
    Topic("shelling", "Shelling", ("artillery",), "Artillery and rocket fire on towns and villages."),
    Topic("drones", "Drones", ("UAVs",), "Attacks by and on unmanned aircraft."),
    Topic("casualties", "Casualties", ("death toll",), "Figures for the dead and wounded and how they changed."),
    Topic("evacuation", "Evacuation", (), "Moving residents out of danger, and their return."),
    Topic("energy", "Energy", ("power grid",), "Power stations, substations, outages and repairs."),
    Topic("water-supply", "Water supply", (), "Pipelines, pumping stations and water deliveries."),
    Topic("reconstruction", "Reconstruction", ("rebuilding",), "Repairs to homes, schools and roads."),
    Topic("humanitarian-aid", "Humanitarian aid", ("aid",), "Food, medicine and shelter from agencies and volunteers."),
    Topic("prisoner-exchanges", "Prisoner exchanges", ("prisoner swaps",), "Exchanges of prisoners and of the dead."),
    Topic("mobilization", "Mobilization", ("mobilisation",), "Call-ups, training and deployment."),
    Topic("commemoration", "Commemoration", ("memorials",), "Funerals, memorials and anniversaries."),
    Topic("courts", "Courts", ("trials",), "Trials, verdicts and appeals."),
    Topic("investigations", "Investigations", (), "Inquiries by prosecutors, journalists and monitors."),
    Topic("official-statements", "Official statements", ("officials",), "What ministries, governors and mayors said."),
    Topic("military-bloggers", "Military bloggers", ("milbloggers",), "Reactions on pro-war channels."),
    Topic("sanctions", "Sanctions", (), "Restrictions imposed abroad and their effects."),
    Topic("refugees", "Refugees", ("displaced people",), "People who left their homes, and where they went."),
    Topic("education", "Education", ("schools",), "Schools and universities, in classrooms and online."),
    Topic("health-care", "Health care", ("hospitals",), "Hospitals, clinics and the supply of medicine."),
    Topic("transport", "Transport", ("railways",), "Railways, roads, bridges and buses."),
    Topic("agriculture", "Agriculture", ("farming",), "Harvests, grain exports and mined fields."),
    Topic("elections", "Elections", ("votes",), "Votes held, postponed or disputed."),
    Topic("media", "Media", ("press",), "Outlets, journalists and what they may publish."),
    Topic("international-reaction", "International reaction", (), "Comment from governments abroad and international bodies."),
]


# --- report text ---------------------------------------------------------------------------------

ACTORS = ["the regional governor", "local officials", "a spokesperson for the emergency service",
          "the defence ministry", "volunteers", "witnesses", "the city council", "rescue teams",
          "independent monitors", "a local journalist", "hospital staff", "the prosecutor's office",
          "the energy company", "an aid agency", "the mayor", "residents"]
EVENTS = ["an overnight strike", "a drone attack", "shelling", "a fire at a warehouse", "an explosion",
          "a power cut", "a burst water main", "a convoy of aid lorries", "the evacuation", "a rocket attack"]
CONSEQUENCES = ["damaged several apartment blocks", "left thousands of homes without power",
                "cut the main road for most of the day", "destroyed a school gymnasium",
                "forced the hospital onto generators", "closed the railway station",
                "damaged the water treatment plant", "broken windows across the centre"]
THINGS = ["the substation", "the bridge", "the school", "the main hospital", "the water pipeline",
          "the railway line", "the bakery", "the heating plant", "the market", "the bus depot"]
ADJECTIVES = ["difficult but stable", "tense", "under control", "serious", "calmer than on the day before",
              "worse than first reported"]
FOLLOWUPS = ["the full extent of the damage was not yet known",
             "families would be moved to temporary housing",
             "investigators were examining the remains of the munitions",
             "repair crews had been working through the night",
             "no military facilities had been in the area",
             "the figures would be revised as more information came in",
             "schools would switch to online lessons for the rest of the week",
             "aid would be distributed at the town hall from the next morning"]
DURATIONS = ["several days", "at least a week", "two to three weeks", "until the end of the month"]
STATES = ["closed", "without power", "running on generators", "cordoned off", "only partly open"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
UNITS = ["dead", "wounded", "homes damaged", "people evacuated", "schools closed", "drones shot down"]
OUTLETS = ["Regional Herald", "Eastern Dispatch", "Borderland Courier", "Steppe News Agency",
           "Morning Ledger", "Frontline Wire", "Donbas Observer", "Civic Radio"]
BYLINES = ["Archive editors", "Staff reporter", "Regional desk", "Night desk", "Verification team"]
HEADINGS = ["What happened", "Competing figures", "Damage and repairs", "Reactions", "Background",
            "What officials said", "On the ground", "What comes next", "The response", "Timeline",
            "Questions that remain", "Earlier reports"]
TITLE_PATTERNS = [
    "{Place} counts damage after {event}",
    "Officials in {place} report {number} {unit} after {event}",
    "{Thing} in {place} {state} after {event}",
    "{Actor} disputes figures for {event} in {place}",
    "Residents of {place} describe {event}",
    "Repairs begin in {place} a week after {event}",
]
SENTENCES = [
    "{Actor} said on {weekday} that {event} in {place} had {consequence}.",
    "According to {actor}, {number} people were hurt and {number2} more were taken to hospital in {place}.",
    "The figures could not be independently verified, and {actor} gave no breakdown of them.",
    "{Actor} described the situation in {place} as *{adjective}*, adding that {followup}.",
    "Repairs to {thing} in {place} were expected to take {duration}.",
    "{Actor} told reporters that {followup}.",
    "Earlier reports had put the number at {number}, a figure that {actor} later revised.",
    "Residents of {place} said {thing} had been {state} since {weekday}.",
    "{Actor} did not respond to a request for comment.",
    "In a statement on [its website]({link}), {actor} said that {followup}.",
    "**{number} people** were moved out of the area around {thing}, {actor} said.",
    "The {outlet} quoted {actor} as saying that {followup}.",
]


class Writer:
    """Fills the sentence patterns for one report, from that report's own random stream and places."""

    def __init__(self, rng: random.Random, places: tuple[Place, ...]):
        self.rng, self.places = rng, places

    def fill(self, pattern: str) -> str:
        rng = self.rng
        place = rng.choice(self.places)
        values = {
            "actor": rng.choice(ACTORS), "event": rng.choice(EVENTS), "consequence": rng.choice(CONSEQUENCES),
            # Reports now and then use another spelling of a place, as sources do.
            "place": place.aliases[0] if place.aliases and rng.random() < 0.1 else place.name,
            "thing": rng.choice(THINGS), "adjective": rng.choice(ADJECTIVES), "followup": rng.choice(FOLLOWUPS),
            "duration": rng.choice(DURATIONS), "state": rng.choice(STATES), "weekday": rng.choice(WEEKDAYS),
            "number": rng.randint(2, 400), "number2": rng.randint(2, 60), "unit": rng.choice(UNITS),
            "outlet": rng.choice(OUTLETS), "link": f"https://news.example.com/{rng.randint(10_000, 99_999)}",
        }
        values.update({key[:1].upper() + key[1:]: _capital(str(value)) for key, value in values.items()})
        return _capital(pattern.format(**values))

    def sentence(self) -> str:
        return self.fill(self.rng.choice(SENTENCES))

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def bullets(self) -> str:
        return "\n".join(f"- **{self.rng.randint(2, 400)} {self.rng.choice(UNITS)}**: "
                         f"{self.fill('{actor}, who said that {followup}')}."
                         for _ in range(self.rng.randint(3, 5)))

    def numbered(self) -> str:
        hours = sorted(self.rng.sample(range(24), self.rng.randint(3, 5)))
        return "\n".join(f"{n}. {hour:02d}:{self.rng.choice((0, 15, 30, 45)):02d}: {self.fill('{event} reported near {thing}')}."
                         for n, hour in enumerate(hours, start=1))

    def quote(self) -> str:
        said = self.fill('"{Followup}. We ask everyone to keep away from {thing}."')
        return f"> {said}\n>\n> -- {_capital(self.rng.choice(ACTORS))}"

    def editors_note(self) -> str:
        return self.fill("**Editor's note:** the figures in this report are *claims* by {actor}; "
                         "see [the original]({link}) for the full text.")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def report_body(writer: Writer, rng: random.Random) -> str:
    """500 to 800 words: a lede, sections under ## headings holding a bullet list, a numbered list and a
    quote among their paragraphs, and an editor's note, which always ends the body with a sentence."""
    # Blocks are added one at a time until the target, each of at most about 100 words, and the
    # note adds about 25: so the body ends between 500 and 800 words.
    target = rng.randint(500, 650)
    headings = rng.sample(HEADINGS, len(HEADINGS))
    extras = [writer.bullets, writer.numbered, writer.quote]
    rng.shuffle(extras)
    blocks = [writer.paragraph()]
    for extra in extras:
        blocks += [f"## {headings.pop()}", writer.paragraph(), extra()]
    while _words(blocks) < target:
        if headings and rng.random() < 0.3:
            blocks.append(f"## {headings.pop()}")
        blocks.append(writer.paragraph())
    wrapped = [textwrap.fill(b, 100) if _is_prose(b) else b for b in blocks]
    # The note stays on one line, so edit_sentence finds its words together.
    return "\n\n".join([*wrapped, writer.editors_note()]) + "\n"


def _words(blocks: list[str]) -> int:
    return sum(len(block.split()) for block in blocks)


def _is_prose(block: str) -> bool:
    return not block.startswith(("#", "-", ">")) and not block[:1].isdigit()


def make_report(seed: int, number: int, places: list[Place], day: dt.date | None = None) -> Report:
    """Report ``number`` of the corpus; ``day`` files it on a given day instead of a random one."""
    rng = rng_for(seed, "report", number)
    if day is None:
        day = FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    main = rng.choice(places)
    # A report's other places are mostly in the same region as the main one, as in real coverage.
    nearby = [p for p in places if p.region == main.region and p is not main]
    chosen = (main, *rng.sample(nearby, rng.randint(0, 2)))
    topics = tuple(rng.sample(TOPICS, rng.randint(1, 4)))
    writer = Writer(rng, chosen)
    title = writer.fill(rng.choice(TITLE_PATTERNS).replace("{place}", main.name).replace("{Place}", main.name))
    summary = writer.fill("{Actor} said that {followup}.")
    body = report_body(writer, rng)
    # The number keeps slugs unique without a registry of the ones already used.
    slug = f"{slugify(title)[:60].rstrip('-')}-{number + 1}"
    sources = tuple(Source(outlet, f"https://{slugify(outlet)}.example.com/{day:%Y/%m/%d}/{slug}",
                           day - dt.timedelta(days=rng.randint(0, 1)))
                    for outlet in rng.sample(OUTLETS, rng.randint(1, 2)))
    updated = day + dt.timedelta(days=rng.randint(1, 30)) if rng.random() < 0.15 else None
    corrections = make_corrections(writer, rng, day) if rng.random() < 0.08 else ()
    return Report(day, slug, title, summary, rng.choice(BYLINES), chosen, topics, sources, updated,
                  corrections, body)


def make_corrections(writer: Writer, rng: random.Random, day: dt.date) -> tuple[Correction, ...]:
    dates = sorted(day + dt.timedelta(days=rng.randint(1, 60)) for _ in range(rng.randint(1, 2)))
    return tuple(Correction(d, writer.fill("An earlier version gave the wrong figure for {thing}.")) for d in dates)


# --- our format ----------------------------------------------------------------------------------

def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML), so no value is retyped."""
    return json.dumps(text, ensure_ascii=False)


def flow_list(items) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


def our_config(places: list[Place], templates: str) -> str:
    lines = [
        "site:", f"  title: {q(SITE_TITLE)}", f"  description: {q(SITE_DESCRIPTION)}",
        f"  base_url: {BASE_URL}", "  language: en", "  timezone: UTC",
        f"  page_size: {PAGE_SIZE}", f"  feed_size: {FEED_SIZE}",
        "paths:", "  articles: articles", f"  templates: {q(templates)}", "  output: _site",
        "locations:",
    ]
    for p in places:
        lines += [f"  {p.slug}:", f"    name: {q(p.name)}", f"    aliases: {flow_list(p.aliases)}",
                  f"    region: {q(p.region)}", f"    country: {q(p.country)}",
                  f"    coordinates: [{p.coordinates[0]}, {p.coordinates[1]}]", f"    description: {q(p.description)}"]
    lines.append("topics:")
    for t in TOPICS:
        lines += [f"  {t.slug}:", f"    name: {q(t.name)}", f"    aliases: {flow_list(t.aliases)}",
                  f"    description: {q(t.description)}"]
    return "\n".join(lines) + "\n"


def our_article(report: Report) -> str:
    lines = ["---", f"title: {q(report.title)}", f"date: {report.day}", f"summary: {q(report.summary)}",
             f"byline: {q(report.byline)}", f"locations: {flow_list(p.name for p in report.places)}",
             f"topics: {flow_list(t.name for t in report.topics)}", "sources:"]
    for s in report.sources:
        lines += [f"  - name: {q(s.name)}", f"    url: {s.url}", f"    published: {s.published}"]
    if report.updated:
        lines.append(f"updated: {report.updated}")
    if report.corrections:
        lines.append("corrections:")
        lines += [f"  - date: {c.date}\n    text: {q(c.text)}" for c in report.corrections]
    return "\n".join(lines) + "\n---\n" + report.body


# --- peers: the same visible content, sources and corrections written into the body ---------------

def body_with_notes(report: Report) -> str:
    """The body plus the sources and corrections that our builder renders from the front-matter."""
    parts = [report.body.rstrip(), "## Sources\n\n" + "\n".join(
        f"- [{s.name}]({s.url}), published {s.published}" for s in report.sources)]
    if report.corrections:
        parts.append("## Corrections\n\n" + "\n".join(f"- {c.date}: {c.text}" for c in report.corrections))
    return "\n\n".join(parts) + "\n"


def pelican_article(report: Report) -> str:
    # Pelican has one category and free tags: tags carry places and topics (our term pages), and the
    # main topic is the category it requires.
    lines = [f"Title: {report.title}", f"Date: {report.day}", f"Slug: {report.slug}",
             f"Category: {report.topics[0].name}",
             f"Tags: {', '.join([*(p.name for p in report.places), *(t.name for t in report.topics)])}",
             f"Authors: {report.byline}", f"Summary: {report.summary}"]
    if report.updated:
        lines.append(f"Modified: {report.updated}")
    return "\n".join(lines) + "\n\n" + body_with_notes(report)


PELICAN_CONFIG = f'''\
# Generated by bench/generate.py: settings comparable to the archive builder's site.
AUTHOR = "Archive editors"
SITENAME = {q(SITE_TITLE)}
SITEURL = {q(BASE_URL.rstrip("/"))}
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
DEFAULT_PAGINATION = {PAGE_SIZE}

# One page per report at the same address as ours, and year, month and day archives.
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
YEAR_ARCHIVE_URL = "{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = YEAR_ARCHIVE_URL + "index.html"
MONTH_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/"
MONTH_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_URL + "index.html"
DAY_ARCHIVE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/"
DAY_ARCHIVE_SAVE_AS = DAY_ARCHIVE_URL + "index.html"

# Our site has no author pages.
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

# Atom feeds: the site's and one per tag (our per-place and per-topic feeds); ours has no
# per-language feed.
FEED_ALL_ATOM = "feeds/all.atom.xml"
TRANSLATION_FEED_ATOM = None
CATEGORY_FEED_ATOM = "feeds/{{slug}}.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{{slug}}.atom.xml"
FEED_MAX_ITEMS = {FEED_SIZE}

# The Markdown extensions our builder uses.
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.smarty": {{}},
        "markdown.extensions.meta": {{}},
    }},
    "output_format": "html5",
}}

# Pelican's own content cache, so a rebuild after one new report reuses the parsed others.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
'''


def hugo_article(report: Report) -> str:
    lines = ["---", f"title: {q(report.title)}", f"date: {report.day}", f"slug: {q(report.slug)}",
             f"summary: {q(report.summary)}", f"byline: {q(report.byline)}",
             f"locations: {flow_list(p.name for p in report.places)}",
             f"topics: {flow_list(t.name for t in report.topics)}"]
    if report.updated:
        lines.append(f"lastmod: {report.updated}")
    return "\n".join(lines) + "\n---\n" + body_with_notes(report)


# Hugo 0.111 (Debian's) names: paginate and rssLimit.
HUGO_CONFIG = f"""\
baseURL: {BASE_URL}
languageCode: en
title: {q(SITE_TITLE)}
relativeURLs: true
paginate: {PAGE_SIZE}
rssLimit: {FEED_SIZE}
taxonomies:
  location: locations
  topic: topics
permalinks:
  posts: /:year/:month/:day/:slug/
"""

# Hugo ships no default theme: the smallest layouts that render every kind of page.
HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
<nav><a href="{{ "locations/" | relURL }}">Locations</a> <a href="{{ "topics/" | relURL }}">Topics</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>{{ with .Params.byline }} · {{ . }}{{ end }}</p>
{{ range $taxonomy, $_ := site.Taxonomies }}{{ with $.GetTerms $taxonomy }}
<p>{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ end }}{{ end }}
{{ .Content }}
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{ $paginator := .Paginate $pages }}
<ul>
{{ range $paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul>
<nav>{{ with $paginator.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
    "terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>
{{ end }}</ul>
{{ end }}
""",
}


# --- writing a corpus ----------------------------------------------------------------------------

def report_path(root: Path, fmt: str, report: Report) -> Path:
    name = f"{report.day}-{report.slug}.md"
    if fmt == "ours":
        return root / "articles" / f"{report.day.year}" / name
    if fmt == "pelican":
        return root / "content" / f"{report.day.year}" / name
    return root / "content" / "posts" / name


def write_report(root: Path, fmt: str, report: Report) -> Path:
    render = {"ours": our_article, "pelican": pelican_article, "hugo": hugo_article}[fmt]
    path = report_path(root, fmt, report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report), "utf-8")
    return path


def write_site_files(root: Path, fmt: str, places: list[Place]) -> None:
    """The config (and for Hugo the layouts) of a corpus in ``fmt``."""
    if fmt == "ours":
        templates = os.path.relpath(ROOT / "templates", root.resolve())
        (root / "site_config.yaml").write_text(our_config(places, templates), "utf-8")
    elif fmt == "pelican":
        (root / "pelicanconf.py").write_text(PELICAN_CONFIG, "utf-8")
    else:
        (root / "config.yaml").write_text(HUGO_CONFIG, "utf-8")
        layouts = root / "layouts" / "_default"
        layouts.mkdir(parents=True, exist_ok=True)
        for name, text in HUGO_LAYOUTS.items():
            (layouts / name).write_text(text, "utf-8")


def generate(root: Path, reports: int, seed: int = 1, fmt: str = "ours") -> None:
    """Write a corpus of ``reports`` reports in ``fmt`` into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    places = make_places(seed)
    write_site_files(root, fmt, places)
    for number in range(reports):
        write_report(root, fmt, make_report(seed, number, places))


def add_report(root: Path, number: int, seed: int = 1, fmt: str = "ours") -> Path:
    """Write report ``number`` filed on the corpus's last day: the newest report, as a new one would be."""
    return write_report(root, fmt, make_report(seed, number, make_places(seed), day=LAST_DAY))


def edit_sentence(path: Path) -> None:
    """Change the body's last sentence (the editor's note, in every format): an edit of the text only."""
    text = path.read_text("utf-8")
    marker = "for the full text."
    if marker not in text:
        raise ValueError(f"{path}: no editor's note to edit")
    head, _, tail = text.rpartition(marker)
    path.write_text(head + "for the full text, which was updated later." + tail, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic report archive.")
    parser.add_argument("--reports", type=int, required=True, help="number of reports")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must be empty or new)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--format", choices=FORMATS, default="ours", help="ours (default), pelican or hugo")
    args = parser.parse_args()
    # Mixing two corpora would leave reports of the old one behind.
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    generate(args.out, args.reports, args.seed, args.format)
    print(f"wrote {args.reports} reports ({args.format}) to {args.out}")


if __name__ == "__main__":
    main()
