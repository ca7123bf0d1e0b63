package io.github.ddm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Resolves references in configuration values, so that a file can name a secret instead of holding
 * it: a value that is exactly {@code ${env:NAME}} becomes the environment variable {@code NAME}, and
 * {@code ${file:PATH}} the content of the file (one trailing line break removed, as files written
 * by {@code echo} or Kubernetes secrets end). Any other value is kept as it is; a value is resolved
 * once, so a secret that happens to look like a reference is not resolved again.
 *
 * <p>Used by {@link ManagerProperties} (a service's configuration file) and the CLI's
 * {@code --redis-config}. The Kafka connector does not use it: on a Connect worker, Kafka's own
 * config providers (with their {@code allowed.paths}) decide what a submitted configuration may
 * read. Stateless and thread-safe.
 */
public final class ConfigReferences {

    private ConfigReferences() {
    }

    /**
     * A copy of {@code values} with every reference resolved from the process's environment.
     *
     * @throws IllegalArgumentException naming the key whose reference cannot be resolved (a variable
     *     that is not set, a file that cannot be read), never the value it would have had
     */
    public static Map<String, String> resolve(Map<String, String> values) {
        return resolve(values, System::getenv);
    }

    /** As {@link #resolve(Map)}, with the environment given (for tests). */
    static Map<String, String> resolve(Map<String, String> values, Function<String, String> environment) {
        Objects.requireNonNull(values, "values");
        Map<String, String> resolved = new LinkedHashMap<>();
        values.forEach((key, value) -> resolved.put(key, resolveOne(key, value, environment)));
        return resolved;
    }

    private static String resolveOne(String key, String value, Function<String, String> environment) {
        if (value == null) {
            return null;
        }
        String text = value.strip();
        if (!text.startsWith("${") || !text.endsWith("}")) {
            return value;
        }
        String body = text.substring(2, text.length() - 1);
        if (body.startsWith("env:")) {
            String name = body.substring(4);
            String found = name.isEmpty() ? null : environment.apply(name);
            if (found == null) {
                throw new IllegalArgumentException(key + " refers to the environment variable '" + name + "', which is not set");
            }
            return found;
        }
        if (body.startsWith("file:")) {
            Path file = Path.of(body.substring(5));
            try {
                String content = Files.readString(file, StandardCharsets.UTF_8);
                if (content.endsWith("\r\n")) {
                    return content.substring(0, content.length() - 2);
                }
                return content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
            } catch (IOException e) {
                throw new IllegalArgumentException(key + " refers to the file " + file + ", which cannot be read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        return value;
    }
}
