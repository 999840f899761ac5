"""What every command group shares: exit codes and reading the settings."""

from __future__ import annotations

import argparse

from gateway.settings import Settings, load_settings

EXIT_CONFIG = 2
EXIT_RUNTIME = 1


def load(args: argparse.Namespace) -> Settings:
    """The settings from ``--config`` (or the default file and ``GATEWAY_*`` variables)."""
    return load_settings(args.config)
