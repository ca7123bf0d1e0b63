package io.github.ddm.benchmarks.redis;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a harness main, checked against the names it knows. Immutable. */
public final class HarnessArgs {

    private final Map<String, String> values;

    private HarnessArgs(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @throws IllegalArgumentException naming an unknown option or one without a value
     */
    public static HarnessArgs parse(Set<String> known, String... args) {
        Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name == null || !known.contains(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: --" + String.join(", --", known));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            values.put(name, args[i + 1]);
        }
        return new HarnessArgs(values);
    }

    public int intValue(String name, int defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        int parsed = Integer.parseInt(value.replace("_", ""));
        if (parsed < 0) {
            throw new IllegalArgumentException("--" + name + " must not be negative, got " + parsed);
        }
        return parsed;
    }

    public String value(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }
}
