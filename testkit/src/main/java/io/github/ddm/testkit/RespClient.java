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
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal blocking Redis client (RESP2) for administering test servers: PING, INFO, FLUSHALL,
 * CLUSTER, CLIENT KILL, CONFIG and the like. It is deliberately independent of the client library
 * under test, so a test can inspect or break the server without going through the code it checks.
 *
 * <p>Replies map to Java as: simple and bulk strings to {@link String} (UTF-8), integers to
 * {@link Long}, arrays to {@code List<Object>}, nil to {@code null}. An error reply throws
 * {@link RedisReplyException}.
 *
 * <p>{@link #connectTls} speaks TLS instead: it verifies the server's certificate against the
 * given {@link SSLContext} and checks that the certificate names the host connected to (as HTTPS
 * clients do), and fails at connect time if either check fails.
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
        return open(host, port, connectTimeout, readTimeout, null);
    }

    /**
     * Connects to {@code host:port} over TLS, trusting what {@code tls} trusts (for a testkit server,
     * {@link RedisServer#tlsContext()}).
     *
     * @throws UncheckedIOException if the connection cannot be opened within {@code timeout}, or the
     *     TLS handshake fails (cause: {@link javax.net.ssl.SSLHandshakeException}, for example when
     *     the server's certificate is not trusted or does not name {@code host})
     */
    public static RespClient connectTls(String host, int port, Duration timeout, SSLContext tls) {
        return connectTls(host, port, timeout, Duration.ofSeconds(30), tls);
    }

    /** {@link #connectTls(String, int, Duration, SSLContext)} with a read timeout as in {@link #connect(String, int, Duration, Duration)}. */
    public static RespClient connectTls(String host, int port, Duration connectTimeout, Duration readTimeout, SSLContext tls) {
        return open(host, port, connectTimeout, readTimeout, Objects.requireNonNull(tls, "tls"));
    }

    private static RespClient open(String host, int port, Duration connectTimeout, Duration readTimeout, SSLContext tls) {
        Socket socket = new Socket();
        Socket connected = socket;
        try {
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
                connected = secure;
                SSLParameters parameters = secure.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.startHandshake();
            }
            return new RespClient(connected);
        } catch (IOException e) {
            closeQuietly(connected);
            throw new UncheckedIOException((tls == null ? "cannot connect to Redis at " : "cannot connect over TLS to Redis at ")
                    + host + ":" + port + (tls == null ? "" : ": " + e.getMessage()), e);
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
