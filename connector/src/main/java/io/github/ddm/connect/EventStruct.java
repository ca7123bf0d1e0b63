package io.github.ddm.connect;

import io.github.ddm.schema.ChangeEvent;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * A change event's Struct ({@link ChangeEventData#VALUE_SCHEMA}) that still knows the event it was
 * built from, so that the converter and the sink take the event as it is instead of reading it back
 * from the Struct's JSON text (one conversion per hop, docs/connector.md). Any {@code put} after
 * construction (a transformation changing a field) forgets the event: the Struct is then read back
 * strictly like any other. Equal to a plain Struct with the same schema and values.
 *
 * <p>Not thread-safe, like {@link Struct}.
 */
final class EventStruct extends Struct {

    private ChangeEvent event;

    EventStruct(ChangeEvent event) {
        super(ChangeEventData.VALUE_SCHEMA);
        ChangeEventData.fill(this, event);
        this.event = event;
    }

    /** The event this Struct was built from, or null if a field was changed since. */
    ChangeEvent event() {
        return event;
    }

    @Override
    public Struct put(String fieldName, Object value) {
        event = null;
        return super.put(fieldName, value);
    }

    @Override
    public Struct put(Field field, Object value) {
        event = null;
        return super.put(field, value);
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
        return super.hashCode();
    }
}
