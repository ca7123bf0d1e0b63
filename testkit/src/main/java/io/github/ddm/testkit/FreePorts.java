package io.github.ddm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface. */
final class FreePorts {

    /** Redis Cluster's bus listens on the client port + 10000. */
    static final int CLUSTER_BUS_OFFSET = 10_000;

    private FreePorts() {
    }

    /** A port that was free a moment ago. A server may still lose the race for it; callers retry. */
    static int any() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }

    /** A free port whose cluster bus port (port + 10000) is free too. */
    static int withClusterBus() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = any();
            if (port + CLUSTER_BUS_OFFSET <= 65_535 && isFree(port + CLUSTER_BUS_OFFSET)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port p with p + 10000 free as well (Redis Cluster bus)");
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
