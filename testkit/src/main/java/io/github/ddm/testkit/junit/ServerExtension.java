package io.github.ddm.testkit.junit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Shared lifecycle of testkit's JUnit 5 extensions: the server starts once per test class
 * (before all), its state is reset before each test, and it stops after all tests of the class,
 * whether they passed or not. Test methods can also receive the server as a parameter.
 *
 * <p>Register on a {@code static} field with {@code @RegisterExtension}.
 *
 * @param <S> the server type
 */
public abstract class ServerExtension<S extends AutoCloseable>
        implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, ParameterResolver {

    private final Class<S> type;
    private volatile S server;

    ServerExtension(Class<S> type) {
        this.type = type;
    }

    /**
     * The running server.
     *
     * @throws IllegalStateException outside the lifecycle of the test class
     */
    public S server() {
        S current = server;
        if (current == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not started: register it on a static field with @RegisterExtension");
        }
        return current;
    }

    /** Starts the server. */
    abstract S startServer();

    /** Brings the server back to a clean state between tests. */
    abstract void reset(S server);

    @Override
    public void beforeAll(ExtensionContext context) {
        if (server == null) {
            server = startServer();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            throw new ExtensionConfigurationException(getClass().getSimpleName()
                    + " must be registered on a static field (it starts once per class)");
        }
        reset(server);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        S current = server;
        server = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == type;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return server();
    }
}
