package io.github.ddm.connect;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.WireForm;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * A change event's Struct ({@link ChangeEventData#VALUE_SCHEMA}) that still knows the event it was
 * built from, so that the converter and the sink take the event as it is instead of reading it back
 * from the Struct (one conversion per hop, docs/connector.md). Its JSON-text fields ({@code patch},
 * {@code state}, {@code clock}, {@code stamps}, {@code conflicts}) are written only when something
 * reads the Struct's fields (Kafka's JsonConverter, a transformation): {@link ChangeEventConverter}
 * never needs them. Any {@code put} after construction forgets the event: the Struct is then read
 * back strictly like any other. Equal to a plain Struct with the same schema and values.
 *
 * <p>Not thread-safe, like {@link Struct}.
 */
final class EventStruct extends Struct {

    private final ChangeEvent source;
    private ChangeEvent event;
    private boolean textsWritten;

    EventStruct(ChangeEvent event) {
        super(ChangeEventData.VALUE_SCHEMA);
        ChangeEventData.fill(this, event, false);
        this.source = event;
        this.event = event;
    }

    /** The event this Struct was built from, or null if a field was changed since. */
    ChangeEvent event() {
        return event;
    }

    /** Writes the JSON-text fields, once, before anything reads or changes the Struct's values. */
    private void writeTexts() {
        if (!textsWritten) {
            textsWritten = true;
            for (WireForm.Field field : WireForm.FIELDS) {
                if (field.type() == WireForm.Type.JSON) {
                    super.put(field.wireName(), ChangeEventCodec.jsonText(source, field));
                }
            }
        }
    }

    @Override
    public Struct put(String fieldName, Object value) {
        if (source != null) { // null while the constructor fills the Struct
            writeTexts();
            event = null;
        }
        return super.put(fieldName, value);
    }

    @Override
    public Struct put(Field field, Object value) {
        if (source != null) {
            writeTexts();
            event = null;
        }
        return super.put(field, value);
    }

    @Override
    public Object get(String fieldName) {
        writeTexts();
        return super.get(fieldName);
    }

    @Override
    public Object get(Field field) {
        writeTexts();
        return super.get(field);
    }

    @Override
    public Object getWithoutDefault(String fieldName) {
        writeTexts();
        return super.getWithoutDefault(fieldName);
    }

    @Override
    public Byte getInt8(String fieldName) {
        writeTexts();
        return super.getInt8(fieldName);
    }

    @Override
    public Short getInt16(String fieldName) {
        writeTexts();
        return super.getInt16(fieldName);
    }

    @Override
    public Integer getInt32(String fieldName) {
        writeTexts();
        return super.getInt32(fieldName);
    }

    @Override
    public Long getInt64(String fieldName) {
        writeTexts();
        return super.getInt64(fieldName);
    }

    @Override
    public Float getFloat32(String fieldName) {
        writeTexts();
        return super.getFloat32(fieldName);
    }

    @Override
    public Double getFloat64(String fieldName) {
        writeTexts();
        return super.getFloat64(fieldName);
    }

    @Override
    public Boolean getBoolean(String fieldName) {
        writeTexts();
        return super.getBoolean(fieldName);
    }

    @Override
    public String getString(String fieldName) {
        writeTexts();
        return super.getString(fieldName);
    }

    @Override
    public byte[] getBytes(String fieldName) {
        writeTexts();
        return super.getBytes(fieldName);
    }

    @Override
    public <T> List<T> getArray(String fieldName) {
        writeTexts();
        return super.getArray(fieldName);
    }

    @Override
    public <K, V> Map<K, V> getMap(String fieldName) {
        writeTexts();
        return super.getMap(fieldName);
    }

    @Override
    public Struct getStruct(String fieldName) {
        writeTexts();
        return super.getStruct(fieldName);
    }

    @Override
    public void validate() {
        writeTexts();
        super.validate();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Struct other) || !schema().equals(other.schema())) {
            return false;
        }
        for (Field field : schema().fields()) {
            if (!java.util.Objects.deepEquals(get(field), other.get(field))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        writeTexts();
        return super.hashCode();
    }

    @Override
    public String toString() {
        writeTexts();
        return super.toString();
    }
}
