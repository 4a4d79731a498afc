"""One module a scenario of issue 7; each `run(options)` returns its rows of the report."""
