"""The channel layer on Redis: channels-redis's publish/subscribe layer, with a receiver that waits.

channels-redis 4.3's receiver asks Redis for the next message with a timeout of a tenth of a
second, and asks again: a process with no message to receive woke ten times a second, and each
ask set up and tore down a timeout. Measured in one process on this project's machine, an idle
subscribed layer took 3.4-3.8 ms of CPU a second, about half of an idle worker's event loop
(bench/README.md, twenty-first round). Here the receiver waits on the socket until Redis sends
something. Everything else is the library's: channel names, the message format, subscribing,
reconnecting (a read that fails is logged, and the next reconnects and subscribes again).

tests/workshops/test_layer.py names the parts of channels-redis this relies on and fails when a
release changes them.
"""
import asyncio
import logging

from channels_redis.pubsub import RedisPubSubChannelLayer, RedisSingleShardConnection

__all__ = ["RedisChannelLayer"]

log = logging.getLogger(__name__)

# How long the receiver waits after a failed read (Redis gone) before it tries again.
RETRY_S = 1.0


class _WaitingShard(RedisSingleShardConnection):
    """One Redis server's connection, whose receiver blocks on the socket instead of polling."""

    async def _do_receiving(self):
        while True:
            try:
                if not (self._pubsub and self._pubsub.subscribed):
                    # Not subscribed (yet, or any more): nothing would come. The library polls here too.
                    await asyncio.sleep(0.1)
                    continue
                # timeout=None: until a message (or a subscription's confirmation, which is None here).
                self._receive_message(await self._pubsub.get_message(ignore_subscribe_messages=True,
                                                                     timeout=None))
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception:
                log.exception("receiving from the channel layer failed; trying again")
                await asyncio.sleep(RETRY_S)


class RedisChannelLayer(RedisPubSubChannelLayer):
    """RedisPubSubChannelLayer whose per-loop layers receive through `_WaitingShard`."""

    def _get_layer(self):
        fresh = asyncio.get_running_loop() not in self._layers
        layer = super()._get_layer()
        if fresh:  # its shards have not connected yet: they connect on first use
            layer._shards = [_WaitingShard(shard.host, layer) for shard in layer._shards]
        return layer
