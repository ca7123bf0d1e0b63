package io.github.ddm.connect;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.storage.Converter;

/**
 * A Kafka Connect converter that writes DDM change events as exactly the ChangeEvent v1 JSON of
 * the schemas module (what other consumers parse with its codec), and reads them back strictly; it
 * writes and reads the control records of a region's control topic ({@link ControlRecord}) too.
 * Keys are the data key as UTF-8 text. Use it as {@code value.converter} (and
 * {@code key.converter}) for the change topics.
 *
 * <p>A value that is not a valid change event fails with {@link DataException}, which Connect's
 * error handling routes to the dead-letter queue when one is configured. Thread-safe.
 */
public final class ChangeEventConverter implements Converter {

    private boolean isKey;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
    }

    @Override
    public byte[] fromConnectData(String topic, Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        if (isKey) {
            return ChangeEventData.keyBytes(value);
        }
        if (value instanceof Struct struct && ControlRecord.isControlSchema(struct.schema())) {
            return ControlRecord.of(struct).toJson();
        }
        return ChangeEventCodec.encode(ChangeEventData.toEvent(value));
    }

    @Override
    public SchemaAndValue toConnectData(String topic, byte[] value) {
        if (value == null) {
            return SchemaAndValue.NULL;
        }
        if (isKey) {
            return new SchemaAndValue(ChangeEventData.KEY_SCHEMA, new String(value, StandardCharsets.UTF_8));
        }
        if (value.length > 0 && value[0] == '{') {
            com.fasterxml.jackson.databind.JsonNode control = ControlRecord.controlJson(value);
            if (control != null) {
                return new SchemaAndValue(ControlRecord.SCHEMA, ControlRecord.fromJson(control).toStruct());
            }
        }
        ChangeEvent event = ChangeEventData.toEvent(value);
        return new SchemaAndValue(ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event));
    }
}
