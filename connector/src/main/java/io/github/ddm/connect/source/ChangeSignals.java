package io.github.ddm.connect.source;

import io.github.ddm.SectionStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.redisson.api.RPatternTopic;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the task which of its sections just changed, so that thousands of sections need no read
 * every poll interval: one {@code PSUBSCRIBE} to the change channels of the task's namespace (the
 * broadcast the commit script sends with every change), and each message marks its section due. The
 * message itself is not read: the section's log stays the only source of records.
 *
 * <p>A hint only. Pub/sub may lose a message, and writers in sharded mode (the default on a Redis
 * Cluster) broadcast on sharded channels, which no pattern matches: {@link SectionRounds} still
 * reads every section within a bounded sweep. If the subscription fails, the task logs it and relies
 * on the sweep alone.
 *
 * <p>Started and closed on the task's thread; the callback runs on a Redisson thread.
 */
final class ChangeSignals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeSignals.class);

    private final RPatternTopic topic;
    private final String pattern;
    private final CompletableFuture<Integer> listenerId;

    private ChangeSignals(RPatternTopic topic, String pattern, CompletableFuture<Integer> listenerId) {
        this.topic = topic;
        this.pattern = pattern;
        this.listenerId = listenerId;
    }

    /**
     * Subscribes without waiting (the task's poll never blocks on it, so a stop is never held up);
     * {@code changed} is told of each message on one of {@code byChannel}'s channels. If Redis refuses
     * the subscription, a warning says so and the sweep finds every change.
     */
    static <R> ChangeSignals subscribe(RedissonClient redisson, String namespace, Map<String, R> byChannel,
                                       Consumer<R> changed) {
        String pattern = SectionStore.changeChannelPattern(namespace);
        RPatternTopic topic = redisson.getPatternTopic(pattern, StringCodec.INSTANCE);
        CompletableFuture<Integer> id = topic.addListenerAsync(String.class, (matched, channel, message) -> {
            R section = byChannel.get(channel.toString());
            if (section != null) {
                changed.accept(section);
            }
        }).toCompletableFuture();
        id.whenComplete((ignored, error) -> {
            if (error != null) {
                log.warn("cannot subscribe to {}: the task finds changes by reading every section each sweep instead: {}", pattern,
                        error.toString());
            }
        });
        return new ChangeSignals(topic, pattern, id);
    }

    @Override
    public void close() {
        listenerId.thenAccept(id -> topic.removeListenerAsync(id).whenComplete((ignored, error) -> {
            if (error != null) {
                log.debug("unsubscribing from {} failed: {}", pattern, error.toString());
            }
        }));
    }
}
