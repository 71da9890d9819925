"""Lightweight phase accounting for the mlpy CLI (see phases.py)."""

from .phases import phase, phase_report, reset_phases

__all__ = ["phase", "phase_report", "reset_phases"]
