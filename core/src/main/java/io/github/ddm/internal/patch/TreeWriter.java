package io.github.ddm.internal.patch;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.base.GeneratorBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddm.internal.store.RedisLayout;
import io.github.ddm.schema.CanonicalForm;
import io.github.ddm.schema.InvalidEventException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A generator that builds a document's JSON tree as Jackson serializes the value: the tree in its
 * {@linkplain CanonicalForm canonical} form, checked as it is built against what JSON text and
 * change events cannot carry. One pass instead of four ({@code valueToTree} writes a token buffer
 * and reads it back, then one walk checks the tree and another normalizes its numbers).
 *
 * <p>A problem stops the write with {@link Problem}, which names the pointer where it was found; the
 * codec turns it into the same {@code InvalidDocumentException} its checking walk reports. What a
 * document tree never holds from a plain serializer (raw JSON, binary, embedded objects, a number
 * given as text, a root that is not an object) stops it with {@link Unsupported}: the codec then
 * takes Jackson's own path for that value. Not thread-safe: one instance per write.
 */
final class TreeWriter extends GeneratorBase {

    /** What the codec reports: the problem's text, with {@code {at}} where the pointer goes. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String member;
        private final String pointer;
        private final String problem;

        Problem(String member, String pointer, String problem) {
            super(problem, null, false, false);
            this.member = member;
            this.pointer = pointer;
            this.problem = problem;
        }

        /** The top-level member, or null when the problem is a reserved top-level name. */
        String member() {
            return member;
        }

        String pointer() {
            return pointer;
        }

