package io.github.ddm.connect.source;

import io.github.ddm.SectionStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private final int listenerId;

    private ChangeSignals(RPatternTopic topic, String pattern, int listenerId) {
        this.topic = topic;
        this.pattern = pattern;
        this.listenerId = listenerId;
    }

    /**
     * Subscribes; {@code changed} is told of each message on one of {@code byChannel}'s channels.
     *
     * @return the subscription, or null if Redis refused it (the sweep then finds every change)
     */
    static <R> ChangeSignals subscribe(RedissonClient redisson, String namespace, Map<String, R> byChannel,
                                       Consumer<R> changed) {
        String pattern = SectionStore.changeChannelPattern(namespace);
        RPatternTopic topic = redisson.getPatternTopic(pattern, StringCodec.INSTANCE);
        try {
            int id = topic.addListenerAsync(String.class, (matched, channel, message) -> {
                R section = byChannel.get(channel.toString());
                if (section != null) {
                    changed.accept(section);
                }
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);
            return new ChangeSignals(topic, pattern, id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            log.warn("cannot subscribe to {}: the task finds changes by reading every section each sweep instead: {}", pattern,
                    e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        try {
            topic.removeListener(listenerId);
        } catch (RuntimeException e) {
            log.debug("unsubscribing from {} failed: {}", pattern, e.toString());
        }
    }
}
