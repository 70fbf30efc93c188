"""``python -m newsmirror`` runs the command-line interface."""

from newsmirror.cli import main

main()
