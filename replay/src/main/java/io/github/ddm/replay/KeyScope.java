package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.schema.DataKey;
import java.util.Objects;

/**
 * Which documents a read or a replay is about: all of them, one section, or one key. Records of
 * other documents are passed over by their record key, without decoding their value.
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface KeyScope {

    /** Every document. */
    static KeyScope all() {
        return All.INSTANCE;
    }

    /**
     * The documents of one section.
     *
     * @throws NullPointerException if {@code section} is null
     */
    static KeyScope section(SectionId section) {
        return new Section(Objects.requireNonNull(section, "section"));
    }

    /**
     * One document.
     *
     * @throws NullPointerException if {@code key} is null
     */
    static KeyScope key(DataKey key) {
        return new Key(Objects.requireNonNull(key, "key"));
    }

    /** Whether the document {@code key} is in scope. */
    boolean matches(DataKey key);

    /**
     * Whether a record whose key is {@code recordKey} ({@code partition/section/id}) may be in scope.
     * Partition and section never contain {@code /}, so a prefix test is exact.
     */
    boolean admitsRecordKey(String recordKey);

    /** Every document. */
    record All() implements KeyScope {
        private static final All INSTANCE = new All();

        @Override
        public boolean matches(DataKey key) {
            return true;
        }

        @Override
        public boolean admitsRecordKey(String recordKey) {
            return true;
        }

        @Override
        public String toString() {
            return "all documents";
        }
    }

    /** @param section the section, never null */
    record Section(SectionId section) implements KeyScope {
        public Section {
            Objects.requireNonNull(section, "section");
        }

        @Override
        public boolean matches(DataKey key) {
            return key.partition().equals(section.partition()) && key.section().equals(section.section());
        }

        @Override
        public boolean admitsRecordKey(String recordKey) {
            String p = section.partition();
            String s = section.section();
            return recordKey.length() > p.length() + s.length() + 2 && recordKey.startsWith(p)
                    && recordKey.charAt(p.length()) == '/' && recordKey.startsWith(s, p.length() + 1)
                    && recordKey.charAt(p.length() + 1 + s.length()) == '/';
        }

        @Override
        public String toString() {
            return "section " + section.partition() + "/" + section.section();
        }
    }

    /** @param key the document, never null */
    record Key(DataKey key) implements KeyScope {
        public Key {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean matches(DataKey other) {
            return key.equals(other);
        }

        @Override
        public boolean admitsRecordKey(String recordKey) {
            return recordKey.equals(key.toString());
        }

        @Override
        public String toString() {
            return "key " + key;
        }
    }
}
