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


def test_with_concurrency_n_that_many_turns_run_at_once_and_the_next_waits() -> None:
    queue = GenerationQueue(size=1, timeout_s=10, concurrency=3)
    assert queue.capacity == 4
    tickets = [queue.admit() for _ in range(4)]
    with pytest.raises(BusyError):
        queue.admit()
    inside = threading.Semaphore(0)
    release = threading.Event()
    peak, running = [0], [0]
    lock = threading.Lock()

    def turn(ticket) -> None:  # type: ignore[no-untyped-def]
        with ticket, ticket.turn():
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            inside.release()
            release.wait(5)
            with lock:
                running[0] -= 1

    threads = [threading.Thread(target=turn, args=(t,)) for t in tickets]
    for thread in threads:
        thread.start()
    for _ in range(3):
        assert inside.acquire(timeout=5)
    assert not inside.acquire(timeout=0.3)  # the fourth waits for a free turn
    release.set()
    for thread in threads:
        thread.join(5)
    assert peak[0] == 3 and queue.admitted == 0


def test_retry_after_counts_the_turns_draining_in_parallel() -> None:
    one = GenerationQueue(size=7, timeout_s=10, concurrency=1)
    four = GenerationQueue(size=4, timeout_s=10, concurrency=4)
    for queue in (one, four):
        for _ in range(queue.capacity):
            queue.admit()
    with pytest.raises(BusyError) as single:
        one.admit()
    with pytest.raises(BusyError) as parallel:
        four.admit()
    assert single.value.retry_after == 16  # 8 ahead, 2 s a turn, one at a time
    assert parallel.value.retry_after == 4  # 8 ahead, 2 s a turn, four at a time


def test_a_turn_inside_the_same_requests_turn_is_an_error_not_a_wait() -> None:
    ticket = GenerationQueue(size=1, timeout_s=30).admit()
    # Waiting would end in GenerationTimeoutError after 30 s; the error comes at once instead.
    with ticket.turn(), pytest.raises(RuntimeError, match="already holds the model's turn"), ticket.turn():
        pass
    with ticket.turn():  # the turn was given back and can be taken again
        pass
