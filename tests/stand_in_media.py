"""A local server standing in for the hosts providers serve contacts' files from, and for Meta's
media API: files by path (hanging, failing, oversize, lying about their type, behind credentials),
redirects to another host (Twilio's), Meta's media id resolved to a URL that expires, uploads
received, and any other POST (a send, a read receipt) taken and kept in `posted`, so a whole
gateway can point a provider's API base at it. Every request is recorded with its headers, so a test can see which host was
sent which credentials, and large files count the bytes they wrote before the reader hung up."""

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web

CHUNK_BYTES = 64 * 1024


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Upload:
    """A file posted to Meta's `/{phone_number_id}/media`, with the form's other fields."""

    phone_number_id: str
    fields: dict[str, str]
    data: bytes
    filename: str | None
    content_type: str | None


@dataclass
class _File:
    data: bytes
    content_type: str | None
    status: int = 200
    hang: bool = False
    filename: str | None = None
    private: bool = False
    size: int | None = None
    """Set for a large file: that many zero bytes, streamed, never held."""
    declare_length: bool = True
    redirect: str | None = None


@dataclass
class _MetaMedia:
    path: str
    mime_type: str
    file_size: int
    expired: int
    expired_status: int
    urls_issued: int = 0


@dataclass
class StandInMedia:
    """Serve with `start`; register what to serve with `file`, `large_file`, `redirect` and
    `meta_media`. `authorization` is the header value a private file (and Meta's API) demands."""

    authorization: str | None = None
    requests: list[Request] = field(default_factory=list)
    uploads: list[Upload] = field(default_factory=list)
    posted: list[bytes] = field(default_factory=list)
    """The bodies of POSTs other than uploads: sends and read receipts."""
    sent: dict[str, int] = field(default_factory=dict)
    """Bytes a large file wrote before its reader stopped, by path."""

    def __post_init__(self) -> None:
        self._files: dict[str, _File] = {}
        self._meta: dict[str, _MetaMedia] = {}
        self._meta_files: dict[str, _MetaMedia] = {}
        self._finished: dict[str, asyncio.Event] = {}
        self._upload_answers: deque[tuple[int, object]] = deque()
        self._upload_ids = itertools.count(1)
        self._released = asyncio.Event()
        self.app = web.Application(client_max_size=256 * 1024 * 1024)
        self.app.router.add_route("*", "/{tail:.*}", self._handle)
        self.app.on_shutdown.append(self._release_hanging)

    async def start(self, aiohttp_server, host: str = "127.0.0.1") -> "StandInMedia":
        """Serve on a local port; `base` is then its URL. `host="localhost"` names the same
        loopback server by another host name, so two stand-ins are two origins, as in production."""
        server = await aiohttp_server(self.app)
        self.base = f"http://{host}:{server.port}"
        return self

    def url(self, path: str) -> str:
        return self.base + path

    # ------------------------------------------------------------ what to serve

    def file(
        self,
        path: str,
        data: bytes = b"",
        *,
        content_type: str | None = "application/octet-stream",
        status: int = 200,
        hang: bool = False,
        filename: str | None = None,
        private: bool = False,
    ) -> str:
        """Serve `data` at `path` (or answer `status`, or never answer while `hang`, until the
        server stops); returns its URL. `content_type` is what the header says, whatever the
        bytes are."""
        self._files[path] = _File(data, content_type, status, hang, filename, private)
        return self.url(path)

    def large_file(self, path: str, size: int, *, content_type: str, declare_length: bool = True) -> str:
        """Stream `size` bytes, with or without a Content-Length saying so; `sent[path]` then
        counts what was written before the reader hung up (see `finished`)."""
        self._files[path] = _File(b"", content_type, size=size, declare_length=declare_length)
        self._finished[path] = asyncio.Event()
        return self.url(path)

    def redirect(self, path: str, to: str, *, private: bool = False) -> str:
        """Answer `path` with a 302 to `to`, as Twilio's media URL does to its file host."""
        self._files[path] = _File(b"", None, status=302, private=private, redirect=to)
        return self.url(path)

    def meta_media(
        self,
        media_id: str,
        data: bytes,
        *,
        mime_type: str,
        file_size: int | None = None,
        expired: int = 0,
        expired_status: int = 404,
        version: str = "v25.0",
    ) -> None:
        """Meta's two steps: `GET /{version}/{media_id}` answers the file's URL, type and size
        (`file_size` may lie), and the URL serves the file with the bearer token. The first
        `expired` URLs handed out answer `expired_status`, as one read after its ~5 minutes does."""
        path = f"/lookaside/{media_id}"
        media = _MetaMedia(path, mime_type, len(data) if file_size is None else file_size, expired, expired_status)
        self._meta[f"/{version}/{media_id}"] = self._meta_files[path] = media
        self.file(path, data, content_type=mime_type, private=True)

    def then_upload(self, status: int, body: object) -> "StandInMedia":
        """Answer the next upload with `status` and `body` instead of taking it."""
        self._upload_answers.append((status, body))
        return self

    async def finished(self, path: str, timeout: float = 5.0) -> int:
        """Wait until the large file at `path` stopped writing; the bytes it wrote."""
        async with asyncio.timeout(timeout):
            await self._finished[path].wait()
        return self.sent[path]

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path.startswith(path)]

    # ------------------------------------------------------------ serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(Request(request.method, request.path, dict(request.headers)))
        if request.method == "POST" and request.path.endswith("/media"):
            return await self._upload(request)
        if request.method == "POST":
            self.posted.append(await request.read())
            return web.json_response(_ACCEPTED, status=201 if request.path.endswith("Messages.json") else 200)
        if request.path in self._meta:
            return self._resolve(request)
        path, issued = request.path.rsplit("/", 1)
        if path in self._meta_files and issued.isdigit():
            return await self._meta_file(request, self._meta_files[path], int(issued))
        served = self._files.get(request.path)
        if served is None:
            return _meta_error(404, 100, "the stand-in has no file here")
        return await self._serve(request, request.path, served)

    def _authorized(self, request: web.Request) -> bool:
        return self.authorization is None or request.headers.get("Authorization") == self.authorization

    def _resolve(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _meta_error(401, 190, "Invalid OAuth access token")
        media = self._meta[request.path]
        media.urls_issued += 1
        body = {
            "messaging_product": "whatsapp",
            "url": self.url(f"{media.path}/{media.urls_issued}"),
            "mime_type": media.mime_type,
            "sha256": "stand-in",
            "file_size": media.file_size,
            "id": request.path.rsplit("/", 1)[1],
        }
        return web.json_response(body)

    async def _meta_file(self, request: web.Request, media: _MetaMedia, issued: int) -> web.StreamResponse:
        if issued <= media.expired:
            return web.Response(status=media.expired_status, text="URL signature expired")
        return await self._serve(request, media.path, self._files[media.path])

    async def _serve(self, request: web.Request, path: str, served: _File) -> web.StreamResponse:
        if served.private and not self._authorized(request):
            return web.Response(status=401, text="credentials required")
        if served.hang:
            await self._released.wait()
        if served.redirect is not None:
            raise web.HTTPFound(served.redirect)
        if served.status != 200:
            return web.Response(status=served.status, text=f"stand-in answered {served.status}")
        headers = {"Content-Type": served.content_type} if served.content_type else {}
        if served.filename:
            headers["Content-Disposition"] = f'attachment; filename="{served.filename}"'
        if served.size is None:
            return web.Response(body=served.data, headers=headers)
        return await self._stream(request, path, served, headers)

    async def _stream(self, request: web.Request, path: str, served: _File, headers: dict) -> web.StreamResponse:
        response = web.StreamResponse(headers=headers)
        if served.declare_length:
            response.content_length = served.size
        else:
            response.enable_chunked_encoding()
        self.sent[path] = 0
        try:
            await response.prepare(request)
            chunk = bytes(CHUNK_BYTES)
            while self.sent[path] < served.size:
                piece = chunk[: served.size - self.sent[path]]
                await response.write(piece)
                self.sent[path] += len(piece)
            await response.write_eof()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._finished[path].set()
        return response

    async def _release_hanging(self, app: web.Application) -> None:
        self._released.set()

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _meta_error(401, 190, "Invalid OAuth access token")
        if self._upload_answers:
            status, body = self._upload_answers.popleft()
            return web.json_response(body, status=status)
        fields, data, filename, content_type = {}, b"", None, None
        async for part in await request.multipart():
            if part.name == "file":
                data, filename, content_type = await part.read(), part.filename, part.headers.get("Content-Type")
            else:
                fields[part.name] = await part.text()
        phone_number_id = request.path.split("/")[-2]
        self.uploads.append(Upload(phone_number_id, fields, data, filename, content_type))
        media_id = f"upload-{next(self._upload_ids)}"
        self.meta_media(media_id, data, mime_type=content_type or "application/octet-stream")
        return web.json_response({"id": media_id})


_ACCEPTED = {"messages": [{"id": "wamid.OUT1"}], "sid": "SM-OUT1", "data": {"message_id": "myop-OUT1"}}
"""An answer every provider's send reads its message id from."""


def _meta_error(status: int, code: int, message: str) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "OAuthException", "code": code}}, status=status)