        String problem() {
            return problem;
        }
    }

    /** The value is left to Jackson's own tree building; thrown without a stack trace. */
    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Unsupported INSTANCE = new Unsupported();

        private Unsupported() {
            super(null, null, false, false);
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int maxDepth;
    /** Whether {@code BigDecimal}s lose their trailing zeros first, as the mapper's own tree reader does. */
    private final boolean stripDecimalZeros;
    /** The open containers; {@code open[0]} is the document. */
    private ContainerNode<?>[] open = new ContainerNode<?>[16];
    /** The member name the next value of each open object goes under (null in an array). */
    private String[] names = new String[16];
    private int depth;
    private ObjectNode root;

    TreeWriter(ObjectCodec codec, int maxDepth, boolean stripDecimalZeros) {
        super(0, codec);
        this.maxDepth = maxDepth;
        this.stripDecimalZeros = stripDecimalZeros;
    }

    /** The document built, once the value has been written. */
    ObjectNode root() {
        if (root == null || depth != 0) {
            throw Unsupported.INSTANCE;
        }
        return root;
    }

    @Override
    public void writeStartObject() {
        _writeContext = _writeContext.createChildObjectContext(null);
        ObjectNode node = NODES.objectNode();
        if (depth == 0) {
            if (root != null) {
                throw Unsupported.INSTANCE;
            }
            root = node;
            open[0] = node;
            depth = 1;
            return;
        }
        push(node);
    }

    @Override
    public void writeStartArray() {
        if (depth == 0) {
            throw Unsupported.INSTANCE; // a document is an object: the codec's own path says so
        }
        _writeContext = _writeContext.createChildArrayContext(null);
        push(NODES.arrayNode());
    }

    private void push(ContainerNode<?> node) {
        add(node);
        if (depth + 1 > maxDepth) {
            throw problem("nests deeper than " + maxDepth + " levels{at} (the document itself is level 1), more than a change "
                    + "event can carry");
        }
        if (depth == open.length) {
            open = java.util.Arrays.copyOf(open, depth * 2);
            names = java.util.Arrays.copyOf(names, depth * 2);
        }
        open[depth] = node;
        names[depth] = null;
        depth++;
    }

    @Override
    public void writeEndObject() {
        end();
    }

    @Override
    public void writeEndArray() {
        end();
    }

    private void end() {
        if (depth == 0) {
            throw Unsupported.INSTANCE;
        }
        _writeContext = _writeContext.clearAndGetParent();
        depth--;
        open[depth] = null;
    }

    @Override
    public void writeFieldName(String name) throws java.io.IOException {
        if (depth == 0 || !(open[depth - 1] instanceof ObjectNode)) {
            throw Unsupported.INSTANCE;
        }
        _writeContext.writeFieldName(name);
        names[depth - 1] = name;
        if (depth == 1 && RedisLayout.isReservedMemberName(name)) {
            throw new Problem(null, null, "top-level member names must not start with the NUL character (reserved for metadata)");
        }
        if (DocumentCodec.hasUnpairedSurrogate(name)) {
            throw problem("holds a member name with an unpaired surrogate{at}, which JSON text cannot carry");
        }
    }

    /** Adds a value to the innermost open container, under the member name written before it. */
    private void add(JsonNode value) {
        if (depth == 0) {
            throw Unsupported.INSTANCE; // a scalar root
        }
        _writeContext.writeValue();
        ContainerNode<?> into = open[depth - 1];
        if (into instanceof ObjectNode) {
            String name = names[depth - 1];
            if (name == null) {
                throw Unsupported.INSTANCE;
            }
            ((ObjectNode) into).set(name, value);
        } else {
            ((ArrayNode) into).add(value);
        }
    }

    @Override
    public void writeString(String text) {
        if (text == null) {
            writeNull();
            return;
        }
        add(NODES.textNode(text));
        if (DocumentCodec.hasUnpairedSurrogate(text)) {
            throw problem("holds a string with an unpaired surrogate{at}, which JSON text cannot carry");
        }
    }

    @Override
    public void writeString(char[] text, int offset, int length) {
        writeString(new String(text, offset, length));
    }

    @Override
    public void writeNumber(int value) {
        add(NODES.numberNode(value));
    }

    @Override
    public void writeNumber(long value) {
        // The canonical integer: an int where it fits, as the change-event codec decodes it.
        add((int) value == value ? NODES.numberNode((int) value) : NODES.numberNode(value));
    }

    @Override
    public void writeNumber(double value) {
        add(NODES.numberNode(value));
        if (!Double.isFinite(value)) {
            throw problem("holds a non-finite number (" + value + "){at}, which JSON text cannot carry");
        }
    }

    @Override
    public void writeNumber(float value) {
        if (!Float.isFinite(value)) {
            add(NODES.numberNode(value));
            throw problem("holds a non-finite number (" + (double) value + "){at}, which JSON text cannot carry");
        }
        canonical(NODES.numberNode(value));
    }

    @Override
    public void writeNumber(BigInteger value) {
        if (value == null) {
            writeNull();
            return;
        }
        canonical(NODES.numberNode(value));
    }

    @Override
    public void writeNumber(BigDecimal value) {
        if (value == null) {
            writeNull();
            return;
        }
        if (stripDecimalZeros) {
            try {
                value = value.stripTrailingZeros();
            } catch (ArithmeticException e) {
                // Scale overflow: Jackson's reader keeps the number as it is then, too.
            }
        }
        canonical(NODES.numberNode(value));
    }

    /** A number of a rarer type, in the form the codec's normalization gives it (and its check). */
    private void canonical(JsonNode number) {
        ArrayNode holder = NODES.arrayNode(1).add(number);
        try {
            CanonicalForm.normalize(holder);
        } catch (InvalidEventException e) {
            add(number);
            String text = number.asText();
            throw problem("holds a number that JSON text cannot carry ("
                    + (text.length() > 40 ? text.substring(0, 20) + "... " + text.length() + " characters" : text) + "){at}");
        }
        add(holder.get(0));
    }

    @Override
    public void writeNumber(String encodedValue) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeBoolean(boolean state) {
        add(NODES.booleanNode(state));
    }

    @Override
    public void writeNull() {
        add(NODES.nullNode());
    }

    @Override
    public void writeFieldName(com.fasterxml.jackson.core.SerializableString name) throws java.io.IOException {
        writeFieldName(name.getValue());
    }

    @Override
    public void writeRawUTF8String(byte[] text, int offset, int length) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeUTF8String(byte[] text, int offset, int length) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRaw(String text) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRaw(String text, int offset, int len) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRaw(char[] text, int offset, int len) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRaw(char c) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRawValue(String text) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRawValue(String text, int offset, int len) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeRawValue(char[] text, int offset, int len) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeBinary(Base64Variant variant, byte[] data, int offset, int length) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void writeEmbeddedObject(Object object) {
        throw Unsupported.INSTANCE;
    }

    @Override
    public void flush() {
    }

    @Override
    protected void _releaseBuffers() {
    }

    @Override
    protected void _verifyValueWrite(String typeMsg) {
    }

    /** A problem with the value just added (or the member name just written): the pointer ends at it. */
    private Problem problem(String text) {
        return new Problem(names[0], pointer(depth), text);
    }

    /**
     * The JSON pointer of the place last written to within the first {@code levels} open containers:
     * each object's current member, each array's last element.
     */
    private String pointer(int levels) {
        StringBuilder pointer = new StringBuilder();
        for (int level = 0; level < levels; level++) {
            ContainerNode<?> container = open[level];
            pointer.append('/');
            if (container instanceof ObjectNode) {
                String name = names[level];
                pointer.append(name == null ? "" : name.replace("~", "~0").replace("/", "~1"));
            } else {
                pointer.append(container.size() - 1);
            }
        }
        return pointer.toString();
    }
}
