"""A video a plugin sends by link (a ticket's training video, an SOP's): Meta and Twilio fetch
the link as the file itself, so it must be a direct MP4 or 3GP over https (H.264 video, AAC
audio, 16 MB at most). Any other link (a YouTube or intranet page) would make the provider
refuse the send, so it goes as a link in text, which the contact can open."""

from pydantic import HttpUrl

from gateway.models import Content, MediaKind, OutboundMedia

DIRECT_VIDEO_SUFFIXES = (".mp4", ".3gp", ".3gpp")


def is_direct_video(url: HttpUrl) -> bool:
    """Whether `url` is a video file a provider can fetch: https, its path an .mp4 or .3gp file."""
    return url.scheme == "https" and (url.path or "").lower().endswith(DIRECT_VIDEO_SUFFIXES)


def video_or_link(url: HttpUrl, caption: str) -> Content:
    """The video at `url` with its caption, or, when `url` is no direct video file, the caption
    and the link as text."""
    if is_direct_video(url):
        return Content(media=OutboundMedia(kind=MediaKind.VIDEO, url=url, caption=caption))
    return Content(text=f"{caption}\n{url}")
