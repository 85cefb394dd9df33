"""The Makiivka report archive builder: dated Markdown reports in, a static site out."""

__version__ = "0.1.0"
