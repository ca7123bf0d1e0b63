package io.github.ddm;

import io.github.ddm.schema.Names;
import io.github.ddm.schema.VersionVector;
import java.time.Instant;
import java.util.Objects;

/**
 * A region's request for the other regions' copies of a document, or of a whole section, when it
 * misses changes it cannot get otherwise (one lost on the way, or its own data lost): see
 * docs/regions.md, "Repair". The sink of the region that misses them writes it
 * ({@link SectionStore#requestRepair}); that region's source exports it; every other region's sink
 * answers with snapshots ({@link SectionStore#announceSnapshot}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param section the section concerned
 * @param id the document concerned, or null for the whole section
 * @param region the region that asks
 * @param have the asking copy's clock of the document, or null
 * @param time when it was asked
 * @param streamId where the request is in the region's request stream, or null before it is written
 */
public record RepairRequest(SectionId section, String id, String region, VersionVector have, Instant time, String streamId) {

    /** Validates the names. */
    public RepairRequest {
        Objects.requireNonNull(section, "section");
        Names.requireShortName("region", region);
        Objects.requireNonNull(time, "time");
    }
}
