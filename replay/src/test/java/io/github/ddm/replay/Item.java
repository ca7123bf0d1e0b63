package io.github.ddm.replay;

import java.util.Map;
import java.util.TreeMap;

/** A small mutable POJO document for tests. */
public class Item {
    public String name;
    public long count;
    public Map<String, Long> tags = new TreeMap<>();

    public Item() {
    }

    public Item(String name) {
        this.name = name;
    }
}
