"""Moves a CapabilityContext from the CLI into the sandbox child.

The parent embeds serialize_for_subprocess(context) in the sandbox script
(CAPABILITY_CONTEXT_DATA = "..."); the child's setup_capabilities() calls
deserialize_from_subprocess() and activates the result.
"""

import base64
import json
import zlib

from mlpy.runtime.capabilities.context import CapabilityContext, CapabilityToken


class CapabilityContextSerializer:
    FORMAT = "mlpy-capabilities/1"

    def serialize(self, context):
        tokens = [t.to_dict() for _, t in sorted(context.get_all_capabilities().items())]
        body = json.dumps({"format": self.FORMAT, "name": context.name, "tokens": tokens},
                          sort_keys=True)
        return json.dumps({"body": body, "crc32": zlib.crc32(body.encode())}).encode()

    def deserialize(self, data):
        envelope = json.loads(data)
        body = envelope["body"]
        if zlib.crc32(body.encode()) != envelope["crc32"]:
            raise ValueError("capability context checksum mismatch")
        payload = json.loads(body)
        if payload.get("format") != self.FORMAT:
            raise ValueError(f"unknown capability context format {payload.get('format')!r}")
        context = CapabilityContext(payload["name"])
        for token in payload["tokens"]:
            context.add_capability(CapabilityToken.from_dict(token))
        return context

    def serialize_for_subprocess(self, context):
        return base64.b64encode(self.serialize(context)).decode("ascii")

    def deserialize_from_subprocess(self, text):
        return self.deserialize(base64.b64decode(text))
