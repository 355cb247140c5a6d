package dev.fovea.core.image;

import dev.fovea.core.FoveaException;

/** Thrown while reading one file that cannot become an image; the code is the reject reason's code. */
public class ImageRejectedException extends FoveaException {
    private final RejectReason reason;

    public ImageRejectedException(RejectReason reason, String message) {
        super(reason.code(), message);
        this.reason = reason;
    }

    public ImageRejectedException(RejectReason reason, String message, Throwable cause) {
        super(reason.code(), message, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
