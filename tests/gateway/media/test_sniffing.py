import pytest

from gateway.media.limits import MAX_BYTES, kind_of
from gateway.media.sniffing import Checked, Refused, checked
from gateway.models import MediaKind
from tests.gateway.media.samples import (
    animated_webp,
    mp4_start,
    office_document,
    pdf,
    picture,
    webp_claiming,
    windows_program,
)


def test_a_photo_is_kept_as_the_type_its_bytes_show():
    assert checked(picture("JPEG"), "image/jpeg", MediaKind.IMAGE) == Checked("image/jpeg", MediaKind.IMAGE)
    assert checked(picture("PNG"), "image/jpeg", MediaKind.IMAGE) == Checked("image/png", MediaKind.IMAGE)


def test_a_declared_type_with_parameters_and_an_unofficial_name_is_understood():
    assert checked(picture("JPEG"), "IMAGE/JPG; charset=binary", None) == Checked("image/jpeg", MediaKind.IMAGE)


def test_a_pdf_declared_as_a_photo_is_refused_with_the_reason():
    with pytest.raises(Refused) as refused:
        checked(pdf(), "image/jpeg", MediaKind.IMAGE)
    assert refused.value.reason == "the file was declared image/jpeg but its bytes are application/pdf"


def test_a_program_is_refused_whatever_it_claims():
    for declared, said in [("image/jpeg", MediaKind.IMAGE), ("application/pdf", MediaKind.DOCUMENT), (None, None)]:
        with pytest.raises(Refused) as refused:
            checked(windows_program(), declared, said)
        assert refused.value.reason == "the file is application/x-msdownload, which WhatsApp does not accept"


def test_a_program_declared_as_plain_text_is_still_a_program():
    with pytest.raises(Refused, match="x-msdownload"):
        checked(windows_program(), "text/plain", MediaKind.DOCUMENT)


def test_a_document_may_be_any_accepted_type_and_stays_a_document():
    assert checked(pdf(), "application/pdf", MediaKind.DOCUMENT) == Checked("application/pdf", MediaKind.DOCUMENT)
    assert checked(picture("JPEG"), "image/jpeg", MediaKind.DOCUMENT) == Checked("image/jpeg", MediaKind.DOCUMENT)


def test_a_file_its_provider_calls_an_image_but_is_a_pdf_is_refused():
    with pytest.raises(Refused, match="came as image but its bytes are application/pdf"):
        checked(pdf(), "application/pdf", MediaKind.IMAGE)


def test_sound_alone_in_an_mp4_container_is_audio_and_pictures_in_one_are_video():
    assert checked(mp4_start(), "audio/mp4", MediaKind.AUDIO) == Checked("audio/mp4", MediaKind.AUDIO)
    assert checked(mp4_start(), "video/mp4", None) == Checked("video/mp4", MediaKind.VIDEO)
    assert checked(mp4_start(b"M4A "), None, MediaKind.AUDIO) == Checked("audio/mp4", MediaKind.AUDIO)


WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_an_office_document_is_one_whatever_order_its_archive_lists_its_parts_in():
    assert checked(office_document("word/"), WORD, MediaKind.DOCUMENT) == Checked(WORD, MediaKind.DOCUMENT)
    assert checked(office_document("word/", after=5), WORD, MediaKind.DOCUMENT) == Checked(WORD, MediaKind.DOCUMENT)
    assert checked(office_document("xl/", after=5), EXCEL, None) == Checked(EXCEL, MediaKind.DOCUMENT)


def test_an_archive_declared_an_office_document_without_its_part_is_refused():
    with pytest.raises(Refused, match="the file is application/zip, which WhatsApp does not accept"):
        checked(office_document("xl/", after=5), WORD, MediaKind.DOCUMENT)


def test_plain_text_and_csv_have_no_signature_and_are_taken_as_declared():
    assert checked(b"order,qty\n4411,20\n", "text/csv", None) == Checked("text/csv", MediaKind.DOCUMENT)
    assert checked("nota: máquina 3".encode(), "text/plain; charset=utf-8", MediaKind.DOCUMENT) == Checked(
        "text/plain", MediaKind.DOCUMENT
    )


def test_bytes_with_no_signature_declared_as_a_photo_are_refused():
    with pytest.raises(Refused, match="the file's bytes are not image/jpeg"):
        checked(b"order,qty\n4411,20\n", "image/jpeg", MediaKind.IMAGE)
    with pytest.raises(Refused, match="not any type WhatsApp accepts"):
        checked(b"\x00\x01 whatever", None, None)


def test_a_photo_over_whatsapps_limit_is_refused_though_its_type_is_right():
    big = picture("PNG", (1350, 1350), noisy=True, compress_level=0)
    assert len(big) > MAX_BYTES[MediaKind.IMAGE]
    with pytest.raises(Refused, match=r"the image is 5\.\d MB, over WhatsApp's limit of 5\.0 MB"):
        checked(big, "image/png", MediaKind.IMAGE)


def test_a_static_sticker_is_held_to_100_kb_and_an_animated_one_to_500_kb():
    static = picture("WEBP", (200, 200), noisy=True, lossless=True)
    animated = animated_webp(frames=2, size=(160, 160))
    assert 100 * 1024 < len(static) < 500 * 1024 and 100 * 1024 < len(animated) < 500 * 1024
    with pytest.raises(Refused, match="over WhatsApp's limit of 100 KB"):
        checked(static, "image/webp", MediaKind.STICKER)
    assert checked(animated, "image/webp", MediaKind.STICKER) == Checked("image/webp", MediaKind.STICKER)


def test_a_sticker_claiming_a_huge_canvas_is_refused_not_opened():
    with pytest.raises(Refused, match="claims more pixels than any sticker has"):
        checked(webp_claiming((16384, 16384)), "image/webp", MediaKind.STICKER)


def test_a_sticker_relayed_without_a_kind_is_a_sticker():
    assert checked(picture("WEBP"), "image/webp", None) == Checked("image/webp", MediaKind.STICKER)


def test_kinds_of_the_types_whatsapp_accepts():
    assert kind_of("audio/ogg; codecs=opus") is MediaKind.AUDIO
    assert kind_of("video/3gp") is MediaKind.VIDEO
    assert kind_of("application/vnd.ms-excel") is MediaKind.DOCUMENT
    assert kind_of("application/zip") is None
    assert kind_of(None) is None
