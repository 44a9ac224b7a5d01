"""The package's exception hierarchy.

Every error a user can cause derives from :class:`ArticleAssistantError`, and
its message says what went wrong and what to do about it. The CLI prints the
message on one line; the web app shows it in the page.
"""

from __future__ import annotations


class ArticleAssistantError(Exception):
    """Root of every error this package raises on purpose."""

    #: Whether the same call may succeed if made again unchanged (a server that is restarting),
    #: as opposed to something the user must fix first (a bad input, a full disk, a wrong setting).
    retryable: bool = False


class InputError(ArticleAssistantError):
    """The article given to ``add`` cannot be read or holds no usable text."""


class NotRegularFileError(InputError):
    """The path is a folder, a named pipe, a device or a socket, not a file."""


class InputTooLargeError(InputError):
    """The file or text is larger than the size limit for one article."""


class NotTextError(InputError):
    """The bytes are not text (binary data), or the text holds control characters."""


class UnsupportedFormatError(InputError):
    """A known format that is not accepted: no reader for it, or the settings leave it out."""


class NotAnArticleError(InputError):
    """Readable text that is not an article: a login page, a PDF's syntax, JSON, code."""


class FetchError(InputError):
    """A URL could not be fetched (unreachable, refused, not HTML or text)."""


class URLRefusedError(FetchError):
    """The fetch policy forbids this URL: its scheme, its form, or where it leads."""


class AddressRefusedError(URLRefusedError):
    """A host is, or resolves to, an address the policy forbids (loopback, private...)."""

    def __init__(self, message: str, address: str, kind: str) -> None:
        super().__init__(message)
        self.address = address
        self.kind = kind


class FetchTimeoutError(FetchError):
    """The server did not deliver the page within the fetch deadline."""


class ResponseTooLargeError(FetchError):
    """The page (compressed or decompressed) is larger than the fetch size cap."""


class UnsupportedContentError(FetchError):
    """The server sent something other than an HTML or text page."""


class ArticleNotFoundError(ArticleAssistantError):
    """An article ID that is not in the store."""

    def __init__(self, article_id: str) -> None:
        super().__init__(
            f"No article with ID {article_id!r} in the store. "
            "Run `article-assistant list` to see the stored IDs."
        )
        self.article_id = article_id


class StoreError(ArticleAssistantError):
    """The vector store, or the disk under the data or cache folder, cannot be read or written."""


class StoreUnavailableError(StoreError):
    """The Chroma server cannot be reached, or it went away during a call; the message names its URL."""

    retryable = True


class DiskFullError(StoreError):
    """The filesystem holding the store or the cache is full, over its quota or read-only: nothing
    was written. The store stays readable; free some space (or remount it writable) and retry."""


class StoreMismatchError(StoreError):
    """The store was built with settings (embedder, dimension) other than these."""


class ConfigError(ArticleAssistantError):
    """Settings that contradict each other or name something unknown."""
