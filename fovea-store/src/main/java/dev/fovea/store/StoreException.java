package dev.fovea.store;

import dev.fovea.core.FoveaException;
import java.sql.SQLException;

/** A database failure that is not the caller's fault; carries the SQL state and what was being done. */
public final class StoreException extends FoveaException {
    private StoreException(String message, Throwable cause) {
        super("store_error", message, cause);
    }

    static StoreException of(String what, SQLException e) {
        String first = what.strip().lines().findFirst().orElse(what);
        return new StoreException("database error (SQLSTATE " + e.getSQLState() + ") in '" + first + "': "
                + e.getMessage(), e);
    }

    static StoreException of(String what, Exception e) {
        return new StoreException(what + ": " + e.getMessage(), e);
    }
}
