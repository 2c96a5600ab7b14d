"""``python -m dataip``: the same as the ``dataip`` command."""

from dataip.cli import main

raise SystemExit(main())
