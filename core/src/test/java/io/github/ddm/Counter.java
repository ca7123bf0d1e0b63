package io.github.ddm;

import java.util.Map;

/** A small mutable POJO document for tests. */
public class Counter {
    public long count;
    public String label;
    public Map<String, Long> tags;

    public Counter() {
    }

    public Counter(long count, String label) {
        this.count = count;
        this.label = label;
    }

    public Counter increment() {
        count++;
        return this;
    }
}
