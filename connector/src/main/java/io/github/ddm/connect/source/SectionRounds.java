package io.github.ddm.connect.source;

import io.github.ddm.SectionStore;
import io.github.ddm.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.connect.source.SourceRecord;
import org.redisson.api.RedissonClient;

/**
 * Reads a task's sections together: each poll reads every section that is due in one round, whose
 * Redis commands go out at once ({@link SectionStore.LogReads}: one pipeline per Redis server), so a
 * poll costs about two round trips however many sections the task has, instead of two per section.
 *
 * <p><b>Which sections a round reads.</b> A section is due when its last read filled its batch
 * (it has more), when its blocking wait or its change broadcast announced a new entry
 * ({@link #woken}, {@link ChangeSignals}), or when its read failed. Besides, each {@code sweep}
 * interval (the poll interval) reads the next {@value #SWEEP_SLICE} sections in turn (all of them
 * when there are no more), so that every section is read at least once per
 * {@code ceil(sections / SWEEP_SLICE)} intervals even if no signal reached the task: a task with
 * 10,000 sections reads 5,000 idle logs a second, not 100,000. A round reads at most about
 * {@code maxRecords} entries: each section of the round gets {@code maxRecords / sections} of them,
 * at least one and at most the batch size.
 *
 * <p><b>One round.</b> An {@code XRANGE} after each section's position; then, for each section that
 * got entries (or needs the log's counters while idle), an {@code XINFO STREAM} read after it, which
 * proves that no entry was lost between the position and the batch ({@link SectionReader#accept}).
 * A section expected to have entries (it had more last time) gets its {@code XINFO} in the same
 * pipeline, right behind its {@code XRANGE}: one round trip. Sections that still need their start
 * position get an {@code XINFO} round first; sections in a snapshot take their step one by one.
 *
 * <p><b>Read-ahead.</b> When a poll hands records to Connect, the next round of the sections that
 * have more is sent at once: Redis and the decoding work while the worker converts, produces and
 * commits the records. Nothing changes in a reader until its read is taken ({@link SectionReader#accept}),
 * so records and offsets are exactly those of reading afterwards; a read that fails is read again.
 *
 * <p>Confined to the task's poll thread, except {@link #woken}, which any thread may call.
 */
final class SectionRounds {

    /** Sections a sweep reads: the idle reads per poll interval, whatever the number of sections. */
    static final int SWEEP_SLICE = 500;

    /** Bound of one round's wait for Redis. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final RedissonClient redisson;
    private final List<SectionReader> readers;
    private final int batchSize;
    private final int maxRecords;
    private final long sweepNanos;
    /** Sections to read in the next round even if no sweep is due. */
    private final Set<SectionReader> due = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ConcurrentLinkedQueue<SectionReader> wokenQueue = new ConcurrentLinkedQueue<>();
    private long lastSweepNanos;
    private boolean swept;
    /** Where the next sweep's slice starts, in {@link #readers}. */
    private int sweepCursor;
    /** The read-ahead round, sent when the last poll returned records. */
    private List<Read> ahead;

    SectionRounds(RedissonClient redisson, List<SectionReader> readers, int batchSize, int maxRecords, Duration sweep) {
        this.redisson = redisson;
        this.readers = List.copyOf(readers);
        this.batchSize = batchSize;
        this.maxRecords = maxRecords;
        this.sweepNanos = sweep.toNanos();
    }

    /** One section's log read in flight: the position it reads after, the batch, and the log's info if asked with it. */
    private record Read(SectionReader reader, String after, int count, CompletableFuture<SectionStore.LogBatch> batch,
                        CompletableFuture<SectionStore.LogInfo> info) {
    }

    /** Notes that a section's blocking wait saw a new entry: it is read in the next round. Any thread. */
    void woken(SectionReader reader) {
        wokenQueue.add(reader);
    }

    /**
     * Reads one round of the due sections into {@code out}.
     *
     * @return whether a section may have more to read right away
     * @throws StoreUnavailableException if a read failed: the sections read without failure are in
     *     {@code out} all the same; those that failed are read again by the next round
     */
    boolean poll(List<SourceRecord> out) throws InterruptedException {
        for (SectionReader woken; (woken = wokenQueue.poll()) != null; ) {
            due.add(woken);
        }
        Failures failures = new Failures();
        start(failures);
        boolean more = false;
        for (SectionReader reader : readers) {
            if (reader.inSnapshot()) {
                if (out.size() >= maxRecords) {
                    more = true;
                    continue;
                }
                try {
                    more |= reader.snapshotStep(out, batchSize);
                } catch (StoreUnavailableException e) {
                    failures.add(e);
                }
            }
        }
        List<Read> reads = ahead == null ? new ArrayList<>() : ahead;
        ahead = null;
        long now = System.nanoTime();
        boolean sweep = !swept || now - lastSweepNanos >= sweepNanos;
        if (sweep) {
            swept = true;
            lastSweepNanos = now;
        }
        Set<SectionReader> reading = Collections.newSetFromMap(new IdentityHashMap<>());
        reads.forEach(r -> reading.add(r.reader()));
        List<SectionReader> toRead = new ArrayList<>();
        int size = readers.size();
        int slice = sweep ? Math.min(SWEEP_SLICE, size) : 0;
        int sliceStart = sweepCursor;
        if (slice > 0) {
            sweepCursor = (sweepCursor + slice) % size; // no sections (a task of repair requests only): nothing to sweep
        }
        for (int i = 0; i < size; i++) {
            SectionReader reader = readers.get(i);
            boolean inSlice = (i - sliceStart + size) % size < slice;
            if (!reading.contains(reader) && reader.readPosition() != null && (inSlice || due.contains(reader))) {
                toRead.add(reader);
            }
        }
        // the read-ahead round and the snapshot steps already took part of this poll's budget
        int taken = out.size() + reads.stream().mapToInt(Read::count).sum();
        reads.addAll(send(toRead, maxRecords - taken));
        more |= take(reads, out, failures);
        failures.throwFirst();
        return more;
    }

