package dev.fovea.app.server;

import dev.fovea.core.FoveaException;

/** Errors that only HTTP has: missing credentials, too little scope, a missing CSRF token, too many attempts. */
final class HttpError {
    private HttpError() {}

    static FoveaException unauthorized(String message) {
        return new FoveaException("unauthorized", message);
    }

    static FoveaException forbidden(String message) {
        return new FoveaException("forbidden", message);
    }

    static FoveaException csrf() {
        return new FoveaException("csrf", "this request changes state and came with a session cookie but without"
                + " a valid X-CSRF-Token header (GET /api/session gives the token)");
    }

    /** A state-changing browser request from another site: the same code as a missing CSRF token. */
    static FoveaException foreignOrigin(String what) {
        return new FoveaException("csrf", what + "; browser sessions may change state only from Fovea's pages");
    }

    static FoveaException tooManyRequests(String message) {
        return new FoveaException("too_many_requests", message);
    }

    /** The one place where error codes become HTTP statuses. */
    static int status(String code) {
        return switch (code) {
            case "invalid", "empty", "not_an_image", "truncated", "corrupt", "too_many_pixels", "unsafe_path", "bad_url" -> 400;
            case "unauthorized" -> 401;
            case "forbidden", "csrf" -> 403;
            case "not_found", "project_not_found", "iteration_not_found" -> 404;
            case "conflict", "checkpoint_mismatch", "dataset_changed" -> 409;
            case "too_large" -> 413;
            case "unsupported_format", "unsupported_media_type" -> 415;
            case "too_many_requests" -> 429;
            case "timeout", "not_ready" -> 503;
            default -> 500;
        };
    }
}
