"""Capability tokens and the per-thread capability context.

The CLI grants the capabilities the program needs (one per imported stdlib
bridge), the sandbox serializes them into the sandbox script
(CAPABILITY_CONTEXT_DATA) and the child activates them with
set_current_context() before user code runs.  safe_call() checks them on
every call of a bridge function that declares capabilities.
"""

import os
import threading
import time

_local = threading.local()


class CapabilityToken:
    def __init__(self, capability_type, resource_patterns=None, expires_at=None, token_id=None):
        self.capability_type = capability_type
        self.resource_patterns = list(resource_patterns or ["*"])
        self.expires_at = expires_at
        self.token_id = token_id or os.urandom(16).hex()

    def is_valid(self):
        return self.expires_at is None or time.time() < self.expires_at

    def matches(self, resource):
        from fnmatch import fnmatchcase  # only needed for resource-scoped checks

        return any(fnmatchcase(resource, p) for p in self.resource_patterns)

    def to_dict(self):
        return {"type": self.capability_type, "patterns": self.resource_patterns,
                "expires_at": self.expires_at, "id": self.token_id}

    @classmethod
    def from_dict(cls, data):
        return cls(data["type"], data["patterns"], data["expires_at"], data["id"])


class CapabilityContext:
    def __init__(self, name="default", parent=None):
        self.name = name
        self.parent = parent
        self._tokens = {}
        self._lock = threading.RLock()

    def add_capability(self, token):
        with self._lock:
            self._tokens[token.capability_type] = token

    def has_capability(self, capability_type, resource=None):
        with self._lock:
            token = self._tokens.get(capability_type)
        if token is not None and token.is_valid() and (resource is None or token.matches(resource)):
            return True
        return self.parent is not None and self.parent.has_capability(capability_type, resource)

    def get_all_capabilities(self):
        with self._lock:
            caps = dict(self.parent.get_all_capabilities()) if self.parent else {}
            caps.update(self._tokens)
            return caps


def get_current_context():
    return getattr(_local, "context", None)


def set_current_context(context):
    _local.context = context
