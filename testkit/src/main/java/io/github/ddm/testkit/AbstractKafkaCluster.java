package io.github.ddm.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The client-side operations every {@link KafkaCluster} shares; subclasses only start and stop brokers. */
abstract class AbstractKafkaCluster implements KafkaCluster {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

    @Override
    public Admin admin() {
        return Admin.create(new HashMap<>(clientProperties()));
    }

    @Override
    public void createTopic(String name, int partitions, Map<String, String> config) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)))
                    .all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            awaitTopics(admin, Set.of(name), true);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException | TimeoutException e) {
            throw failure("cannot create topic " + name, e);
        }
    }

    @Override
    public void deleteUserTopics() {
        try (Admin admin = admin()) {
            Set<String> topics = admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS).stream()
                    .filter(t -> !t.startsWith("_") && !t.startsWith("connect-"))
                    .collect(Collectors.toSet());
            if (topics.isEmpty()) {
                return;
            }
            admin.deleteTopics(topics).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            awaitTopics(admin, topics, false);
        } catch (ExecutionException | InterruptedException | TimeoutException e) {
            throw failure("cannot delete topics", e);
        }
    }

    private static void awaitTopics(Admin admin, Set<String> topics, boolean present)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Set<String> names = admin.listTopics().names().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            boolean done = present ? names.containsAll(topics) : topics.stream().noneMatch(names::contains);
            if (done) {
                return;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        throw new TimeoutException("topics " + topics + (present ? " did not appear" : " were not deleted") + " within " + ADMIN_TIMEOUT);
    }

    @Override
    public void produce(String topic, String key, String value) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | InterruptedException | TimeoutException e) {
            throw failure("cannot produce to " + topic, e);
        }
    }

    @Override
    public List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProperties());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ddm-testkit-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        if (records.size() < count) {
            throw new AssertionError("expected " + count + " records in " + topic + " within " + timeout + ", got " + records.size());
        }
        return records;
    }

    static IllegalStateException failure(String message, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(message, e instanceof ExecutionException ? e.getCause() : e);
    }
}
