package io.github.ddm.cli;

import io.github.ddm.DocumentManager;
import io.github.ddm.RedisClients;
import io.github.ddm.SectionId;
import io.github.ddm.SectionStore;
import io.github.ddm.ValueSharing;
import java.util.ArrayList;
import java.util.List;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One region of the demo and the services that run in it, each with its own Redis connection: desks
 * that write order books (the first desk also writes positions), and a reader whose cache follows
 * both sections, whose listeners time every arrival, and whose sync listeners hear of every conflict
 * the region resolves. {@link #close} stops them all. Not thread-safe: built and closed by the
 * demo's thread; the services themselves are thread-safe.
 */
final class DemoRegion implements AutoCloseable {

    static final SectionId BOOKS = new SectionId("trading", "books");
    static final SectionId POSITIONS = new SectionId("trading", "positions");
    static final String NAMESPACE = "ddm";

    private static final Logger log = LoggerFactory.getLogger(DemoRegion.class);

    final String name;
    /** A connection for reads that are not a service's: section stores, the copies compared. */
    final RedissonClient admin;
    final List<DocumentManager<OrderBook>> desks = new ArrayList<>();
    final DocumentManager<Position> positionDesk;
    final DocumentManager<OrderBook> bookReader;
    final DocumentManager<Position> positionReader;
    final VersionLog bookArrivals = new VersionLog();
    final VersionLog positionArrivals = new VersionLog();
    final ConflictLog conflicts;

    private final String uri;
    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<AutoCloseable> services = new ArrayList<>();

    /**
     * Starts the region's services.
     *
     * @param desks how many book-writing services, at least 1
     */
    DemoRegion(String name, String uri, int desks) {
        this.name = name;
        this.uri = uri;
        this.conflicts = new ConflictLog(name);
        try {
            this.admin = connect();
            for (int d = 0; d < desks; d++) {
                this.desks.add(service(connect(), OrderBook.class, BOOKS, "desk-" + d));
            }
            this.positionDesk = service(clients.get(1), Position.class, POSITIONS, "desk-0");
            RedissonClient readerClient = connect();
            this.bookReader = service(readerClient, OrderBook.class, BOOKS, "reader");
            this.positionReader = service(readerClient, Position.class, POSITIONS, "reader");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        bookReader.addListener(bookArrivals::record);
        positionReader.addListener(positionArrivals::record);
        bookReader.addSyncListener(conflicts);
        positionReader.addSyncListener(conflicts);
    }

    SectionStore store(SectionId section) {
        return SectionStore.open(admin, NAMESPACE, section);
    }

    /** The total of the region's book desks' commits, which count every change they made. */
    long bookCommits() {
        return desks.stream().mapToLong(d -> d.stats().commits()).sum();
    }

    /** Conflicts between regions this region's reader was told of, as its {@code ManagerStats} count them. */
    long conflictsCounted() {
        return bookReader.stats().regionConflicts() + positionReader.stats().regionConflicts();
    }

    private RedissonClient connect() {
        RedissonClient client = RedisClients.create(uri);
        clients.add(client);
        return client;
    }

    private <T> DocumentManager<T> service(RedissonClient client, Class<T> type, SectionId section, String node) {
        DocumentManager<T> manager = DocumentManager.builder(type).redisson(client).namespace(NAMESPACE)
                .section(section.partition(), section.section()).origin(name, node).valueSharing(ValueSharing.SHARED)
                .maxWriteAttempts(1_000).build();
        services.add(manager);
        return manager;
    }

    /** Closes every service, then every connection, even if one fails; a failure is logged, never hides the demo's outcome. */
    @Override
    public void close() {
        List<AutoCloseable> closing = new ArrayList<>();
        for (int i = services.size() - 1; i >= 0; i--) {
            closing.add(services.get(i));
        }
        clients.forEach(client -> closing.add(client::shutdown));
        for (AutoCloseable close : closing) {
            try {
                close.close();
            } catch (Exception e) {
                log.warn("closing a demo service of region {} failed", name, e);
            }
        }
    }
}
