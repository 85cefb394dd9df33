"""YAML read strictly, keeping the line of every value.

PyYAML alone is too lenient for an archive: duplicate keys silently overwrite, aliases can
blow up memory, `no:` becomes a boolean key, dates become objects before we can check them.
So we compose the node tree ourselves and turn it into plain data here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

try:  # the C parser is ten times faster; node marks and resolution are the same
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader

_TAG = "tag:yaml.org,2002:"
_TIMESTAMP = _TAG + "timestamp"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null")}


class _Loader(_BaseLoader):
    """Safe loader that leaves dates as the text written, so we parse and check them ourselves."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


_SCALARS = yaml.constructor.SafeConstructor()
MAX_DEPTH = 20  # front-matter and config need 4; deeper input is a mistake or an attack

Path = tuple  # a key path into the document, e.g. ("sources", 0, "url")


class YamlError(Exception):
    """A YAML problem at a line of the file (1-based)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class YamlDocument:
    """Plain data plus the file line of every value and which plain values had a comment after them."""

    data: object
    lines: dict = field(repr=False)
    commented: frozenset = field(repr=False)

    def line(self, path: Path) -> int:
        """The line of the value at ``path``, or of its nearest parent that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def load_yaml(text: str, first_line: int = 1) -> YamlDocument:
    """Parse ``text`` whose first line is line ``first_line`` of its file; raise YamlError."""
    source_lines = text.split("\n")
    try:
        if "&" in text or "*" in text:
            _refuse_anchors_and_aliases(text, first_line)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark if _opened_earlier(exc) else exc.problem_mark
        raise YamlError(mark.line + first_line, _describe(exc, source_lines, first_line)) from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"invalid YAML: {exc}") from None
    converter = _Converter(source_lines, first_line)
    data = None if node is None else converter.convert(node, ())
    return YamlDocument(data, converter.lines, frozenset(converter.commented))


def _refuse_anchors_and_aliases(text: str, first_line: int) -> None:
    """Aliases let a few lines expand to gigabytes ("billion laughs"); an archive needs none.

    The composer hides them (an alias becomes the node it names), so look at the events.
    An alias is reported where it is used, which is where the editor must look.
    """
    anchored = None
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(event.start_mark.line + first_line, "aliases (*name) are not allowed")
        if anchored is None and getattr(event, "anchor", None):
            anchored = event
    if anchored is not None:
        raise YamlError(anchored.start_mark.line + first_line, "anchors (&name) are not allowed")


def _opened_earlier(exc: yaml.MarkedYAMLError) -> bool:
    """An unclosed [list], {mapping} or quote is noticed lines later: the editor must look where it opened."""
    context = exc.context or ""
    return bool(exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line
                and ("flow" in context or "quoted scalar" in context))


def _describe(exc: yaml.MarkedYAMLError, source_lines: list[str], first_line: int) -> str:
    message = f"invalid YAML: {exc.problem}"
    mark = exc.problem_mark
    if _opened_earlier(exc):
        message += f" ({exc.context.removeprefix('while ')} opened here; noticed on line {mark.line + first_line})"
    line = source_lines[mark.line] if mark and mark.line < len(source_lines) else ""
    found = line[mark.column: mark.column + 1] if mark else ""
    if exc.problem and "mapping values are not allowed" in exc.problem:
        message += " (a value containing ': ' must be quoted)"
    elif found == "\t" or "\t" in line[: len(line) - len(line.lstrip())]:
        message += " (indent with spaces, not tabs)"
    elif found in ("@", "`", "%"):
        message += f" (a value starting with {found} must be quoted)"
    return message


class _Converter:
    def __init__(self, source_lines: list[str], first_line: int):
        self.source_lines = source_lines
        self.first_line = first_line
        self.lines: dict[Path, int] = {}
        self.commented: set[Path] = set()

    def line_of(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.first_line

    def convert(self, node: yaml.Node, path: Path):
        if len(path) > MAX_DEPTH:
            raise YamlError(self.line_of(node), f"nested more than {MAX_DEPTH} levels deep")
        self.lines[path] = self.line_of(node)
        if isinstance(node, yaml.ScalarNode):
            return self.convert_scalar(node, path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
            return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
            return self.convert_mapping(node, path)
        raise YamlError(self.line_of(node), f"the tag {node.tag!r} is not allowed")

    def convert_scalar(self, node: yaml.ScalarNode, path: Path):
        if node.tag not in _SCALAR_TAGS:
            raise YamlError(self.line_of(node), f"the tag {node.tag!r} is not allowed")
        if not node.style and self.comment_follows(node):  # plain style: None, or "" from the C parser
            self.commented.add(path)
        if node.tag == _TAG + "str":
            return node.value
        return _SCALARS.construct_object(node)

    def comment_follows(self, node: yaml.ScalarNode) -> bool:
        end = node.end_mark
        rest = self.source_lines[end.line][end.column:] if end.line < len(self.source_lines) else ""
        return rest.lstrip().startswith("#")

    def convert_mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        for key_node, value_node in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == _TAG + "str"):
                shown = getattr(key_node, "value", "?")
                raise YamlError(
                    self.line_of(key_node),
                    f"key {shown!r} is not text (YAML reads it as {key_node.tag.removeprefix(_TAG)}); quote it",
                )
            key = key_node.value
            if key in result:
                raise YamlError(
                    self.line_of(key_node),
                    f"duplicate key {key!r} (first given on line {self.lines[path + (key,)]})",
                )
            result[key] = self.convert(value_node, path + (key,))
        return result
