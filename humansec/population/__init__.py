"""Where people are: age bands, reference areas, population tables and grids (issue 13)."""
