"""Command line interface (entry point mlpy.cli.app:cli)."""
