"""Two OS processes putting the same messages' files into one media directory keep one whole
file per message, and both are told the same one."""

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from adapters.storage.media.disk import DiskMediaStore
from tests.adapters.storage.media.putter import put_all

MESSAGES = 60


@pytest.mark.slow
async def test_two_processes_keep_one_whole_file_per_message(tmp_path, clock):
    directory = tmp_path / "media"
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(2, mp_context=context) as pool:
        start = manager.Barrier(2)
        futures = [pool.submit(put_all, str(directory), name, MESSAGES, start) for name in ("p1", "p2")]
        first, second = (future.result(timeout=120) for future in futures)

    assert first == second, "both processes were told the same record for each message"
    media = await DiskMediaStore.open(directory, clock)
    try:
        for n, media_id in enumerate(first):
            [record] = await media.of_message(f"m{n}")
            data = await media.read(media_id)
            assert record.id == media_id and hashlib.sha256(data).hexdigest() == record.sha256
            assert data in {f"p1 {n}".encode() * 5000, f"p2 {n}".encode() * 5000}
        assert not list((directory / "tmp").iterdir()), "no temporary file is left behind"
    finally:
        await media.close()
