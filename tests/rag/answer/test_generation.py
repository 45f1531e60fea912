import threading
import time

import pytest

from rag.answer.generation import GenerationQueue
from rag.errors import BusyError, CancelledError, GenerationTimeoutError


def test_one_generating_and_size_waiting_are_admitted_then_busy() -> None:
    queue = GenerationQueue(size=2, timeout_s=10)
    tickets = [queue.admit() for _ in range(3)]
    with pytest.raises(BusyError) as busy:
        queue.admit()
    assert busy.value.retry_after >= 1 and "busy" in str(busy.value)
    tickets[0].release()
    tickets[0].release()  # releasing twice does not free a second place
    queue.admit()
    with pytest.raises(BusyError):
        queue.admit()


def test_a_ticket_used_as_a_context_manager_gives_its_place_back() -> None:
    queue = GenerationQueue(size=0, timeout_s=10)
    with queue.admit():
        assert queue.admitted == 1
    assert queue.admitted == 0
    queue.admit()


def test_waiting_for_the_model_past_the_deadline_times_out() -> None:
    queue = GenerationQueue(size=1, timeout_s=0.2)
    first, second = queue.admit(), queue.admit()
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with first.turn():
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    started = time.monotonic()
    with pytest.raises(GenerationTimeoutError, match=r"0\.2 s"), second.turn():
        pass
    assert time.monotonic() - started < 2
    release.set()
    thread.join()


def test_a_cancelled_ticket_stops_at_the_next_check() -> None:
    ticket = GenerationQueue(size=0, timeout_s=10).admit()
    ticket.check()
    ticket.cancel()
    with pytest.raises(CancelledError):
        ticket.check()
