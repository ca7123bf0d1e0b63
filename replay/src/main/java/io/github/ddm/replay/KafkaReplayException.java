package io.github.ddm.replay;

import io.github.ddm.DdmException;
import io.github.ddm.schema.DataKey;

/**
 * Kafka could not be read as a replay or a history lookup needed: the brokers cannot be reached, a
 * topic is missing, the read made no progress for too long or ran past its time limit. Nothing is
 * known to be wrong with the data; a replay can be run again (it is idempotent).
 */
public final class KafkaReplayException extends DdmException {

    private static final long serialVersionUID = 1L;

    /**
     * @param key the document concerned, or null
     * @param message what went wrong
     * @param cause the underlying failure, or null
     */
    public KafkaReplayException(DataKey key, String message, Throwable cause) {
        super(key, message, cause);
    }

    /** @param message what went wrong */
    public KafkaReplayException(String message) {
        super(null, message, null);
    }
}
