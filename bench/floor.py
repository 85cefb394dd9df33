#!/usr/bin/env python3
"""The floor of a build: only the work that no builder of this site can skip.

    python bench/floor.py CORPUS OUT [--jobs N]

For each report of CORPUS (ours, from generate.py: articles/YYYY/*.md and site_config.yaml) it
reads the file, parses the front-matter with python-frontmatter (YAML), converts the body with
Python-Markdown and our builder's extensions, renders a minimal Jinja2 page and writes it to
OUT/<slug>/index.html, in chunks over N forked worker processes (default 2); then prints the count.

It is a lower bound for our build on the same corpus: it leaves out everything else the build does
(validating fields and terms, sanitising the HTML, listings, feeds, search, the cache, swapping the
output in whole), so run.py's `cold ÷ floor` is what those cost on top.
"""

from __future__ import annotations

import argparse
import multiprocessing
from functools import partial
from pathlib import Path

import frontmatter
import jinja2
import markdown
import yaml
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class DemoteTopHeadings(Treeprocessor):
    """As in newsarchive/markup.py: a body's h1 becomes h2, the title being the page's h1."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class ArchiveMarkdown(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(DemoteTopHeadings(md), "demote_top_headings", 5)


# newsarchive/markup.py's extensions(), copied rather than imported: the floor runs none of our code.
EXTENSIONS = ["tables", "footnotes", "fenced_code", "sane_lists", ArchiveMarkdown()]
PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }} · {{ site }}</title></head>
<body><article><h1>{{ title }}</h1><p><time datetime="{{ date }}">{{ date }}</time></p>
{{ body | safe }}</article></body>
</html>
"""
# Made once, before the workers are forked; each worker starts with its own copy.
MD = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
TEMPLATE = jinja2.Environment(autoescape=True).from_string(PAGE)


def write_page(out: Path, site: str, path: Path) -> int:
    post = frontmatter.loads(path.read_bytes().decode("utf-8"))
    body = MD.convert(post.content)
    MD.reset()  # footnotes and ids must not leak into the next report
    page = out / path.stem[len("YYYY-MM-DD-"):] / "index.html"
    page.parent.mkdir()  # not exist_ok: two reports with one slug would be a broken corpus
    page.write_text(TEMPLATE.render(site=site, title=post["title"], date=post["date"], body=body), "utf-8")
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the unavoidable work of a build (see the docstring).")
    parser.add_argument("corpus", type=Path, help="a corpus made by generate.py --format ours")
    parser.add_argument("out", type=Path, help="folder for the pages (must be empty or new)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    config = yaml.load((args.corpus / "site_config.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader)
    paths = sorted((args.corpus / config["paths"]["articles"]).glob("*/*.md"))
    args.out.mkdir(parents=True, exist_ok=True)
    chunk = max(1, min(64, len(paths) // (args.jobs * 8)))  # the chunks our builder's workers take
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        job = partial(write_page, args.out, config["site"]["title"])
        written = sum(pool.imap_unordered(job, paths, chunksize=chunk))
    print(f"{written} pages written to {args.out}")


if __name__ == "__main__":
    main()
