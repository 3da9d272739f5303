"""Error types that name the source and what was wrong with it."""

from __future__ import annotations


class CapexError(Exception):
    """Base of every error the pipeline raises on purpose (the CLI prints it as one line)."""


class SourceFormatError(CapexError, ValueError):
    """Input that is not what its source should serve: truncated, wrong layout, impossible values.

    `source` names the thing (a file name, a URL, "MSFT companyfacts"); `problem` says what is wrong.
    """

    def __init__(self, source: str, problem: str):
        self.source = source
        self.problem = problem
        super().__init__(f"{source}: {problem}")


class FetchError(CapexError):
    """A live fetch that failed after its retries (the refresh falls back to the last good copy)."""

    def __init__(self, url: str, problem: str):
        self.url = url
        self.problem = problem
        super().__init__(f"{url}: {problem}")
