package io.github.ddm;

/**
 * How a manager's cache holds documents and what a read hands out. Either way the cache keeps one
 * compact copy per document, never a JSON tree beside it.
 */
public enum ValueSharing {

    /**
     * The cache keeps the JSON bytes of each document and every read deserializes a fresh value.
     * Safe for any type, including mutable POJOs; a cache hit costs one deserialization. The default.
     */
    COPY_ON_READ,

    /**
     * The cache keeps the typed value and every read returns that same instance: a cache hit costs
     * about one hash-table lookup. Only for deeply immutable types (records whose collections are
     * unmodifiable, and so on): a caller that changed a shared value would change every reader's view.
     * Mutators passed to {@code update} receive the shared instance too and must return a new value
     * instead of changing it.
     */
    SHARED
}
