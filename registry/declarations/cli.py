"""Declaration commands: bulk filing, watch scan."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
