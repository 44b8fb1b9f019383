"""The `observatory disclosure` commands (registered in observatory/cli.py)."""

from __future__ import annotations

import csv
import sys

import click


@click.group()
def disclosure() -> None:
    """How published figures are protected (docs/decisions/0018)."""


@disclosure.command("ptable")
def disclosure_ptable() -> None:
    """Print the perturbation table as CSV: count, noise, probability.

    The table may be published (it says how much a figure can move, never which way a given
    figure moved: that depends on the secret record keys, which are never shown).
    """
    from observatory.disclosure.perturbation import perturbation_table

    table = perturbation_table()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["count", "noise", "probability"])
    for count, noise, probability in table.as_rows():
        label = f"{count}+" if count > table.max_noise else str(count)
        out.writerow([label, noise, f"{probability:.6f}"])