    /**
     * Sends the next round of the sections that have more, ahead of the next poll; called when a poll
     * returns records. Nothing is sent when no section has more.
     */
    void readAhead() {
        if (ahead != null || due.isEmpty()) {
            return;
        }
        List<SectionReader> next = new ArrayList<>();
        for (SectionReader reader : readers) {
            if (due.contains(reader) && reader.readPosition() != null) {
                next.add(reader);
            }
        }
        ahead = send(next, maxRecords);
    }

    /** The sections to watch while idle: the most recently active first, at most {@code max}. */
    List<SectionReader> watchOrder(int max) {
        if (readers.size() <= max) {
            return readers;
        }
        List<SectionReader> order = new ArrayList<>(readers);
        order.sort(Comparator.comparingLong(SectionReader::lastRecordNanos).reversed());
        return order.subList(0, max);
    }

    /** Resolves the start of the sections that need it, from one pipelined XINFO each. */
    private void start(Failures failures) throws InterruptedException {
        List<SectionReader> starting = new ArrayList<>();
        for (SectionReader reader : readers) {
            if (reader.needsStart()) {
                starting.add(reader);
            }
        }
        if (starting.isEmpty()) {
            return;
        }
        SectionStore.LogReads infos = SectionStore.logReads(redisson);
        List<CompletableFuture<SectionStore.LogInfo>> pending = new ArrayList<>(starting.size());
        for (SectionReader reader : starting) {
            pending.add(infos.logInfo(reader.store()));
        }
        infos.send();
        for (int i = 0; i < starting.size(); i++) {
            SectionReader reader = starting.get(i);
            try {
                reader.start(RedisWait.await(pending.get(i), CALL_TIMEOUT, "describe the log of " + reader.section()));
                due.add(reader);
            } catch (StoreUnavailableException e) {
                failures.add(e);
            }
        }
    }

    /**
     * Sends one pipelined log read per section, sharing out {@code budget} entries (at least one
     * each); the info goes with it for a section expected to have entries.
     */
    private List<Read> send(List<SectionReader> sections, int budget) {
        if (sections.isEmpty()) {
            return new ArrayList<>();
        }
        int count = Math.max(1, Math.min(batchSize, budget / sections.size()));
        SectionStore.LogReads round = SectionStore.logReads(redisson);
        List<Read> reads = new ArrayList<>(sections.size());
        for (SectionReader reader : sections) {
            String after = reader.readPosition();
            CompletableFuture<SectionStore.LogBatch> batch = round.readLog(reader.store(), after, count);
            CompletableFuture<SectionStore.LogInfo> info = due.contains(reader) ? round.logInfo(reader.store()) : null;
            reads.add(new Read(reader, after, count, batch, info));
        }
        round.send();
        return reads;
    }

    /** Waits for the reads, asks for the infos still needed (one more pipelined round), and hands each reader its read. */
    private boolean take(List<Read> reads, List<SourceRecord> out, Failures failures) throws InterruptedException {
        Map<Read, SectionStore.LogBatch> batches = new IdentityHashMap<>();
        SectionStore.LogReads infos = SectionStore.logReads(redisson);
        Map<Read, CompletableFuture<SectionStore.LogInfo>> lateInfos = new IdentityHashMap<>();
        for (Read read : reads) {
            try {
                SectionStore.LogBatch batch = RedisWait.await(read.batch(), CALL_TIMEOUT, "read the log of " + read.reader().section());
                batches.put(read, batch);
                if (read.info() == null && (batch.entries() > 0 || read.reader().wantsInfoWhenEmpty())) {
                    lateInfos.put(read, infos.logInfo(read.reader().store()));
                }
            } catch (StoreUnavailableException e) {
                failures.add(e);
                due.add(read.reader());
            }
        }
        infos.send();
        boolean more = false;
        for (Read read : reads) {
            SectionStore.LogBatch batch = batches.get(read);
            if (batch == null) {
                continue;
            }
            SectionReader reader = read.reader();
            try {
                CompletableFuture<SectionStore.LogInfo> pending = read.info() != null ? read.info() : lateInfos.get(read);
                SectionStore.LogInfo info = pending == null ? null
                        : RedisWait.await(pending, CALL_TIMEOUT, "describe the log of " + reader.section());
                boolean has = reader.accept(read.after(), batch, info, out, read.count());
                if (has) {
                    due.add(reader);
                } else {
                    due.remove(reader);
                }
                more |= has;
            } catch (StoreUnavailableException e) {
                failures.add(e);
                due.add(reader);
            }
        }
        return more;
    }

    /** The failures of one round: the first is thrown once every other section's read was taken. */
    private static final class Failures {
        private StoreUnavailableException first;
        private int count;

        void add(StoreUnavailableException e) {
            if (first == null) {
                first = e;
            }
            count++;
        }

        void throwFirst() {
            if (first != null) {
                if (count > 1) {
                    first.addSuppressed(new StoreUnavailableException(count - 1 + " more section read(s) of the same round failed",
                            null));
                }
                throw first;
            }
        }
    }
}
