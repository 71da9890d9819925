"""Security analysis of ML programs (AST passes and text pattern detection)."""
