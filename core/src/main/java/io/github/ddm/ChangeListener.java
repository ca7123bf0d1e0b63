package io.github.ddm;

import io.github.ddm.schema.ChangeEvent;

/**
 * Receives every committed change of a section, local or remote: one call per version, each key's
 * versions in commit order, no duplicates. The event carries the key, the versions, the op, the
 * JSON Patch (for updates), the full state (for creates and snapshots) and the origin.
 *
 * <p>Called on a DDM executor thread, after the local cache has the change. Calls for different
 * keys may run concurrently; calls for one key never do. A listener must not block (it would hold
 * up other keys) and must not modify the event's JSON trees. One that throws is logged and counted,
 * and the sync goes on.
 */
@FunctionalInterface
public interface ChangeListener {

    /** @param event the committed change, never null */
    void onChange(ChangeEvent event);
}
