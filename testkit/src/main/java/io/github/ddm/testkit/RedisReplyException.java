package io.github.ddm.testkit;

/** An error reply from Redis (for example {@code CROSSSLOT ...} or {@code NOAUTH ...}). */
public final class RedisReplyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** @param reply the error text as Redis sent it, without the leading {@code -} */
    public RedisReplyException(String reply) {
        super(reply);
    }

    /** The first word of the reply, such as {@code CROSSSLOT}, {@code MOVED} or {@code ERR}. */
    public String code() {
        String message = getMessage();
        int space = message.indexOf(' ');
        return space < 0 ? message : message.substring(0, space);
    }
}
