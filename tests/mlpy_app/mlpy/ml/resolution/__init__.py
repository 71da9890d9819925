"""Import resolution: which ML names refer to stdlib bridges or .ml modules."""

from .resolver import BridgeInfo, FunctionSignature, ModuleResolver, get_resolver

__all__ = ["BridgeInfo", "FunctionSignature", "ModuleResolver", "get_resolver"]
