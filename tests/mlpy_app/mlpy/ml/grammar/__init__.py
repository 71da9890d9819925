"""ML grammar, parser and parse-tree transformer."""
