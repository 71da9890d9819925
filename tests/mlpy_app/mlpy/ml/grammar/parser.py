"""ML language parser (same interface as real mlpy's lark-based MLParser).

Each MLParser instance compiles ml.grammar into LALR(1) tables lazily, on
its first parse, as real mlpy's MLParser does with Lark.open(ml.lark,
parser="lalr"); the code generator creates a fresh MLParser for every
imported module, so each one pays that cost again.  A parse lexes and
LR-parses the program into a tree (lr_runtime.py), which MLTransformer
(transformer.py) turns into the AST of ast_nodes.py.
"""

from pathlib import Path

from mlpy.ml.errors.exceptions import MLParseError, MLSyntaxError
from mlpy.runtime.profiling import phase

from .ast_nodes import Program
from .grammar_loader import load_grammar
from .lalr import build_parse_table
from .lr_runtime import LALRParser
from .transformer import MLTransformer

GRAMMAR_PATH = Path(__file__).parent / "ml.grammar"


class MLParser:
    """Security-first ML language parser."""

    def __init__(self):
        self._parser = None
        self._transformer = MLTransformer()
        self._grammar_path = GRAMMAR_PATH

    @property
    def parser(self):
        """The LALR parser, compiled from the grammar file on first use."""
        if self._parser is None:
            try:
                grammar = load_grammar(self._grammar_path.read_text(encoding="utf-8"))
                self._parser = LALRParser(grammar, build_parse_table(grammar))
            except Exception as e:
                raise MLParseError(f"failed to initialize parser: {e}") from e
        return self._parser

    def parse(self, source_code, source_file=None):
        """Parse ML source into a Program AST (raises MLSyntaxError)."""
        if not source_code.strip():
            return Program(items=[], line=1, column=1)
        with phase("parsing"):
            try:
                tree = self.parser.parse(source_code)
                return self._transformer.transform(tree, source_file)
            except MLSyntaxError as e:
                e.source_file = source_file
                raise

    def parse_file(self, file_path):
        path = Path(file_path)
        return self.parse(path.read_text(encoding="utf-8"), source_file=str(path))


def parse_ml_code(source_code, source_file=None):
    return MLParser().parse(source_code, source_file)
