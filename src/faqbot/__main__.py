"""`python -m faqbot` is the `faqbot` command."""

from faqbot.cli.main import main

raise SystemExit(main())
