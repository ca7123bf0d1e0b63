package io.github.ddm.internal.merge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** JSON Pointer (RFC 6901) helpers for the merge: parents, tokens and ancestry. Stateless. */
final class Pointers {

    private Pointers() {
    }

    /** The parent of a non-root pointer ({@code "/a/b"} to {@code "/a"}, {@code "/a"} to {@code ""}). */
    static String parent(String pointer) {
        return pointer.substring(0, pointer.lastIndexOf('/'));
    }

    /** The unescaped last reference token of a non-root pointer. */
    static String lastToken(String pointer) {
        return unescape(pointer.substring(pointer.lastIndexOf('/') + 1));
    }

    /** {@code parent} followed by the escaped {@code token}. */
    static String child(String parent, String token) {
        return parent + "/" + escape(token);
    }

    /** True if {@code pointer} is strictly below {@code ancestor}. */
    static boolean isBelow(String pointer, String ancestor) {
        return pointer.length() > ancestor.length() && pointer.startsWith(ancestor) && pointer.charAt(ancestor.length()) == '/';
    }

    /** The unescaped tokens of a pointer. */
    static List<String> tokens(String pointer) {
        List<String> tokens = new ArrayList<>();
        int start = 1;
        while (start <= pointer.length() && !pointer.isEmpty()) {
            int end = pointer.indexOf('/', start);
            if (end < 0) {
                end = pointer.length();
            }
            tokens.add(unescape(pointer.substring(start, end)));
            start = end + 1;
        }
        return tokens;
    }

    /** The node at {@code pointer} in {@code root}, or null when it does not exist. */
    static JsonNode resolve(JsonNode root, String pointer) {
        JsonNode node = root;
        for (String token : tokens(pointer)) {
            if (node == null) {
                return null;
            }
            if (node.isObject()) {
                node = node.get(token);
            } else if (node.isArray()) {
                int index = index(token);
                node = index >= 0 && index < node.size() ? node.get(index) : null;
            } else {
                return null;
            }
        }
        return node;
    }

    /** An array index token as a number, or -1 when it is not one ({@code "-"}, leading zeros, not digits). */
    static int index(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    static String escape(String token) {
        return token.indexOf('~') < 0 && token.indexOf('/') < 0 ? token : token.replace("~", "~0").replace("/", "~1");
    }

    static String unescape(String token) {
        return token.indexOf('~') < 0 ? token : token.replace("~1", "/").replace("~0", "~");
    }
}
