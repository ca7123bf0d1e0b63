package io.github.ddm;

/** How changes are broadcast. */
public enum PubSubMode {
    /** Sharded pub/sub on a Redis Cluster, classic pub/sub otherwise. The default. */
    AUTO,
    /** {@code PUBLISH}/{@code SUBSCRIBE}: on a cluster, every message reaches every node. */
    CLASSIC,
    /** {@code SPUBLISH}/{@code SSUBSCRIBE} (Redis 7+): a message reaches only its slot's shard. */
    SHARDED
}
