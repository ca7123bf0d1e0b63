package io.github.ddm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.ddm.testkit.junit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/core.md, run as written (DocsExampleTest keeps the two identical). */
class QuickStartIT {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.create();

    // docs:start
    /** A document type: any Jackson-mappable record or POJO. Immutable here, so values can be shared. */
    public record Quote(String symbol, double bid, double ask, List<String> venues) {
        public Quote {
            venues = List.copyOf(venues);
        }

        Quote withBid(double newBid) {
            return new Quote(symbol, newBid, ask, venues);
        }
    }

    @Test
    void quickStart() {
        String redisUri = redis.server().uri(); // e.g. "redis://127.0.0.1:6379"

        try (DocumentManager<Quote> pricer = DocumentManager.builder(Quote.class)
                     .redisUri(redisUri)
                     .section("fx", "quotes")
                     .origin("eu-west", "pricer-1")
                     .valueSharing(ValueSharing.SHARED)
                     .build();
             DocumentManager<Quote> desk = DocumentManager.builder(Quote.class)
                     .redisUri(redisUri)
                     .section("fx", "quotes")
                     .origin("eu-west", "desk-7")
                     .valueSharing(ValueSharing.SHARED)
                     .build()) {

            List<String> seen = new CopyOnWriteArrayList<>();
            desk.addListener(event -> seen.add(event.key().id() + " v" + event.version() + " " + event.op()));

            pricer.set("EURUSD", new Quote("EURUSD", 1.0841, 1.0843, List.of("LMAX", "EBS"))).join();
            Versioned<Quote> v2 = pricer.update("EURUSD", q -> q.withBid(1.0842)).join();
            assertThat(v2.version()).isEqualTo(2);

            // The desk's cache follows by JSON Patch; its reads are local once cached.
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
            Optional<Versioned<Quote>> quote = desk.get("EURUSD").join();
            assertThat(quote).hasValueSatisfying(q -> {
                assertThat(q.value().bid()).isEqualTo(1.0842);
                assertThat(q.version()).isEqualTo(2);
                assertThat(q.origin().node()).isEqualTo("pricer-1");
            });
            assertThat(seen).containsExactly("EURUSD v1 CREATE", "EURUSD v2 UPDATE");
        }
    }
    // docs:end
}
