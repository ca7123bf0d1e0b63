package io.github.ddm.cli;

import io.github.ddm.RedisClients;
import io.github.ddm.RedisDeployment;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.redisson.api.RedissonClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Compares sections between two Redis servers (two regions, or a region and a rebuilt copy):
 * every document's existence, version, content and identity (its clock, docs/regions.md). Reads
 * only. Exit code 1 when they differ, like {@code diff}.
 */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = {"Compares sections between two Redis servers, for example two regions, document by document: "
                + "existence, deletion, version, content and identity (the clock of its merge state); names documents whose "
                + "content is equal but identity differs, and the other way round.",
                "Reads only. Exit code 0 when equal, 1 when something differs, 2 on an error."})
final class DiffCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEFT", description = "The first Redis: a URI without credentials (redis://host:port,"
            + " rediss:// for TLS), or a file of redis.* settings as for --redis-config (a cluster, a sentinel master,"
            + " credentials, client certificates).")
    String left;

    @Parameters(index = "1", paramLabel = "RIGHT", description = "The second Redis, in the same forms.")
    String right;

    @Parameters(index = "2..*", paramLabel = "SECTION",
            description = "Sections to compare (partition.section); without any, every section either side has a log for.")
    List<SectionId> sections = List.of();

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "ddm", description = "The namespace (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--tls-trust", paramLabel = "PEM", description = "A PEM file of the certificates to trust for rediss:// on either side.")
    Path trust;

    @Option(names = "--timeout", defaultValue = "PT30S", paramLabel = "DURATION", description = "How long to wait for each read (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RedisDeployment leftRedis = deployment("LEFT", left);
        RedisDeployment rightRedis = deployment("RIGHT", right);
        String leftName = String.join(",", leftRedis.addresses());
        String rightName = String.join(",", rightRedis.addresses());
        RedissonClient leftClient = RedisClients.create(leftRedis);
        try {
            RedissonClient rightClient = RedisClients.create(rightRedis);
            try {
                List<SectionId> compared = sections.isEmpty() ? discover(leftClient, rightClient) : sections;
                int differing = 0;
                for (SectionId section : compared) {
                    SectionComparison.Result result = SectionComparison.compare(SectionStore.open(leftClient, namespace, section),
                            leftName, SectionStore.open(rightClient, namespace, section), rightName, timeout);
                    if (result.equal()) {
                        out.printf("%s: %d documents, equal (version, content and identity)%n", section, result.documents());
                    } else {
                        differing++;
                        out.printf("%s: %d of %d documents differ%s%n", section, result.differing(), result.documents(), breakdown(result));
                        result.sample().forEach(d -> out.printf("  %s: %s%n", d.id(), d.what()));
                        if (result.differing() > result.sample().size()) {
                            out.printf("  ... and %d more%n", result.differing() - result.sample().size());
                        }
                    }
                }
                if (compared.isEmpty()) {
                    out.printf("no section in namespace %s on either side%n", namespace);
                }
                out.flush();
                return differing == 0 ? 0 : Ddm.DIFFERENT;
            } finally {
                rightClient.shutdown();
            }
        } finally {
            leftClient.shutdown();
        }
    }

    /** How many are equal in content but not in identity, and the other way round, when any is. */
    private static String breakdown(SectionComparison.Result result) {
        List<String> parts = new ArrayList<>();
        int identity = result.count(SectionComparison.Kind.IDENTITY);
        int content = result.count(SectionComparison.Kind.CONTENT);
        if (identity > 0) {
            parts.add(identity + " with equal content but a different identity");
        }
        if (content > 0) {
            parts.add(content + " with one identity but different content");
        }
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    /** A URI (never with credentials: the command line is visible in ps) or a file of redis.* settings. */
    private RedisDeployment deployment(String side, String target) {
        String lower = target.toLowerCase(java.util.Locale.ROOT);
        if (!lower.startsWith("redis://") && !lower.startsWith("rediss://")) {
            if (trust != null) {
                throw new IllegalArgumentException(side + " is a settings file: put the trust in it (redis.tls.certificates),"
                        + " not in --tls-trust");
            }
            return RedisOptions.readConfigFile(Path.of(target), message -> new IllegalArgumentException(side + ": " + message));
        }
        if (RedisClients.redact(target).contains("***@")) {
            throw new IllegalArgumentException(side + " must not carry credentials, which ps and the shell's history would show:"
                    + " name a file of redis.* settings (redis.user, redis.password = ${env:...} or ${file:...}) instead");
        }
        RedisDeployment.Builder builder = RedisDeployment.single(target);
        return (trust == null ? builder : builder.trustPem(trust)).build();
    }

    private List<SectionId> discover(RedissonClient leftClient, RedissonClient rightClient) throws Exception {
        TreeSet<String> seen = new TreeSet<>();
        List<SectionId> found = new ArrayList<>();
        for (RedissonClient client : List.of(leftClient, rightClient)) {
            for (SectionId section : Futures.await(SectionStore.discover(client, namespace, "*", "*"), timeout, "listing the sections")) {
                if (seen.add(section.partition() + "/" + section.section())) {
                    found.add(section);
                }
            }
        }
        return found;
    }
}
