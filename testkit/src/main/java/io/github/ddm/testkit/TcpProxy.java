package io.github.ddm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy between clients and a server, for fault tests. Point the client at
 * {@link #host()}:{@link #port()}; the proxy relays bytes to the target until told otherwise.
 *
 * <ul>
 *   <li>{@link #pause()}: connections stay open but no byte passes in either direction, as on a
 *       partitioned network. {@link #resume()} lets the held bytes through.</li>
 *   <li>{@link #pauseReplies()}: requests still reach the server, which runs them, but its replies
 *       are held until {@link #resume()}: a reply that is late (a slow or lossy network) while the
 *       command itself was carried out.</li>
 *   <li>{@link #cut()}: closes every open connection at once (both sides see a reset/EOF); new
 *       connections are still accepted.</li>
 *   <li>{@link #refuseNewConnections(boolean)}: new connections are closed as soon as accepted.</li>
 * </ul>
 *
 * <p>Thread-safe. Each connection uses two daemon threads.
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean paused;
    private volatile boolean repliesPaused;
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's listening socket", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a proxy on a free loopback port that relays to {@code targetHost:targetPort}. */
    public static TcpProxy start(String targetHost, int targetPort) {
        return new TcpProxy(targetHost, targetPort);
    }

    /** Starts a proxy in front of a {@link RedisServer}. */
    public static TcpProxy to(RedisServer server) {
        return start(server.host(), server.port());
    }

    /** The loopback address clients connect to. */
    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code redis://host:port} of the proxy, for Redis clients. */
    public String redisUri() {
        return "redis://" + host() + ":" + port();
    }

    /** Holds every byte in both directions until {@link #resume()}. Connections stay open. */
    public void pause() {
        paused = true;
    }

    /**
     * Holds every byte from the server to clients until {@link #resume()}; bytes from clients still
     * pass, so the server runs what it receives. Connections stay open.
     */
    public void pauseReplies() {
        repliesPaused = true;
    }

    /** Lets bytes through again, in both directions. */
    public void resume() {
        synchronized (gate) {
            paused = false;
            repliesPaused = false;
            gate.notifyAll();
        }
    }

    /** True while paused in both directions. */
    public boolean isPaused() {
        return paused;
    }

    /** True while paused in both directions, or while replies are held. */
    public boolean isHoldingReplies() {
        return paused || repliesPaused;
    }

    /** Closes every open connection now. Returns how many were cut. */
    public int cut() {
        int count = 0;
        for (Link link : links) {
            link.close();
            count++;
        }
        return count;
    }

    /** While true, new connections are closed as soon as they are accepted. */
    public void refuseNewConnections(boolean refuse) {
        this.refusing = refuse;
    }

    /** Connections currently open through the proxy. */
    public int openConnections() {
        return links.size();
    }

    /** Connections accepted since the start (including refused ones). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Closes the listener and every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing the proxy listener", e);
        }
        cut();
        resume();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("proxy on port {} stopped accepting", port(), e);
                }
                return;
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket();
                server.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Link link = new Link(client, server);
                links.add(link);
                link.start();
            } catch (IOException e) {
                log.debug("proxy cannot reach {}:{}", targetHost, targetPort, e);
                closeQuietly(client);
            }
        }
    }

    private void awaitUnpaused(boolean reply) throws InterruptedException {
        synchronized (gate) {
            while ((paused || (reply && repliesPaused)) && !closed) {
                gate.wait();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    /** One client connection and its server connection. */
    private final class Link {
        private final Socket client;
        private final Socket server;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, "up", false);
            pump(server, client, "down", true);
        }

        private void pump(Socket from, Socket to, String direction, boolean replies) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        awaitUnpaused(replies);
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (SocketException e) {
                    // cut, or the peer closed: normal end of a link
                } catch (IOException e) {
                    log.debug("proxy link {} failed", direction, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    close();
                }
            }, "tcp-proxy-" + port() + "-" + direction);
            thread.setDaemon(true);
            thread.start();
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
        }
    }
}
