"""What faqbot keeps on disk: the index cache container, its memory-mapped columns, private state
files and the unanswered log."""
