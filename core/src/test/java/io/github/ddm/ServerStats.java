package io.github.ddm;

import io.github.ddm.testkit.RespClient;

/** Command counts from the server's own {@code INFO commandstats}, to prove what reached Redis. */
final class ServerStats {

    private ServerStats() {
    }

    /**
     * Successful calls of every script command (EVAL, EVALSHA and their _RO forms): each DDM read or
     * commit is one. A NOSCRIPT reply (the first use of a script on a fresh server) is a failed call.
     */
    static long scriptCalls(RespClient client) {
        long total = 0;
        for (String line : client.callString("INFO", "commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_eval")) {
                total += field(line, "calls") - field(line, "failed_calls");
            }
        }
        return total;
    }

    private static long field(String line, String name) {
        for (String part : line.substring(line.indexOf(':') + 1).split(",")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        return 0;
    }
}
