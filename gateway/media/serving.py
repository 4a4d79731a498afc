"""A stored file as an HTTP answer, streamed in pieces: for providers fetching a signed link and
for operators downloading through the admin API."""

import mimetypes
from urllib.parse import quote

from aiohttp import hdrs, web

from gateway.ports.media import MediaStore, StoredMedia

FALLBACK_TYPE = "application/octet-stream"
SHOWN_INLINE = ("image/jpeg", "image/png", "image/webp", "audio/", "video/", "text/plain")
"""The only types a browser may show in place: pictures, sound, video and plain text, which run
no script. Anything else (SVG, HTML, a PDF, whose viewer Chrome refuses under the sandbox below)
is downloaded, so a stored file never becomes a page of the gateway's own origin."""
SANDBOXED = "default-src 'none'; sandbox"
"""Every file answer's policy: should a browser open one as a document all the same, it loads
nothing and runs nothing, in an origin of its own."""


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: a plain ASCII `filename` every client reads, and `filename*` in UTF-8 when the
    name holds anything else, so an Arabic or Hindi file name arrives as it was written."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    header = f'{disposition}; filename="{plain}"'
    if plain != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def shown_inline(content_type: str | None) -> bool:
    """Whether a file of this type may be shown in place (SHOWN_INLINE: a whole type, or a
    family ending in "/"), its parameters and case aside."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return any(media_type == shown or (shown.endswith("/") and media_type.startswith(shown)) for shown in SHOWN_INLINE)


def filename_of(stored: StoredMedia) -> str:
    """The file's own name, else its id with the extension its type usually has."""
    if stored.filename:
        return stored.filename
    extension = mimetypes.guess_extension(stored.content_type or "") or ""
    return f"{stored.id}{extension}"


async def serve(
    request: web.Request, media: MediaStore, stored: StoredMedia, *, disposition: str, cache_control: str
) -> web.StreamResponse:
    """Stream the stored file with its type, length and name; a HEAD gets the headers alone.
    An `inline` disposition holds only for a type SHOWN_INLINE, else the file is an attachment.
    Raises NotFound, before any header is sent, when the file is not there to read."""
    if not shown_inline(stored.content_type):
        disposition = "attachment"
    response = web.StreamResponse(
        headers={
            hdrs.CONTENT_TYPE: stored.content_type or FALLBACK_TYPE,
            hdrs.CONTENT_DISPOSITION: content_disposition(disposition, filename_of(stored)),
            hdrs.CACHE_CONTROL: cache_control,
            hdrs.CONTENT_SECURITY_POLICY: SANDBOXED,
            "X-Content-Type-Options": "nosniff",
        }
    )
    response.content_length = stored.size
    if request.method == hdrs.METH_HEAD:
        await response.prepare(request)
        return response
    pieces = aiter(media.chunks(stored.id))
    first = await anext(pieces, b"")
    await response.prepare(request)
    await response.write(first)
    async for piece in pieces:
        await response.write(piece)
    await response.write_eof()
    return response
