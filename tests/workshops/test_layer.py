"""The Redis channel layer (workshops.layer): channels-redis's, with a receiver that waits for Redis.

On a real Redis (TEST_REDIS_URL): messages arrive, an idle receiver does not ask again and again,
and a receiver whose connection Redis dropped subscribes again and goes on.
"""
import asyncio
import contextlib
import inspect
import uuid

import pytest
import redis
from channels_redis import pubsub

from workshops.layer import RedisChannelLayer, _WaitingShard


def test_the_parts_of_channels_redis_it_relies_on_are_there():
    # Per-loop layers kept in `_layers` and made by `_get_layer`, each with `_shards` made from a host.
    assert "_get_layer" in vars(pubsub.RedisPubSubChannelLayer)
    assert list(inspect.signature(pubsub.RedisSingleShardConnection).parameters) == ["host", "channel_layer"]
    source = inspect.getsource(pubsub.RedisPubSubLoopLayer.__init__)
    assert "self._shards = [" in source and "RedisSingleShardConnection(host, self)" in source
    assert "self._layers = {}" in inspect.getsource(pubsub.RedisPubSubChannelLayer.__init__)
    # The receiver's task runs `_do_receiving`, which hands each message to `_receive_message`.
    assert "self._do_receiving()" in inspect.getsource(pubsub.RedisSingleShardConnection._ensure_receiver)
    shard = pubsub.RedisSingleShardConnection({"address": "redis://127.0.0.1:1/0"}, None)
    assert {"_pubsub", "host"} <= set(vars(shard))
    assert callable(pubsub.RedisSingleShardConnection._receive_message)


def layer(redis_url: str) -> RedisChannelLayer:
    return RedisChannelLayer(hosts=[{"address": redis_url}], prefix=f"test-layer-{uuid.uuid4().hex[:8]}:")


@pytest.mark.asyncio
async def test_messages_arrive_and_an_idle_receiver_waits_without_asking_again(redis_url, monkeypatch):
    receiver, sender = layer(redis_url), None
    channel = await receiver.new_channel()
    await receiver.group_add("workshop-1", channel)
    loop_layer = receiver._get_layer()
    assert all(isinstance(shard, _WaitingShard) for shard in loop_layer._shards)
    sender = RedisChannelLayer(hosts=[{"address": redis_url}], prefix=receiver._kwargs["prefix"])
    try:
        await sender.group_send("workshop-1", {"type": "stream.events", "n": 1})
        async with asyncio.timeout(5):
            assert (await receiver.receive(channel))["n"] == 1

        asks = 0
        shard = loop_layer._shards[0]
        get_message = shard._pubsub.get_message

        async def counted(*args, **kwargs):
            nonlocal asks
            asks += 1
            return await get_message(*args, **kwargs)

        monkeypatch.setattr(shard._pubsub, "get_message", counted)
        await sender.group_send("workshop-1", {"type": "stream.events", "n": 2})  # the waiting ask returns
        async with asyncio.timeout(5):
            assert (await receiver.receive(channel))["n"] == 2
        await asyncio.sleep(0.6)  # polling at the library's 0.1 s would have asked six times more
        assert asks <= 2
    finally:
        await receiver.flush()
        await sender.flush()


@pytest.mark.asyncio
async def test_a_receiver_that_redis_dropped_subscribes_again_and_goes_on(redis_url, monkeypatch):
    monkeypatch.setattr("workshops.layer.RETRY_S", 0.05)
    receiver = layer(redis_url)
    sender = RedisChannelLayer(hosts=[{"address": redis_url}], prefix=receiver._kwargs["prefix"])
    channel = await receiver.new_channel()
    await receiver.group_add("workshop-2", channel)
    admin = redis.Redis.from_url(redis_url)
    try:
        await sender.group_send("workshop-2", {"type": "stream.events", "n": 1})
        async with asyncio.timeout(5):
            assert (await receiver.receive(channel))["n"] == 1
        host, port = receiver._get_layer()._shards[0]._pubsub.connection._writer.get_extra_info("sockname")[:2]
        assert admin.client_kill_filter(_type="pubsub", addr=f"{host}:{port}") == 1  # its connection, no other
        got = None
        async with asyncio.timeout(10):
            while got is None:  # until the receiver is back: what was published while it was away is lost
                await sender.group_send("workshop-2", {"type": "stream.events", "n": 2})
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.2):
                        got = await receiver.receive(channel)
        assert got["n"] == 2
    finally:
        admin.close()
        await receiver.flush()
        await sender.flush()
