package io.github.ddm.cli;

import io.github.ddm.SectionId;
import io.github.ddm.replay.KafkaReplay;
import io.github.ddm.replay.RecordError;
import io.github.ddm.replay.ReplayListener;
import io.github.ddm.replay.ReplayProgress;
import io.github.ddm.replay.ReplaySummary;
import io.github.ddm.replay.TopicNaming;
import io.github.ddm.schema.DataKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Rebuilds documents in a Redis from the Kafka topics the DDM source connector wrote, through
 * {@link KafkaReplay}: one document, one section, or everything (disaster recovery). Safe to repeat.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rebuilds documents in a Redis from the Kafka topics the DDM source connector wrote: the newest "
                + "snapshot of each document, then its later changes in order. Never moves a document backwards; safe to "
                + "run again.", "Exit code 0 when the target holds every document at its newest version in the topics, "
                + "1 when some could not be brought up to date (the summary says which), 2 on an error."})
final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    RedisOptions redis;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]", description = "Kafka's bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "More Kafka consumer properties; repeatable. Not for secrets (sasl.jaas.config, passwords), which"
                    + " ps and the shell's history would show: put those in --kafka-config.")
    Map<String, String> kafkaProperties = new HashMap<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "A file of Kafka consumer properties (security settings with their secrets, for example).")
    Path kafkaConfig;

    // No defaultValue attribute: picocli would read the template's ${partition} as one of its variables.
    @Option(names = "--topic-template", paramLabel = "TEMPLATE",
            description = "The source connector's source.topic.template (default: ddm.$${region}.$${partition}.$${section}):"
                    + " with $${region}, every region's topics of the scope are read; a name without placeholders is one"
                    + " topic for every section.")
    String topicTemplate = TopicNaming.DEFAULT_TEMPLATE;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    /** Exactly one of: every topic, a section, a document. */
    static final class Scope {
        @Option(names = "--all", required = true, description = "Every document in every topic the template fits.")
        boolean all;

        @Option(names = "--section", required = true, paramLabel = "SECTION", description = "The documents of one section.")
        SectionId section;

        @Option(names = "--key", required = true, arity = "2", paramLabel = "SECTION ID", hideParamSyntax = true,
                description = "One document: its section and its id, for example --key trading.books book-7.")
        List<String> key;
    }

    @Override
    public Integer call() {
        DataKey key = scope.key == null ? null : parseKey(scope.key); // bad arguments fail before any I/O
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> kafka = kafkaSettings();
        RedissonClient client = redis.connect();
        try {
            KafkaReplay replay = KafkaReplay.builder().kafka(kafka).redisson(client).namespace(redis.namespace)
                    .topicNaming(TopicNaming.template(topicTemplate)).listener(new Progress(out)).build();
            ReplaySummary summary;
            if (scope.all) {
                summary = replay.replayAll();
            } else if (scope.section != null) {
                summary = replay.replaySection(scope.section);
            } else {
                summary = replay.replayKey(key);
            }
            report(summary, out);
            return summary.complete() ? 0 : Ddm.DIFFERENT;
        } finally {
            client.shutdown();
        }
    }

    /** The consumer settings: the file's, then --kafka-property's (never a secret), then the bootstrap servers. */
    private Map<String, Object> kafkaSettings() {
        Map<String, Object> kafka = new HashMap<>();
        if (kafkaConfig != null) {
            Properties file = new Properties();
            try (Reader in = Files.newBufferedReader(kafkaConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--kafka-config: cannot read " + kafkaConfig + ": " + e.getMessage(), e);
            }
            file.stringPropertyNames().forEach(name -> kafka.put(name, file.getProperty(name)));
        }
        for (String key : kafkaProperties.keySet()) {
            if (isSecret(key)) {
                throw new ParameterException(spec.commandLine(), "--kafka-property " + key + " holds a secret, which ps and the"
                        + " shell's history would show: put it in a file given with --kafka-config");
            }
        }
        kafka.putAll(kafkaProperties);
        kafka.put("bootstrap.servers", bootstrapServers);
        return kafka;
    }

    /** Kafka client settings whose values are secrets. */
    static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.equals("sasl.jaas.config") || lower.equals("ssl.keystore.key") || lower.contains("password")
                || lower.contains("secret");
    }

    /** The section (as for other commands) and the id. */
    private DataKey parseKey(List<String> sectionAndId) {
        if (sectionAndId.size() != 2) {
            throw new ParameterException(spec.commandLine(), "--key takes one section and one id, given once");
        }
        try {
            SectionId section = SectionId.parse(sectionAndId.get(0));
            return DataKey.of(section.partition(), section.section(), sectionAndId.get(1));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--key: " + e.getMessage(), e);
        }
    }

    private static void report(ReplaySummary s, PrintWriter out) {
        out.printf("replayed %s from %s in %.1f s%n", s.scope(), s.topics(), s.elapsed().toMillis() / 1e3);
        out.printf("  %d records read, %d events of %d documents: %d applied, %d already there, %d superseded by a later "
                + "snapshot%n", s.recordsRead(), s.events(), s.keys(), s.applied(), s.duplicates(), s.superseded());
        if (!s.complete()) {
            out.printf("  NOT COMPLETE: %d invalid records, %d unappliable events, %d gaps; %d documents are behind the topics%n",
                    s.invalid(), s.unappliable(), s.gaps(), s.keysBehind());
            s.keysBehindSample().stream().limit(20).forEach(k -> out.printf("    behind: %s%n", k));
            s.invalidRecords().stream().limit(20).forEach(e -> out.printf("    invalid: %s%n", e));
            s.unappliableRecords().stream().limit(20).forEach(e -> out.printf("    unappliable: %s%n", e));
        } else {
            out.println("  complete: the target holds every document at its newest version in the topics");
        }
        out.flush();
    }

    /** Prints progress lines as the replay reports them. */
    private static final class Progress implements ReplayListener {
        private final PrintWriter out;

        Progress(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void onProgress(ReplayProgress p) {
            out.printf("  %s: %d records read, %d applied, %d left%n", p.phase().name().toLowerCase(Locale.ROOT),
                    p.recordsRead(), p.applied(), p.remaining());
            out.flush();
        }

        @Override
        public void onInvalidRecord(RecordError error) {
            out.printf("  invalid record: %s%n", error);
            out.flush();
        }
    }
}
