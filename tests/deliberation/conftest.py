import pytest
from channels.layers import channel_layers

from workshops import background, hub


@pytest.fixture
async def hub_env():
    """Each test gets its own in-memory layer and hub on its own event loop."""
    channel_layers.backends.clear()
    yield
    await hub.shutdown_hub()
    await background.stop()
    channel_layers.backends.clear()
