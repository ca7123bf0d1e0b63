package io.github.ddm;

import io.github.ddm.schema.DataKey;

/**
 * What Redis holds for a document cannot be read: a metadata field is malformed, a member is not
 * JSON, or the JSON does not map to the manager's type. The error names the key and the field.
 * Nothing is cached from such a read, so a later read sees a repaired document.
 */
public final class CorruptDocumentException extends DdmException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public CorruptDocumentException(DataKey key, String redisKey, String field, String reason, Throwable cause) {
        super(key, "corrupt document " + key + " at Redis key " + redisKey + ", field " + printable(field) + ": " + reason, cause);
        this.field = field;
    }

    /** The hash field that could not be read (metadata fields start with NUL), or null for the whole hash. */
    public String field() {
        return field;
    }

    private static String printable(String field) {
        if (field == null) {
            return "(whole document)";
        }
        return field.isEmpty() || field.charAt(0) != '\u0000' ? "'" + field + "'" : "'\\0" + field.substring(1) + "' (metadata)";
    }
}
