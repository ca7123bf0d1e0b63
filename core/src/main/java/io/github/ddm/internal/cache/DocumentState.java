package io.github.ddm.internal.cache;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A document's content as one write produced it, in every form that write already has: the
 * canonical JSON tree, the typed value, the JSON bytes and the size. It travels whole from the
 * writer through the commit's outcome and this node's own-commit registry into the cache, so that
 * each form is computed at most once per write, and none is computed that nobody needs.
 *
 * <p>Immutable as long as nobody changes {@code tree}, {@code value} or {@code bytes}, and nobody
 * does: the tree is shared with the section's recent trees, the value with the caller of the write
 * (and, with {@code SHARED}, with every reader).
 *
 * @param tree the document's JSON tree in canonical form, never null
 * @param value the typed value the tree was made from (the mutation's own result, or the value the
 *     caller set), never null
 * @param bytes the tree's compact JSON bytes, or null when the write did not need them
 * @param size an upper bound of the document's JSON size in bytes
 * @param measured the document's JSON size when it was last measured exactly, 0 when never
 * @param <T> the document type
 */
public record DocumentState<T>(ObjectNode tree, T value, byte[] bytes, long size, long measured) {
}
