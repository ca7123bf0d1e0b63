package io.github.ddm;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Documents with more top-level members than Lua's {@code unpack} takes in one call (about 8,000
 * values), for tests of the commit script's chunked merge-state reads and writes.
 */
final class ManyMembers {

    private ManyMembers() {
    }

    /** {@code {"m0":{"x":0,"y":0}, ..., "m<count-1>":{"x":0,"y":0}}}. */
    static ObjectNode of(int count) {
        ObjectNode document = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < count; i++) {
            document.putObject("m" + i).put("x", 0).put("y", 0);
        }
        return document;
    }

    /** Sets {@code field} to {@code value} inside every member of {@code document}; returns it. */
    static ObjectNode setInEvery(ObjectNode document, String field, int value) {
        document.fields().forEachRemaining(member -> ((ObjectNode) member.getValue()).put(field, value));
        return document;
    }
}
