package io.github.ddm.replay;

import io.github.ddm.schema.ChangeEvent;
import io.github.ddm.schema.ChangeEventCodec;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The three ways a record value can hold a change event, written the way the connector writes them:
 * the contract's JSON (ChangeEventConverter), and the connector's Struct through Kafka's real
 * JsonConverter with and without the schema envelope. The Struct schema is a copy of the
 * connector's {@code ChangeEventData.VALUE_SCHEMA} (this module does not depend on the connector).
 */
enum WireForm {
    CONTRACT,
    STRUCT_JSON,
    STRUCT_JSON_ENVELOPE;

    private static final Schema KEY_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.DataKey")
            .field("partition", Schema.STRING_SCHEMA).field("section", Schema.STRING_SCHEMA).field("id", Schema.STRING_SCHEMA)
            .build();
    private static final Schema ORIGIN_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.Origin")
            .field("region", Schema.STRING_SCHEMA).field("node", Schema.STRING_SCHEMA).build();
    static final Schema VALUE_SCHEMA = SchemaBuilder.struct().name("io.github.ddm.ChangeEvent").version(2)
            .doc("A committed change of one DDM document (ChangeEvent v1); patch, state, clock and stamps are JSON text.")
            .field("schema", Schema.INT32_SCHEMA)
            .field("eventId", Schema.STRING_SCHEMA)
            .field("op", Schema.STRING_SCHEMA)
            .field("key", KEY_SCHEMA)
            .field("version", Schema.INT64_SCHEMA)
            .field("prevVersion", Schema.INT64_SCHEMA)
            .field("epoch", Schema.STRING_SCHEMA)
            .field("lineage", Schema.OPTIONAL_STRING_SCHEMA)
            .field("clock", Schema.OPTIONAL_STRING_SCHEMA)
            .field("time", Schema.INT64_SCHEMA)
            .field("origin", ORIGIN_SCHEMA)
            .field("streamId", Schema.OPTIONAL_STRING_SCHEMA)
            .field("patch", Schema.OPTIONAL_STRING_SCHEMA)
            .field("state", Schema.OPTIONAL_STRING_SCHEMA)
            .field("stamps", Schema.OPTIONAL_STRING_SCHEMA)
            .build();

    /** The record value. */
    byte[] encode(ChangeEvent event) {
        return switch (this) {
            case CONTRACT -> ChangeEventCodec.encode(event);
            case STRUCT_JSON -> converter(false).fromConnectData("t", VALUE_SCHEMA, struct(event));
            case STRUCT_JSON_ENVELOPE -> converter(true).fromConnectData("t", VALUE_SCHEMA, struct(event));
        };
    }

    static JsonConverter converter(boolean schemas) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", Boolean.toString(schemas)), false);
        return converter;
    }

    private static String stampsText(ChangeEvent event) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(ChangeEventCodec.encodeToString(event)).get("stamps").toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Struct struct(ChangeEvent event) {
        return new Struct(VALUE_SCHEMA)
                .put("schema", ChangeEventCodec.CURRENT_SCHEMA_VERSION)
                .put("eventId", event.eventId())
                .put("op", event.op().wireCode())
                .put("key", new Struct(KEY_SCHEMA).put("partition", event.key().partition())
                        .put("section", event.key().section()).put("id", event.key().id()))
                .put("version", event.version())
                .put("prevVersion", event.prevVersion())
                .put("epoch", event.epoch())
                .put("lineage", event.lineage())
                .put("clock", event.clock() == null ? null : event.clock().toJson())
                .put("time", event.time().toEpochMilli())
                .put("origin", new Struct(ORIGIN_SCHEMA).put("region", event.origin().region()).put("node", event.origin().node()))
                .put("streamId", event.streamId())
                .put("patch", event.patch() == null ? null : event.patch().toString())
                .put("state", event.state() == null ? null : event.state().toString())
                .put("stamps", event.stamps() == null ? null : stampsText(event));
    }
}
