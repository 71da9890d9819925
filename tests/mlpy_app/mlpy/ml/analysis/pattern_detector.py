"""Threat pattern detection over ML source text and string literals.

AdvancedPatternDetector compiles its pattern library (dangerous builtins,
reflection attributes, system/network APIs, injection strings, every Python
stdlib module name) into one Aho-Corasick automaton, scans the source text
in a single pass, then checks each hit's context (call, attribute access,
import, string literal) before reporting it.
"""

import builtins
import re
import sys
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from enum import Enum


class ThreatLevel(Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class SecurityPattern:
    name: str
    needles: tuple
    threat_level: ThreatLevel
    cwe_id: str
    description: str
    context: str  # "call", "attribute", "import", "string" or "code"


@dataclass
class PatternMatch:
    pattern: SecurityPattern
    matched_text: str
    location: dict = field(default_factory=dict)  # line, column (1-based)


def _library():
    T = ThreatLevel
    patterns = [
        SecurityPattern("code_injection", ("eval", "exec", "compile", "execfile", "__import__",
                                           "breakpoint"), T.CRITICAL, "CWE-94",
                        "Dynamic code execution", "call"),
        SecurityPattern("reflection_call", ("getattr", "setattr", "delattr", "globals", "locals",
                                            "vars", "dir", "type", "super"), T.HIGH, "CWE-470",
                        "Reflection through Python builtins", "call"),
        SecurityPattern("dunder_access", ("__class__", "__bases__", "__subclasses__", "__globals__",
                                          "__dict__", "__mro__", "__code__", "__builtins__",
                                          "__getattribute__", "__reduce__", "__closure__",
                                          "__func__", "__self__", "__module__", "__loader__",
                                          "__spec__", "__init__", "__new__", "__call__"),
                        T.CRITICAL, "CWE-470", "Access to Python object internals", "attribute"),
        SecurityPattern("frame_access", ("gi_frame", "f_globals", "f_locals", "f_back", "tb_frame",
                                         "co_code", "func_globals", "cr_frame"), T.CRITICAL,
                        "CWE-470", "Access to interpreter frames", "attribute"),
        SecurityPattern("system_access", ("system", "popen", "spawnl", "spawnv", "execv", "execve",
                                          "fork", "kill", "rmtree", "chmod", "chown", "unlink"),
                        T.CRITICAL, "CWE-78", "Operating system command or file API", "call"),
        SecurityPattern("file_access", ("open", "read_text", "write_text", "readlines"), T.HIGH,
                        "CWE-73", "Direct file access without a capability", "call"),
        SecurityPattern("sensitive_path", ("/etc/passwd", "/etc/shadow", "../", "..\\", "~/.ssh",
                                           "/proc/self", "id_rsa"), T.HIGH, "CWE-22",
                        "Path traversal or sensitive file", "string"),
        SecurityPattern("sql_injection", ("drop table", "union select", "' or '1'='1", "or 1=1",
                                          "; delete from", "insert into", "xp_cmdshell"),
                        T.MEDIUM, "CWE-89", "SQL injection fragment", "string"),
        SecurityPattern("shell_injection", ("; rm ", "&& rm", "| sh", "|sh", "$(", "`", "> /dev/",
                                            "wget ", "curl ", "nc -e", "/bin/sh", "/bin/bash"),
                        T.MEDIUM, "CWE-78", "Shell command fragment", "string"),
        SecurityPattern("script_injection", ("<script", "javascript:", "onerror=", "onload="),
                        T.LOW, "CWE-79", "Script injection fragment", "string"),
        SecurityPattern("serialization", ("pickle", "marshal", "shelve", "dill", "cloudpickle"),
                        T.HIGH, "CWE-502", "Unsafe deserialization module", "code"),
        SecurityPattern("network_access", ("socket", "urllib", "requests", "httplib", "ftplib",
                                           "smtplib", "telnetlib", "paramiko"), T.HIGH, "CWE-918",
                        "Network access without a capability", "code"),
    ]
    from mlpy.stdlib.builtin import BUILTIN_NAMES as ml_builtins

    python_only = sorted(name for name in dir(builtins)
                         if name.islower() and not name.startswith("_") and name not in ml_builtins)
    patterns.append(SecurityPattern("python_builtin_call", tuple(python_only), T.LOW, "CWE-676",
                                    "Call of a Python builtin that ML does not provide", "call"))
    dunders = set()
    for typ in (object, type, int, float, str, list, dict, tuple, set, BaseException,
                type(len), type(_library)):
        dunders.update(name for name in dir(typ) if name.startswith("__") and name.endswith("__"))
    patterns.append(SecurityPattern("data_model_access", tuple(sorted(dunders)), T.HIGH, "CWE-470",
                                    "Use of a Python data-model (dunder) name", "code"))
    allowed = {"math", "time", "string", "random", "json", "datetime", "collections", "functional"}
    stdlib = tuple(sorted(set(getattr(sys, "stdlib_module_names", ())) - allowed))
    patterns.append(SecurityPattern("python_module_import", stdlib, T.CRITICAL, "CWE-829",
                                    "Import of a Python module (not an ML module)", "import"))
    return patterns


class AhoCorasick:
    """Multi-needle matcher: a trie with failure links, scanned in one pass."""

    def __init__(self):
        self.goto = [{}]
        self.fail = [0]
        self.out = [[]]

    def add(self, needle, payload):
        state = 0
        for ch in needle:
            nxt = self.goto[state].get(ch)
            if nxt is None:
                nxt = len(self.goto)
                self.goto[state][ch] = nxt
                self.goto.append({})
                self.fail.append(0)
                self.out.append([])
            state = nxt
        self.out[state].append((len(needle), payload))

    def build(self):
        queue = deque(self.goto[0].values())
        while queue:
            state = queue.popleft()
            for ch, nxt in self.goto[state].items():
                queue.append(nxt)
                f = self.fail[state]
                while f and ch not in self.goto[f]:
                    f = self.fail[f]
                target = self.goto[f].get(ch, 0)
                self.fail[nxt] = target if target != nxt else 0
                self.out[nxt] = self.out[nxt] + self.out[self.fail[nxt]]

    def scan(self, text):
        """Yield (start, end, payload) for every needle occurrence."""
        goto, fail, out = self.goto, self.fail, self.out
        state = 0
        for i, ch in enumerate(text):
            while state and ch not in goto[state]:
                state = fail[state]
            state = goto[state].get(ch, 0)
            for length, payload in out[state]:
                yield i + 1 - length, i + 1, payload


def _is_ident_char(ch):
    return ch.isalnum() or ch == "_"


class AdvancedPatternDetector:
    def __init__(self):
        self.patterns = _library()
        self.matcher = AhoCorasick()
        for pattern in self.patterns:
            for needle in pattern.needles:
                self.matcher.add(needle.lower(), pattern)
        self.matcher.build()

    # -- text regions ---------------------------------------------------------
    @staticmethod
    def _regions(source):
        """Classify every character as code ('c'), string ('s') or comment ('#')."""
        kinds = []
        i, n = 0, len(source)
        while i < n:
            ch = source[i]
            if ch == "/" and source.startswith("//", i) and (not kinds or kinds[-1] != "s"):
                end = source.find("\n", i)
                end = n if end < 0 else end
                kinds.extend("#" * (end - i))
                i = end
            elif ch in "\"'":
                j = i + 1
                while j < n and source[j] != ch and source[j] != "\n":
                    j += 2 if source[j] == "\\" else 1
                kinds.extend("s" * (min(j + 1, n) - i))
                i = j + 1
            else:
                kinds.append("c")
                i += 1
        return kinds

    @staticmethod
    def _line_starts(source):
        starts = [0]
        for i, ch in enumerate(source):
            if ch == "\n":
                starts.append(i + 1)
        return starts

    # -- scanning -------------------------------------------------------------
    def scan_code(self, source, filename=None):
        """Scan ML source text; return context-checked PatternMatches."""
        lowered = source.lower()
        kinds = self._regions(source)
        starts = self._line_starts(source)
        matches, line = [], 0
        for start, end, pattern in self.matcher.scan(lowered):
            if self._context_ok(source, kinds, start, end, pattern):
                while line + 1 < len(starts) and starts[line + 1] <= start:
                    line += 1
                matches.append(PatternMatch(pattern, source[start:end],
                                            {"line": line + 1, "column": start - starts[line] + 1}))
        return matches

    def scan_string(self, text):
        """Patterns found inside one string literal value."""
        return [PatternMatch(p, text[s:e]) for s, e, p in self.matcher.scan(text.lower())
                if p.context == "string"]

    def _context_ok(self, source, kinds, start, end, pattern):
        region = kinds[start] if start < len(kinds) else "c"
        if pattern.context == "string":
            return region == "s"
        if region != "c":
            return False
        before = source[start - 1] if start else " "
        after = source[end] if end < len(source) else " "
        if _is_ident_char(before) or _is_ident_char(after):
            return False  # part of a longer identifier
        rest = source[end:end + 40].lstrip()
        if pattern.context == "call":
            return rest.startswith("(")
        if pattern.context == "attribute":
            return before == "." or rest.startswith("(") or rest.startswith("=")
        if pattern.context == "import":
            line_start = source.rfind("\n", 0, start) + 1
            return source[line_start:start].strip() == "import"
        return True


# Characters that look alike in common fonts, folded to one representative
# (a small excerpt of the Unicode TR39 confusables idea).
_CONFUSABLE_FOLD = str.maketrans({"0": "o", "1": "l", "I": "l", "|": "l", "5": "s", "$": "s",
                                  "3": "e", "4": "a", "@": "a", "7": "t", "8": "b", "9": "g"})
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def skeleton(name):
    """Confusable skeleton: NFKD, drop marks, fold look-alike characters, lower-case."""
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return base.translate(_CONFUSABLE_FOLD).lower()


class ConfusableChecker:
    """Flags identifiers that are not dangerous names but look like one ("evaI", "exеc")."""

    def __init__(self, dangerous_names):
        self.dangerous = set(dangerous_names)
        self.skeletons = {}
        for name in dangerous_names:
            self.skeletons.setdefault(skeleton(name), name)

    def scan(self, source):
        found, seen = [], {}
        for m in _IDENTIFIER.finditer(source):
            name = m.group()
            if name in self.dangerous:
                continue
            if name not in seen:
                seen[name] = self.skeletons.get(skeleton(name))
            target = seen[name]
            if target is not None:
                found.append((name, target, m.start()))
        return found
