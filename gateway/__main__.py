"""`python -m gateway` runs the same program as the `wa-gateway` command."""

from gateway.cli import main

raise SystemExit(main())
