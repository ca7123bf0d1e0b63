package io.github.ddm.internal.store;

import io.github.ddm.CorruptDocumentException;
import io.github.ddm.StoreUnavailableException;
import io.github.ddm.internal.merge.MergeState;
import io.github.ddm.schema.ChangeOp;
import io.github.ddm.schema.DataKey;
import io.github.ddm.schema.Origin;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.redisson.api.RBatch;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.RedisConnectionException;
import org.redisson.client.RedisException;
import org.redisson.client.RedisNoScriptException;
import org.redisson.client.RedisTimeoutException;
import org.redisson.client.codec.StringCodec;

/**
 * Reads and commits the documents of one section in Redis. Every commit is one EVALSHA of the
 * commit script (see docs/core.md); every read is one EVALSHA of a read script, so that a
 * document and its section epoch are read in the same atomic step.
 *
 * <p>Thread-safe. Returned futures complete on Redisson's threads: callers must not block in
 * their continuations.
 */
public final class RedisDocumentStore {

    private static final LuaScript COMMIT = LuaScript.load("commit.lua");
    private static final LuaScript LOAD = LuaScript.load("load.lua");
    private static final LuaScript PROJECT = LuaScript.load("project.lua");
    private static final LuaScript LOAD_MERGE = LuaScript.load("load_merge.lua");
    private static final LuaScript ANSWERED = LuaScript.load("answered.lua");

    private final RScript script;
    private final RedisLayout layout;
    private final String partition;
    private final String section;
    private final String publishCommand;
    private final String logMaxLength;

    /**
     * @param shardedPubSub publish with SPUBLISH (Redis Cluster) instead of PUBLISH
     * @param logMaxLength approximate bound of the section log (XADD MAXLEN ~), 0 for none
     */
    public RedisDocumentStore(RedissonClient redisson, RedisLayout layout, String partition, String section,
                              boolean shardedPubSub, long logMaxLength) {
        this.script = redisson.getScript(StringCodec.INSTANCE);
        this.layout = layout;
        this.partition = partition;
        this.section = section;
        this.publishCommand = shardedPubSub ? "SPUBLISH" : "PUBLISH";
        this.logMaxLength = Long.toString(logMaxLength);
    }

    /** The layout of this section's keys. */
    public RedisLayout layout() {
        return layout;
    }

    /**
     * Records that this region answered {@code region}'s request for the whole section, made at
     * {@code askedAt} (epoch ms); keeps the latest time per region.
     */
    public CompletableFuture<Void> recordSectionAnswer(String region, long askedAt) {
        String key = layout.answeredKey();
        return this.<List<Object>>evalSha(ANSWERED, RScript.Mode.READ_WRITE, key, List.of(key), region, Long.toString(askedAt))
                .thenApply(ignored -> null);
    }

    /**
     * Reads a document and the section epoch.
     *
     * @return a future failing with {@link CorruptDocumentException} if the hash cannot be read,
     *     or {@link StoreUnavailableException} if Redis cannot be reached
     */
    public CompletableFuture<StoredDocument> load(String id) {
        String key = layout.documentKey(id);
        return this.<List<Object>>evalSha(LOAD, RScript.Mode.READ_ONLY, key, List.of(key, layout.epochKey()))
                .thenApply(reply -> parseLoad(id, key, reply));
    }

    /**
     * Reads a few members of a document, with its metadata and the section epoch.
     *
     * @return the stored document holding only the requested members that exist
     */
    public CompletableFuture<StoredDocument> project(String id, List<String> members) {
        String key = layout.documentKey(id);
        return this.<List<Object>>evalSha(PROJECT, RScript.Mode.READ_ONLY, key, List.of(key, layout.epochKey()),
                        members.toArray())
                .thenApply(reply -> parseProjection(id, key, members, reply));
    }

    /** A document with what merging needs: its merge state and this region's lineage of the section. */
    public record MergeLoad(StoredDocument document, MergeState state, String lineage) {
    }

