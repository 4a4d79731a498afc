"""How long the mongo adapter keeps trying an idempotent operation, and what it never retries."""

import pytest
from pymongo.errors import AutoReconnect, DuplicateKeyError, NotPrimaryError

from adapters.storage.mongo.retry import Retry


class Flaky:
    """An operation that fails with `error` the first `failures` times."""

    def __init__(self, error: Exception, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


@pytest.fixture
def pauses() -> list[float]:
    return []


@pytest.fixture
def retry(pauses) -> Retry:
    async def note(seconds: float) -> None:
        pauses.append(seconds)

    return Retry(sleep=note)


async def test_an_election_long_failure_is_ridden_out_with_growing_pauses(retry, pauses):
    operation = Flaky(NotPrimaryError("not primary"), failures=len(retry.pauses))
    assert await retry.run("queue.get", operation) == "done"
    assert pauses == sorted(pauses) and 30 <= sum(pauses) <= 35, "long enough for a 10-12 s election, bounded"


async def test_a_failure_that_outlasts_the_pauses_is_raised(retry, pauses):
    operation = Flaky(AutoReconnect("connection reset"), failures=100)
    with pytest.raises(AutoReconnect):
        await retry.run("queue.get", operation)
    assert operation.calls == len(retry.pauses) + 1


async def test_bad_data_is_never_retried(retry, pauses):
    operation = Flaky(DuplicateKeyError("E11000"), failures=1)
    with pytest.raises(DuplicateKeyError):
        await retry.run("queue.get", operation)
    assert operation.calls == 1 and pauses == []
