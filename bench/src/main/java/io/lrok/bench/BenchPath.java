package io.lrok.bench;

import java.util.List;

/**
 * One way from bench/compare's client to the local app: the app directly, or through a tunnel. Several paths may
 * share processes (lrok's HTTP and TCP tunnels use one relay and one agent).
 *
 * @param key       a short name, for {@code --only} and the table's columns
 * @param http      where to send HTTP requests; null when this path carries none
 * @param bulkPort  where the app's bulk port is reached; 0 when this path carries no raw TCP
 * @param processes the tunnel's own processes (relay and agent; sshd and ssh): their CPU time and RSS are measured
 * @param heaps     the processes among them that answer {@code heap}
 * @param agentPort where agents dial the path's relay; 0 when there is none
 * @param idlePorts opens the ports through which {@code count} idle streams can be opened to the bulk port, or
 *                  null when this path has no streams of its own (direct)
 */
record BenchPath(String key, Loads.HttpTarget http, int bulkPort, List<Child> processes, List<Child> heaps,
        int agentPort, IdlePorts idlePorts) {

    /** Where to open idle streams. */
    interface IdlePorts {
        /** @return the public ports, enough for {@code count} streams */
        List<Integer> open(int count) throws Exception;
    }

    long cpuNanos() {
        return processes.stream().mapToLong(Child::cpuNanos).sum();
    }

    long rssBytes() {
        return processes.stream().mapToLong(Child::rssBytes).sum();
    }

    /** @return the heap used after GC of every process that has one, summed; -1 when none has */
    long heapBytes() {
        if (heaps.isEmpty()) return -1;
        long sum = 0;
        for (Child c : heaps) sum += Long.parseLong(c.command("heap", "HEAP").split(" ")[1]);
        return sum;
    }
}
