package dev.fovea.core;

/**
 * The one exception family that Fovea's own code throws for problems a caller can act on. The {@link #code()}
 * is a stable, machine-readable word (the HTTP layer maps it to a status; scripts may match on it), the message
 * names the thing, its id and the bad value.
 */
public class FoveaException extends RuntimeException {
    private final String code;

    public FoveaException(String code, String message) {
        super(message);
        this.code = code;
    }

    public FoveaException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** Something named does not exist. */
    public static FoveaException notFound(String message) {
        return new FoveaException("not_found", message);
    }

    /** The caller's input is wrong; retrying the same input fails again. */
    public static FoveaException invalid(String message) {
        return new FoveaException("invalid", message);
    }

    /** The request conflicts with what is stored (a name already taken, a stale version). */
    public static FoveaException conflict(String message) {
        return new FoveaException("conflict", message);
    }
}
