"""Search: one normalisation of text and queries, the CLI's FTS5 cache, the site's static index."""
