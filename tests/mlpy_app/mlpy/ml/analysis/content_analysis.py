"""Checks on string contents.

  * hard-coded credentials (CWE-798): a string literal assigned to a
    variable or object property whose name looks like a secret
  * high-entropy literals (API keys, tokens) by Shannon entropy
  * injection strings assembled by concatenation: every chain of `+` is
    folded into one text (non-literal parts become a placeholder) and
    scanned with the pattern detector, so "DROP " + "TABLE " + name is
    caught as well as the literal "DROP TABLE".
Findings are (severity, category, message, line, column).
"""

import math
import re

from mlpy.ml.grammar import ast_nodes as ast

SECRET_NAME = re.compile(r"(pass(word|wd)?|secret|token|api_?key|private_?key|access_?key|"
                         r"credential|auth)", re.IGNORECASE)
PLACEHOLDER = "\u2400"  # stands for a non-literal operand
MIN_ENTROPY_LENGTH = 20
ENTROPY_THRESHOLD = 4.0  # bits per character


def shannon_entropy(text):
    counts = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


class ContentAnalyzer:
    def __init__(self, detector):
        self.detector = detector
        self.findings = []

    def run(self, program):
        concatenations = set()
        for node in ast.walk(program):
            if isinstance(node, ast.Assignment):
                self._check_secret(node.target, node.value, node)
            elif isinstance(node, ast.ObjectLiteral):
                for key, value in node.properties:
                    self._check_secret(key, value, value)
            elif isinstance(node, ast.StringLiteral):
                self._check_entropy(node)
            elif isinstance(node, ast.BinaryOp) and node.op == "+" and id(node) not in concatenations:
                parts = self._flatten(node, concatenations)
                if sum(isinstance(p, ast.StringLiteral) for p in parts) >= 2:
                    self._check_assembled(parts, node)
        return self.findings

    def _add(self, severity, category, message, node):
        self.findings.append((severity, category, message, node.line, node.column))

    def _check_secret(self, name, value, node):
        if isinstance(value, ast.StringLiteral) and value.value and SECRET_NAME.search(name):
            self._add("medium", "hardcoded_secret",
                      f"string literal assigned to '{name}' looks like a hard-coded credential", node)

    def _check_entropy(self, node):
        text = node.value
        if len(text) >= MIN_ENTROPY_LENGTH and " " not in text:
            entropy = shannon_entropy(text)
            if entropy >= ENTROPY_THRESHOLD:
                self._add("low", "high_entropy_string",
                          f"string with {entropy:.1f} bits/char may be an embedded key", node)

    @staticmethod
    def _flatten(node, seen):
        """Operands of a `+` chain, left to right."""
        parts, stack = [], [node]
        while stack:
            current = stack.pop()
            if isinstance(current, ast.BinaryOp) and current.op == "+":
                seen.add(id(current))
                stack.append(current.right)
                stack.append(current.left)
            else:
                parts.append(current)
        return parts

    def _check_assembled(self, parts, node):
        text = "".join(p.value if isinstance(p, ast.StringLiteral) else PLACEHOLDER for p in parts)
        literal_only = [p.value for p in parts if isinstance(p, ast.StringLiteral)]
        for match in self.detector.scan_string(text):
            if any(match.matched_text.lower() in piece.lower() for piece in literal_only):
                continue  # already reported for the literal itself
            self._add(match.pattern.threat_level.value, "assembled_" + match.pattern.name,
                      f"{match.pattern.description} assembled by concatenation", node)