    /**
     * Reads a document, its merge state, the section epoch and this region's lineage together.
     *
     * @return a future failing with {@link CorruptDocumentException} if the hash or its merge state
     *     cannot be read, or {@link StoreUnavailableException} if Redis cannot be reached
     */
    public CompletableFuture<MergeLoad> loadForMerge(String id) {
        return loadForMerge(null, id);
    }

    /**
     * {@link #loadForMerge(String)}, queued on {@code batch} (sent with it), or sent alone when
     * {@code batch} is null.
     */
    public CompletableFuture<MergeLoad> loadForMerge(RBatch batch, String id) {
        String key = layout.documentKey(id);
        String stateKey = layout.mergeStateKey(id);
        return this.<List<Object>>evalSha(batch, LOAD_MERGE, RScript.Mode.READ_ONLY, key,
                        List.of(key, layout.epochKey(), stateKey, layout.lineageKey()))
                .thenApply(reply -> {
                    @SuppressWarnings("unchecked")
                    List<Object> flatState = (List<Object>) reply.get(2);
                    StoredDocument document = parseLoad(id, key, java.util.Arrays.asList(reply.get(0), reply.get(1)));
                    Map<String, String> fields = new HashMap<>();
                    for (int i = 0; i + 1 < flatState.size(); i += 2) {
                        fields.put((String) flatState.get(i), (String) flatState.get(i + 1));
                    }
                    MergeState state;
                    try {
                        state = StoredMergeState.parse(fields, document.version());
                    } catch (IllegalArgumentException e) {
                        throw new CorruptDocumentException(DataKey.of(partition, section, id), stateKey, null,
                                "the merge state cannot be read: " + e.getMessage(), e);
                    }
                    return new MergeLoad(document, state, (String) reply.get(3));
                });
    }

    /** Runs the commit script. The future fails only with {@link StoreUnavailableException}. */
    public CompletableFuture<CommitResult> commit(CommitRequest request, String freshEpoch) {
        return commit(null, request, freshEpoch);
    }

    /**
     * {@link #commit(CommitRequest, String)}, queued on {@code batch} (sent with it), or sent alone
     * when {@code batch} is null.
     */
    public CompletableFuture<CommitResult> commit(RBatch batch, CommitRequest request, String freshEpoch) {
        String key = layout.documentKey(request.id());
        List<Object> args = new ArrayList<>(20 + 2 * request.writes().size() + request.removals().size());
        args.add(Long.toString(request.expectedVersion()));
        args.add(Long.toString(request.newVersion()));
        args.add(request.knownEpoch() == null ? "" : request.knownEpoch());
        args.add(freshEpoch);
        args.add(Long.toString(request.timeMillis()));
        args.add(request.origin());
        args.add(request.op().wireCode());
        args.add(request.event().head());
        args.add(request.event().middle());
        args.add(request.event().tail());
        args.add(logMaxLength);
        args.add(publishCommand);
        CommitRequest.MergeWrite merge = request.merge();
        if (merge instanceof CommitRequest.Local local) {
            args.add("L");
            args.add(local.region());
            args.add(freshLineage());
        } else {
            CommitRequest.Applied applied = (CommitRequest.Applied) merge;
            args.add("A");
            args.add(applied.lineage());
            args.add(applied.clockJson());
        }
        boolean delete = request.op() == ChangeOp.DELETE;
        args.add(Integer.toString(delete ? 0 : request.writes().size()));
        if (!delete) {
            request.writes().forEach((name, json) -> {
                args.add(name);
                args.add(json);
            });
        }
        args.add(Integer.toString(delete ? 0 : request.removals().size()));
        if (!delete) {
            args.addAll(request.removals());
        }
        if (merge instanceof CommitRequest.Local local) {
            args.add(Integer.toString(local.written().size()));
            for (String[] written : local.written()) {
                args.add(written[0]);
                args.add(written[1]);
            }
        } else {
            CommitRequest.Applied applied = (CommitRequest.Applied) merge;
            args.add(Integer.toString(applied.fields().size()));
            applied.fields().forEach((field, value) -> {
                args.add(field);
                args.add(value);
            });
            args.add(applied.reset() ? "1" : "0");
        }
        List<Object> keys = List.of(key, layout.logKey(), layout.epochKey(), layout.channel(),
                layout.mergeStateKey(request.id()), layout.lineageKey());
        String eventId = request.event().eventId();
        return this.<List<Object>>evalSha(batch, COMMIT, RScript.Mode.READ_WRITE, key, keys, args.toArray())
                .thenApply(reply -> parseCommit(reply, eventId));
    }

