package io.github.ddm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A batch write ({@link DocumentManager#setAll}, {@link DocumentManager#updateAll}) in which at
 * least one key failed. Each key of a batch commits on its own, so the keys in
 * {@link #committed()} are committed whatever happened to the others; {@link #failures()} holds
 * each failed key's own exception (a {@link DdmException}, or a mutation's own exception).
 * The first failure is the {@linkplain #getCause() cause}.
 */
public final class BatchWriteException extends DdmException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, Versioned<?>> committed;
    private final transient Map<String, Throwable> failures;

    BatchWriteException(String section, Map<String, ? extends Versioned<?>> committed, Map<String, Throwable> failures) {
        super(null, failures.size() + " of " + (committed.size() + failures.size()) + " writes in " + section
                + " failed (first: " + failures.keySet().iterator().next() + ": "
                + failures.values().iterator().next().getMessage() + "); " + committed.size() + " committed",
                failures.values().iterator().next());
        this.committed = Collections.unmodifiableMap(new LinkedHashMap<>(committed));
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
    }

    /** The versions committed, by id, in the batch's order. */
    public Map<String, Versioned<?>> committed() {
        return committed;
    }

    /** The failures, by id, in the batch's order. */
    public Map<String, Throwable> failures() {
        return failures;
    }
}
