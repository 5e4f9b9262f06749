"""The bounded process pool behind ingest and atlas."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing

from veerkracht._pool import WORKER_DIED, bounded_map


def _double(x: int) -> int:
    return 2 * x


def _double_or_die(x: int) -> int:
    if x == 3:
        os._exit(1)  # a worker killed mid-item, as by the OOM killer
    return 2 * x


def _double_or_raise(x: int) -> int:
    if x == 2:
        raise ValueError("kapot")
    return 2 * x


def _failed(item: int, reason: str) -> str:
    return f"{item}: {reason}"


def test_results_in_order_with_a_bounded_number_in_flight() -> None:
    consumed: list[int] = []

    def items() -> Iterator[int]:
        for i in range(20):
            consumed.append(i)
            yield i

    results = bounded_map(_double, items(), workers=2, failed=_failed, per_worker=2)
    with closing(results):
        assert next(results) == 0
        # 4 in flight plus the one refilled after the first result; not all 20 at once
        assert len(consumed) == 5
        assert list(results) == [2 * i for i in range(1, 20)]


def test_an_exception_fails_only_its_item() -> None:
    results = list(bounded_map(_double_or_raise, range(6), workers=2, failed=_failed))
    assert results == [0, 2, "2: onverwachte fout in werkproces: ValueError: kapot", 6, 8, 10]


def test_a_dead_worker_fails_its_items_in_dutch_and_the_rest_goes_on() -> None:
    results = list(bounded_map(_double_or_die, range(12), workers=2, failed=_failed))
    assert len(results) == 12
    assert results[3] == f"3: {WORKER_DIED}"
    failed = [i for i, r in enumerate(results) if isinstance(r, str)]
    # only the items in flight with item 3 (at most 2 x 2) are lost
    assert set(failed) <= {0, 1, 2, 3, 4, 5, 6}
    assert results[7:] == [2 * i for i in range(7, 12)]
    assert all(WORKER_DIED in results[i] for i in failed)


def test_unordered_yields_every_item_once() -> None:
    results = bounded_map(_double, range(10), workers=3, failed=_failed, ordered=False)
    assert sorted(results) == [2 * i for i in range(10)]


def _pid_of(x: int) -> tuple[int, int]:
    return x, os.getpid()


def test_local_first_runs_the_first_item_here_while_workers_start() -> None:
    results = list(
        bounded_map(_pid_of, range(6), workers=2, failed=_failed, local_first=True)
    )
    assert [x for x, _ in results] == list(range(6))
    assert results[0][1] == os.getpid()
    assert all(pid != os.getpid() for _, pid in results[1:])


def test_local_first_failure_is_reported_like_a_worker_failure() -> None:
    results = list(
        bounded_map(_double_or_raise, [2, 3, 4], workers=2, failed=_failed, local_first=True)
    )
    assert results == ["2: onverwachte fout in werkproces: ValueError: kapot", 6, 8]


def _executor(workers: int = 2):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def test_a_shared_executor_serves_several_runs_with_the_same_workers() -> None:
    with _executor() as executor:
        first = list(bounded_map(_pid_of, range(6), workers=2, failed=_failed, executor=executor))
        second = list(bounded_map(_pid_of, range(6), workers=2, failed=_failed, executor=executor))
        # the pool starts its workers on demand (one may start only in the second run)
        pool_pids = set(executor._processes)
    assert [x for x, _ in first] == [x for x, _ in second] == list(range(6))
    # the first run did not shut the pool down: both runs were served by its (≤ 2) workers
    assert {pid for _, pid in first + second} <= pool_pids and len(pool_pids) <= 2
    assert os.getpid() not in {pid for _, pid in first + second}


def test_a_shared_executor_that_breaks_is_replaced_for_the_rest_of_the_run() -> None:
    with _executor() as executor:
        results = list(
            bounded_map(_double_or_die, range(12), workers=2, failed=_failed, executor=executor)
        )
        assert len(results) == 12 and results[3] == f"3: {WORKER_DIED}"
        assert results[7:] == [2 * i for i in range(7, 12)]
        # a later run on the broken pool gets a fresh one of its own
        again = list(bounded_map(_double, range(4), workers=2, failed=_failed, executor=executor))
    assert again == [0, 2, 4, 6]