    private static CommitResult parseCommit(List<Object> reply, String eventId) {
        long status = (Long) reply.get(0);
        long version = Long.parseLong((String) reply.get(1));
        String epoch = (String) reply.get(2);
        if (status == 1) {
            return new CommitResult.Committed(version, epoch, (String) reply.get(3), (String) reply.get(4), (String) reply.get(5));
        }
        if (status == 3) {
            return new CommitResult.TimeBehind(version, epoch, Long.parseLong((String) reply.get(3)));
        }
        if (status == 2) {
            return new CommitResult.EpochMismatch(version, epoch);
        }
        // A mismatch names the last change this origin committed to the document, if the script remembers one:
        // when it is this change, an earlier delivery of this call committed it and the reply was lost.
        if (reply.size() >= 6 && eventId.equals(reply.get(3))) {
            return new CommitResult.AlreadyCommitted(Long.parseLong((String) reply.get(4)), epoch, (String) reply.get(5));
        }
        return new CommitResult.VersionMismatch(version, epoch);
    }

    private StoredDocument parseLoad(String id, String key, List<Object> reply) {
        String epoch = (String) reply.get(0);
        @SuppressWarnings("unchecked")
        List<Object> flat = (List<Object>) reply.get(1);
        Map<String, String> members = new HashMap<>(Math.max(4, flat.size()));
        String version = null;
        String time = null;
        String origin = null;
        boolean deleted = false;
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String field = (String) flat.get(i);
            String value = (String) flat.get(i + 1);
            if (!RedisLayout.isReservedMemberName(field)) {
                members.put(field, value);
            } else if (field.equals(RedisLayout.VERSION_FIELD)) {
                version = value;
            } else if (field.equals(RedisLayout.TIME_FIELD)) {
                time = value;
            } else if (field.equals(RedisLayout.ORIGIN_FIELD)) {
                origin = value;
            } else if (field.equals(RedisLayout.DELETED_FIELD)) {
                deleted = true;
            }
        }
        return document(id, key, epoch, version, time, origin, deleted, members, flat.isEmpty());
    }

    private StoredDocument parseProjection(String id, String key, List<String> names, List<Object> reply) {
        Map<String, String> members = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Object value = reply.get(5 + i);
            if (value != null) {
                members.put(names.get(i), (String) value);
            }
        }
        String version = (String) reply.get(1);
        return document(id, key, (String) reply.get(0), version, (String) reply.get(2), (String) reply.get(3),
                reply.get(4) != null, members, version == null && members.isEmpty());
    }

    private StoredDocument document(String id, String key, String epoch, String version, String time, String origin,
                                    boolean deleted, Map<String, String> members, boolean absent) {
        if (absent) {
            return new StoredDocument(epoch, 0, 0, null, false, Map.of());
        }
        DataKey dataKey = DataKey.of(partition, section, id);
        long v = parseLong(dataKey, key, RedisLayout.VERSION_FIELD, version);
        if (v < 1) {
            throw new CorruptDocumentException(dataKey, key, RedisLayout.VERSION_FIELD, "version must be >= 1, got " + v, null);
        }
        long t = parseLong(dataKey, key, RedisLayout.TIME_FIELD, time);
        return new StoredDocument(epoch, v, t, parseOrigin(dataKey, key, origin), deleted, deleted ? Map.of() : members);
    }

    /** {@code region/node}, as the commit script writes it. */
    public static String formatOrigin(Origin origin) {
        return origin.region() + "/" + origin.node();
    }

    private static Origin parseOrigin(DataKey dataKey, String key, String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        try {
            if (slash > 0) {
                return Origin.of(text.substring(0, slash), text.substring(slash + 1));
            }
        } catch (IllegalArgumentException e) {
            throw new CorruptDocumentException(dataKey, key, RedisLayout.ORIGIN_FIELD, "not a valid 'region/node': " + e.getMessage(), e);
        }
        throw new CorruptDocumentException(dataKey, key, RedisLayout.ORIGIN_FIELD,
                "expected 'region/node', got " + (text == null ? "nothing" : "'" + abbreviate(text) + "'"), null);
    }

    private static long parseLong(DataKey dataKey, String key, String field, String value) {
        if (value == null) {
            throw new CorruptDocumentException(dataKey, key, field, "missing", null);
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CorruptDocumentException(dataKey, key, field, "not an integer: '" + abbreviate(value) + "'", e);
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private <R> CompletableFuture<R> evalSha(LuaScript lua, RScript.Mode mode, String routingKey, List<Object> keys,
                                             Object... args) {
        return evalSha(null, lua, mode, routingKey, keys, args);
    }

    /**
     * One script call, alone or queued on {@code batch}. A queued call that meets a node without the
     * script (NOSCRIPT: nothing ran) is sent again alone, which loads the script there first.
     */
    private <R> CompletableFuture<R> evalSha(RBatch batch, LuaScript lua, RScript.Mode mode, String routingKey,
                                             List<Object> keys, Object... args) {
        if (batch != null) {
            return batch.getScript(StringCodec.INSTANCE).<R>evalShaAsync(routingKey, mode, lua.sha(), RScript.ReturnType.LIST,
                            keys, args).toCompletableFuture()
                    .handle((result, error) -> error == null ? CompletableFuture.completedFuture(result)
                            : isNoScript(error) ? this.<R>evalSha(null, lua, mode, routingKey, keys, args)
                            : CompletableFuture.<R>failedFuture(translate(error)))
                    .thenCompose(f -> f);
        }
        CompletableFuture<R> first = script.<R>evalShaAsync(routingKey, mode, lua.sha(), RScript.ReturnType.LIST, keys, args)
                .toCompletableFuture();
        return first.handle((result, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(result);
            }
            if (isNoScript(error)) {
                // A restarted or flushed node, or a new cluster master: load the script there once, then retry.
                return script.scriptLoadAsync(routingKey, lua.text()).toCompletableFuture()
                        .thenCompose(sha -> script.<R>evalShaAsync(routingKey, mode, lua.sha(), RScript.ReturnType.LIST, keys, args)
                                .toCompletableFuture());
            }
            return CompletableFuture.<R>failedFuture(error);
        }).thenCompose(f -> f).exceptionallyCompose(error -> CompletableFuture.failedFuture(translate(error)));
    }

    /** 48 random bits as 8 characters: a lineage, proposed with every change made here (the script keeps an existing one). */
    private static String freshLineage() {
        byte[] random = new byte[6];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(random);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static boolean isNoScript(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof RedisNoScriptException
                || (cause instanceof RedisException && String.valueOf(cause.getMessage()).startsWith("NOSCRIPT"));
    }

    /** The failure as DDM reports it: store errors become {@link StoreUnavailableException}. */
    public static Throwable translateError(Throwable error) {
        return translate(error);
    }

    private static Throwable translate(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof CorruptDocumentException || cause instanceof StoreUnavailableException) {
            return cause;
        }
        if (cause instanceof RedisConnectionException || cause instanceof RedisTimeoutException || causedByIo(cause)) {
            return new StoreUnavailableException("Redis is unreachable: " + cause.getMessage(), cause);
        }
        if (cause instanceof RedisException) {
            return new StoreUnavailableException("Redis refused the command: " + cause.getMessage(), cause);
        }
        return cause;
    }

    private static boolean causedByIo(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t instanceof RedisConnectionException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The cause under CompletionException and ExecutionException wrappers. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

}
