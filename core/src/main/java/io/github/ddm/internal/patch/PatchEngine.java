package io.github.ddm.internal.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * RFC 6902 diff and apply (zjsonpatch), configured the way DDM needs them.
 *
 * <p>Diffs never contain {@code move} or {@code copy}: zjsonpatch turns equal values at different
 * places into moves, which are correct but larger and touch members the change did not touch.
 * Removes carry no value. Apply is strict: touching a missing member fails instead of being
 * ignored, so a patch applied to the wrong base is noticed.
 *
 * <p>Stateless and thread-safe.
 */
public final class PatchEngine {

    private static final EnumSet<DiffFlags> DIFF_FLAGS =
            EnumSet.of(DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

    private PatchEngine() {
    }

    /** The patch that turns {@code from} into {@code to}; an empty array when they are equal. */
    public static JsonNode diff(JsonNode from, JsonNode to) {
        return JsonDiff.asJson(from, to, DIFF_FLAGS);
    }

    /**
     * Applies {@code patch} to a copy of {@code base}, all or nothing (see {@link JsonPatchApplier}
     * for why this is not zjsonpatch's apply).
     *
     * @throws PatchFailedException if an operation does not fit the base
     */
    public static JsonNode apply(JsonNode patch, JsonNode base) {
        return JsonPatchApplier.apply(patch, base);
    }

    /**
     * The top-level members a patch touches, in patch order. An operation on the root ({@code ""})
     * touches every member, which the caller expresses by passing them as {@code allMembers}.
     */
    public static Set<String> touchedMembers(JsonNode patch, Iterable<String> allMembers) {
        Set<String> touched = new LinkedHashSet<>();
        for (JsonNode op : patch) {
            if (!addMember(op.path("path").asText(), touched) || !addFrom(op, touched)) {
                allMembers.forEach(touched::add);
                return touched;
            }
        }
        return touched;
    }

    private static boolean addFrom(JsonNode op, Set<String> touched) {
        JsonNode from = op.get("from");
        return from == null || addMember(from.asText(), touched);
    }

    /** Adds the first reference token of a JSON Pointer; false when the pointer is the root. */
    private static boolean addMember(String pointer, Set<String> touched) {
        if (pointer.isEmpty()) {
            return false;
        }
        int end = pointer.indexOf('/', 1);
        String token = pointer.substring(1, end < 0 ? pointer.length() : end);
        touched.add(token.indexOf('~') < 0 ? token : token.replace("~1", "/").replace("~0", "~"));
        return true;
    }

    /** A patch that does not apply to the document it was given. */
    public static final class PatchFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PatchFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
