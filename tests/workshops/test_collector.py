"""The server keeps full garbage collections short: survivors of one are frozen, and settled now and then."""
import gc
import weakref

import pytest

from workshops.background import Collector


@pytest.fixture
def thawed():
    yield
    gc.unfreeze()


class Cycle:
    def __init__(self):
        self.me = self


def test_survivors_of_a_full_collection_are_frozen_and_garbage_cycles_still_go_at_the_settle(settings, thawed):
    settings.INSPRAAK = {**settings.INSPRAAK, "GC_SETTLE_S": 600}
    collector = Collector()
    collector.tick(now=collector.settled)  # the first tick freezes what the application loaded
    assert gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()

    gc.collect()  # a full collection, as CPython starts one
    kept = [Cycle() for _ in range(1000)]
    collector.tick(now=collector.settled + 1)
    assert gc.get_freeze_count() >= frozen + 1000, "the survivors were not frozen"

    one = weakref.ref(kept[0])
    del kept  # garbage now, but frozen cycles are not collected ...
    gc.collect()
    assert one() is not None
    collector.tick(now=collector.settled + 600)  # ... until the settle
    assert one() is None and gc.get_freeze_count() < frozen + 1000


def test_nothing_is_frozen_when_it_is_off(settings, thawed):
    settings.INSPRAAK = {**settings.INSPRAAK, "GC_SETTLE_S": 0}
    gc.unfreeze()
    Collector().tick(now=0)
    assert gc.get_freeze_count() == 0
