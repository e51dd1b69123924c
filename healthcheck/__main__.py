"""`python -m healthcheck ...` runs the command-line interface."""

from healthcheck.cli import main

raise SystemExit(main())
