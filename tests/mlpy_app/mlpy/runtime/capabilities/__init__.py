"""Capability-based security: tokens granted to a running ML program."""

from .context import CapabilityContext, CapabilityToken, get_current_context, set_current_context

__all__ = ["CapabilityContext", "CapabilityToken", "get_current_context", "set_current_context"]
