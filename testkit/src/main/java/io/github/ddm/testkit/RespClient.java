package io.github.ddm.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal blocking Redis client (RESP2) for administering test servers: PING, INFO, FLUSHALL,
 * CLUSTER, CLIENT KILL, CONFIG and the like. It is deliberately independent of the client library
 * under test, so a test can inspect or break the server without going through the code it checks.
 *
 * <p>Replies map to Java as: simple and bulk strings to {@link String} (UTF-8), integers to
 * {@link Long}, arrays to {@code List<Object>}, nil to {@code null}. An error reply throws
 * {@link RedisReplyException}.
 *
 * <p>Not thread-safe: use one client per thread.
 */
public final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /**
     * Connects to {@code host:port}.
     *
     * @throws UncheckedIOException if the connection cannot be opened within {@code timeout}
     */
    public static RespClient connect(String host, int port, Duration timeout) {
        return connect(host, port, timeout, Duration.ofSeconds(30));
    }

    /**
     * Connects to {@code host:port}; a reply that takes longer than {@code readTimeout} fails the
     * call with an {@link UncheckedIOException} caused by a {@link java.net.SocketTimeoutException}.
     */
    public static RespClient connect(String host, int port, Duration connectTimeout, Duration readTimeout) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            return new RespClient(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot connect to Redis at " + host + ":" + port, e);
        }
    }

    /** Authenticates as {@code user} (or the default user when {@code user} is null). */
    public RespClient auth(String user, String password) {
        if (user == null) {
            call("AUTH", password);
        } else {
            call("AUTH", user, password);
        }
        return this;
    }

    /**
     * Sends one command and returns its reply.
     *
     * @throws RedisReplyException if Redis answers with an error
     * @throws UncheckedIOException if the connection fails
     */
    public Object call(String... args) {
        try {
            write(args);
            out.flush();
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException("Redis command " + args[0] + " failed", e);
        }
    }

    /** Sends one command whose reply is a string (or nil). */
    public String callString(String... args) {
        return (String) call(args);
    }

    /** Sends one command whose reply is an integer. */
    public long callLong(String... args) {
        return (Long) call(args);
    }

    /** The value of one field of {@code INFO section}, or null when absent. */
    public String info(String section, String field) {
        String info = callString("INFO", section);
        for (String line : info.split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    private void write(String[] args) throws IOException {
        out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write('\r');
            out.write('\n');
        }
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by Redis");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new RedisReplyException(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length);
                readLine();
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case '*': {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    try {
                        items.add(read());
                    } catch (RedisReplyException e) {
                        items.add(e);
                    }
                }
                return items;
            }
            default:
                throw new IOException("unexpected RESP type byte " + (char) type);
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed by Redis");
            }
            sb.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed RESP line");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test connection; nothing to recover
        }
    }
}
