"""The tick's view cache: an agent is viewed again when its stored value changes, and with the
wall clock also on the slower drift cadence, a bounded number per tick."""

from __future__ import annotations

import math
from functools import partial

from floorwatch.core.codec import encode
from floorwatch.core.config import MetricConfig
from floorwatch.core.replay import decode_lines, fold
from floorwatch.streams.views import ViewCache
from tests.unit.core.builders import at, epoch, team_shift

CONFIG = MetricConfig()
T0 = epoch(3 * 3600)  # "now" in the tests below is T0 + a few seconds
TRACKS = fold(decode_lines([encode(e) for e in team_shift() if e.occurred_at < at(3 * 3600)]), CONFIG).agents


def _cache(drifts: bool, refresh_seconds: float = 30.0, tick_seconds: float = 1.0) -> ViewCache:
    return ViewCache(CONFIG, refresh_seconds=refresh_seconds, tick_seconds=tick_seconds, drifts=drifts)


def _tick(cache: ViewCache, raws: dict[str, bytes], monotonic: float, now: float, tracks=TRACKS) -> dict:
    cache.begin(len(raws), monotonic)
    seen = {}
    for key, raw in raws.items():
        seen[key] = cache.view(key, raw, partial(tracks.__getitem__, key), lambda track: T0 + now).figures
    cache.end()
    return seen


def test_with_the_event_clock_an_unchanged_value_keeps_its_figures_object():
    cache = _cache(drifts=False)
    raws = {key: f"{key}-1".encode() for key in TRACKS}
    first = _tick(cache, raws, 0.0, 1000.0)
    again = _tick(cache, raws, 3600.0, 5000.0)
    assert all(again[key] is first[key] for key in raws)


def test_a_new_stored_value_is_viewed_at_the_next_tick():
    cache = _cache(drifts=False)
    key = next(iter(TRACKS))
    first = _tick(cache, {key: b"v1"}, 0.0, 1000.0)
    second = _tick(cache, {key: b"v2"}, 1.0, 2000.0)
    assert second[key] is not first[key]
    assert second[key].as_of_seconds == T0 + 2000.0


def test_with_the_wall_clock_drift_only_agents_are_viewed_again_after_the_refresh_period():
    cache = _cache(drifts=True, refresh_seconds=30.0)
    raws = {key: f"{key}-1".encode() for key in TRACKS}
    first = _tick(cache, raws, 0.0, 1000.0)
    soon = _tick(cache, raws, 10.0, 1010.0)
    later = _tick(cache, raws, 31.0, 1031.0)
    assert all(soon[key] is first[key] for key in raws)
    assert any(later[key].as_of_seconds == T0 + 1031.0 for key in raws)


def test_drift_refreshes_are_bounded_per_tick_and_each_agent_is_refreshed_once():
    one = next(iter(TRACKS.values()))
    tracks = {f"a{n}": one for n in range(200)}
    cache = _cache(drifts=True, refresh_seconds=30.0, tick_seconds=1.0)
    raws = dict.fromkeys(tracks, b"same")
    _tick(cache, raws, 0.0, 0.0, tracks)
    refreshed_per_tick = []
    for n in range(1, 31):
        seen = _tick(cache, raws, 30.0 + n, 30.0 + n, tracks)
        refreshed_per_tick.append(sum(1 for f in seen.values() if f.as_of_seconds == T0 + 30.0 + n))
    budget = math.ceil(2 * 200 * 1.0 / 30.0)  # twice the steady rate of 200 agents per 30 s
    assert max(refreshed_per_tick) == budget
    assert sum(refreshed_per_tick) == 200  # every agent once, none twice within the period


def test_keys_a_tick_did_not_see_are_forgotten():
    cache = _cache(drifts=False)
    keys = list(TRACKS)[:2]
    _tick(cache, dict.fromkeys(keys, b"x"), 0.0, 1.0)
    _tick(cache, {keys[0]: b"x"}, 1.0, 1.0)
    assert set(cache.held) == {keys[0]}


def test_without_a_walk_the_oldest_views_are_refreshed_first_and_no_more_than_a_walk_would():
    one = next(iter(TRACKS.values()))
    tracks = {f"a{n}": one for n in range(90)}
    cache = _cache(drifts=True, refresh_seconds=30.0, tick_seconds=1.0)
    for n, key in enumerate(tracks):  # viewed one a second: a0 is the oldest
        cache.start(float(n))
        cache.view(key, b"same", partial(tracks.__getitem__, key), lambda track: T0)
    cache.start(40.0)  # a0..a10 are 30 s old or more
    cache.refresh(len(tracks), lambda key, raw: tracks[key], lambda track: T0 + 40.0)
    budget = math.ceil(2 * 90 * 1.0 / 30.0)
    assert list(cache.fresh) == [f"a{n}" for n in range(budget)]
    cache.start(41.0)
    cache.refresh(len(tracks), lambda key, raw: tracks[key], lambda track: T0 + 41.0)
    assert list(cache.fresh) == [f"a{n}" for n in range(budget, 12)]  # the rest of those due, none early


def test_a_dropped_key_is_no_longer_held_nor_refreshed():
    cache = _cache(drifts=True, refresh_seconds=30.0)
    key = next(iter(TRACKS))
    cache.start(0.0)
    cache.view(key, b"v1", partial(TRACKS.__getitem__, key), lambda track: T0)
    assert cache.drop(key) and not cache.drop(key)
    cache.start(100.0)
    cache.refresh(1, lambda k, raw: TRACKS[k], lambda track: T0)
    assert cache.held == {} and cache.fresh == {}


def test_figures_known_from_the_same_stored_value_are_taken_without_decoding_and_kept_while_it_stays():
    agents, members = _cache(drifts=False), _cache(drifts=False)
    raws = {key: f"{key}-1".encode() for key in TRACKS}
    viewed = _tick(agents, raws, 0.0, 1000.0)

    def never_decoded(key: str):
        raise AssertionError(f"{key} decoded again")

    members.begin(len(raws), 1.0)
    for key, raw in raws.items():
        members.view(key, raw, partial(never_decoded, key), lambda track: T0, partial(viewed.get, key))
    members.end()
    assert all(members.held[key].figures is viewed[key] for key in raws)
    key = next(iter(raws))
    newer = members.view(key, b"v2", partial(TRACKS.__getitem__, key), lambda track: T0 + 2000.0, lambda: None)
    assert newer.figures is not viewed[key] and newer.figures.as_of_seconds == T0 + 2000.0
