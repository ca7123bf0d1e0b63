package io.github.ddm.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.ddm.testkit.junit.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

class ServerExtensionTest {

    /** Misuse: an instance field, so JUnit never calls beforeAll and no server would ever start. */
    static class InstanceFieldRegistration {
        @RegisterExtension
        final RedisServerExtension redis = RedisServerExtension.create();

        @Test
        void usesRedis() {
            redis.server();
        }
    }

    @Test
    void instanceFieldRegistration_failsWithAClearMessage() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(InstanceFieldRegistration.class))
                .execute()
                .testEvents()
                .assertThatEvents()
                .haveExactly(1, event(test("usesRedis"), finishedWithFailure(
                        instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.contains("static field")))));
    }
}
