package io.github.ddm.connect;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import io.github.ddm.schema.RecordDecoder;
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
 * <p>This is where the bridge converts an event, once per hop: a Struct the source built from an
 * event is written from that event (one serialisation, no parse), and a record read is parsed once
 * by the one decoder of record forms ({@link RecordDecoder}) into a Struct that hands the sink the
 * decoded event as it is (docs/connector.md, "One conversion per hop").
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
        RecordDecoder.Decoded decoded = ChangeEventData.decode(value);
        if (decoded instanceof RecordDecoder.Control control) {
            return new SchemaAndValue(ControlRecord.SCHEMA, ControlRecord.of(control).toStruct());
        }
        ChangeEvent event = ((RecordDecoder.Change) decoded).event();
        return new SchemaAndValue(ChangeEventData.VALUE_SCHEMA, ChangeEventData.toStruct(event));
    }
}
