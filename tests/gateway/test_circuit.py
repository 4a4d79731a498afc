"""The circuit breaker opens after N retryable failures and half-opens after the cool-down,
all on the injected clock."""

from datetime import timedelta

from gateway.circuit import CircuitBreaker, CircuitState


def test_opens_after_consecutive_failures_then_one_trial_closes_it(clock):
    circuit = CircuitBreaker(clock, failures_to_open=3, cooldown=timedelta(seconds=60))
    for _ in range(2):
        circuit.failed()
    assert circuit.state is CircuitState.CLOSED and circuit.allows()
    circuit.failed()
    assert circuit.state is CircuitState.OPEN and not circuit.allows()
    clock.advance(seconds=59)
    assert not circuit.allows()
    clock.advance(seconds=1)
    assert circuit.state is CircuitState.HALF_OPEN
    assert circuit.allows() and not circuit.allows(), "one trial at a time"
    circuit.succeeded()
    assert circuit.state is CircuitState.CLOSED and circuit.allows()


def test_a_failed_trial_opens_it_again_for_a_full_cool_down(clock):
    circuit = CircuitBreaker(clock, failures_to_open=1, cooldown=timedelta(seconds=30))
    circuit.failed()
    clock.advance(seconds=30)
    assert circuit.allows()
    circuit.failed()
    assert circuit.state is CircuitState.OPEN and circuit.reopens_at == clock.now() + timedelta(seconds=30)


def test_a_success_resets_the_count(clock):
    circuit = CircuitBreaker(clock, failures_to_open=2, cooldown=timedelta(seconds=30))
    circuit.failed()
    circuit.succeeded()
    circuit.failed()
    assert circuit.state is CircuitState.CLOSED
