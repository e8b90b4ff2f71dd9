package io.switchd.bridge;

import io.switchd.testing.Fabric;
import io.switchd.testing.MemoryFabric;

/** The forwarding behaviour over memory ports. */
class MemoryBridgeTest extends PortPolicyBehaviourTest {
    @Override
    protected Fabric createFabric() {
        return new MemoryFabric();
    }
}
