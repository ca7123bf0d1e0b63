package io.github.ddm.schema;

/**
 * Where a change was written: the writer's region and node, both short names (see
 * {@link Names}). The origin travels with every event so that replication between regions never
 * loops and concurrent writes can be ordered the same way everywhere.
 *
 * <p>The constructor fails with an {@link IllegalArgumentException} whose message names the part,
 * e.g. {@code "Origin.region must match [A-Za-z0-9._-]{1,64}, got 'eu west'"}; null parts are
 * rejected the same way.
 *
 * <p>Immutable and thread-safe.
 *
 * @param region the writer's region, a short name, never null
 * @param node the writer's node within the region, a short name, never null
 */
public record Origin(String region, String node) {

    /**
     * Validates the parts.
     *
     * @param region the region, a short name
     * @param node the node, a short name
     * @throws IllegalArgumentException if a part is null or invalid; the message names the part
     */
    public Origin {
        Names.requireShortName("Origin.region", region);
        Names.requireShortName("Origin.node", node);
    }

    /**
     * Returns the origin with the given parts.
     *
     * @param region the region, a short name
     * @param node the node, a short name
     * @return the origin, never null
     * @throws IllegalArgumentException if a part is null or invalid; the message names the part
     */
    public static Origin of(String region, String node) {
        return new Origin(region, node);
    }

    /** Returns {@code region/node}, e.g. {@code eu-west-1/node-7}. */
    @Override
    public String toString() {
        return region + '/' + node;
    }
}
