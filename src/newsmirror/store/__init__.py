"""The archive on disk: article files, the committed index, and the rebuildable cache."""
