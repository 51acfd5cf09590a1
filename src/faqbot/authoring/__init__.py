"""The author's tools: start a corpus (``scaffold``), test it against its article (``check``), and
record what each answer's sources said when it was last reviewed (``lock``). Library code: it
returns data and writes only the files an author asked for; the CLI renders."""
