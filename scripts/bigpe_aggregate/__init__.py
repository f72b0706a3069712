"""The implementation of scripts/aggregate: export_reader (JSONL in),
stats (intervals and tests), tables (Table 1 and 2 as Markdown, CSV,
LaTeX), figures (learning curves, lineage trees) and gallery (HTML)."""
