package io.github.ddm.replay;

import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.schema.ChangeEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.api.RedissonClient;

/** What a section's Redis log holds now, for tests. */
final class SectionLogs {

    private SectionLogs() {
    }

    /** The versions of document {@code id} in the section's log, oldest first. */
    static List<Long> versionsOf(RedissonClient client, String namespace, SectionId section, String id) throws Exception {
        return SectionStore.open(client, namespace, section).readLog("0-0", 10_000).get(10, TimeUnit.SECONDS).events().stream()
                .filter(e -> e.key().id().equals(id)).map(ChangeEvent::version).toList();
    }
}
