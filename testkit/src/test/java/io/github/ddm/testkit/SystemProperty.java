package io.github.ddm.testkit;

/**
 * Sets a system property for the length of a try-with-resources block, and puts back the value it
 * had (or clears it) on close. Not thread-safe: system properties are global.
 */
final class SystemProperty implements AutoCloseable {

    private final String key;
    private final String before;

    private SystemProperty(String key) {
        this.key = key;
        this.before = System.getProperty(key);
    }

    /** Sets {@code key} to {@code value}, or clears it if {@code value} is null. */
    static SystemProperty set(String key, String value) {
        SystemProperty property = new SystemProperty(key);
        apply(key, value);
        return property;
    }

    private static void apply(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Override
    public void close() {
        apply(key, before);
    }
}
