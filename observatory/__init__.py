"""Observatoire citoyen de la médiation numérique: the core, organised by domain."""

__version__ = "0.1.0"
