"""The `faqbot` command: thin shells over the library (parse, call, render)."""
