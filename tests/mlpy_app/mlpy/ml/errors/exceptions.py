"""Exceptions raised by the ML toolchain (parser, analyzer, code generator)."""


class MLError(Exception):
    """Base class for ML toolchain errors."""

    def __init__(self, message, source_file=None, line_number=None, column=None):
        super().__init__(message)
        self.message = message
        self.source_file = source_file
        self.line_number = line_number
        self.column = column

    def location(self):
        where = self.source_file or "<ml>"
        if self.line_number is not None:
            where += f":{self.line_number}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self):
        return f"{self.location()}: {self.message}"


class MLSyntaxError(MLError):
    """The ML source does not match the grammar."""


class MLParseError(MLError):
    """The parser itself failed (bad grammar, unreadable file, ...)."""


class MLSecurityError(MLError):
    """Security analysis refused the program."""


class MLCodeGenError(MLError):
    """The AST could not be turned into Python."""


class MLUserException(Exception):
    """Raised by ML `throw value;` (value is usually an object {message: ...})."""

    def __init__(self, value):
        super().__init__(value)
        self.value = value

    def __str__(self):
        if isinstance(self.value, dict) and "message" in self.value:
            return str(self.value["message"])
        return str(self.value)
