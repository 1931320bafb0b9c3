"""Strict YAML loading for the project's Python tests and tools: the same
rules as the C++ loader (controlplane/compiler/yaml_load.h, documented in
docs/policy.md "YAML"):

  - a duplicate mapping key is an error naming both places
    (FILE:LINE:COLUMN of each), at any depth, in block or flow style; keys
    are compared as the reader sees them (after YAML's scalar resolution:
    `1` and `0x1`, `true` and `True`, `null` and `~` are the same key);
  - a merge key (`<<`) is an error: the C++ loader (yaml-cpp) does not
    implement merges, so the same file must not mean something else here;
  - more than one document in a stream is an error naming the line of the
    second one (PyYAML's single-document rule).

Every duplicate in the stream is reported, not only the first.

    import strict_yaml
    data = strict_yaml.load_file("expect.yaml")       # raises strict_yaml.Error
    data = strict_yaml.load_text(text, name="x.yaml")

Error is a yaml.YAMLError, so code that already catches YAMLError keeps
working.
"""

import yaml

__all__ = ["Error", "load_file", "load_text"]


class Error(yaml.YAMLError):
    """Every problem of one stream, one per line of str(error)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _where(mark):
    return "%s:%d:%d" % (mark.name, mark.line + 1, mark.column + 1)


def _key_text(node):
    if isinstance(node, yaml.ScalarNode):
        return node.value
    return "<%s>" % node.id


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self.strict_problems = []

    def _problem(self, node, message):
        m = node.start_mark
        self.strict_problems.append(((m.line, m.column), "%s: error: %s" % (_where(m), message)))

    def flatten_mapping(self, node):
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, "merge keys ('<<') are not supported: write the keys out")
        # Merges are refused above; never let PyYAML apply one.
        node.value = [(k, v) for k, v in node.value if k.tag != "tag:yaml.org,2002:merge"]

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen = {}
            for i, (key_node, _) in enumerate(node.value):
                key = self.construct_object(key_node, deep=True)
                try:
                    first, first_node = seen.setdefault(key, (i, key_node))
                except TypeError:
                    continue  # an unhashable key: PyYAML reports it below
                if first != i:
                    # (An alias key's node is its anchor's: the mark is the anchor's.)
                    self._problem(key_node, "duplicate key '%s' (first at %s)" %
                                  (_key_text(key_node), _where(first_node.start_mark)))
        return yaml.SafeLoader.construct_mapping(self, node, deep=deep)


def load_text(text, name="<string>"):
    """Loads one YAML document from a str; raises Error (or another
    yaml.YAMLError for a syntax error)."""
    loader = _StrictLoader(text)
    loader.name = name  # marks take the stream's name from the reader
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if loader.strict_problems:
        raise Error(text for _, text in sorted(loader.strict_problems))
    return data


def load_file(path):
    """Loads one YAML document from a UTF-8 file (see load_text)."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        return load_text(f.read(), name=path)
