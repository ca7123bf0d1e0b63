package io.github.ddm.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Redis URIs a command printed, and whether anything still listens on them. */
final class Ports {

    private static final Pattern REDIS_URI = Pattern.compile("redis://127\\.0\\.0\\.1:(\\d+)");

    private Ports() {
    }

    static List<Integer> redisPorts(String output) {
        List<Integer> ports = new ArrayList<>();
        Matcher m = REDIS_URI.matcher(output);
        while (m.find()) {
            int port = Integer.parseInt(m.group(1));
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
