package dev.fovea.store;

import dev.fovea.core.FoveaException;
import java.sql.SQLException;

/** A database failure that is not the caller's fault; carries the SQL state and what was being done. */
public final class StoreException extends FoveaException {
    private StoreException(String message, Throwable cause) {
        this("store_error", message, cause);
    }

    private StoreException(String code, String message, Throwable cause) {
        super(code, message, cause);
    }

    /** The database cannot be reached or refuses us (wrong password, no such database): the user's setting to fix. */
    static StoreException unavailable(String message, Throwable cause) {
        return new StoreException("db_unavailable", message, cause);
    }

    /** The database was migrated by a newer Fovea than this one. */
    static StoreException newerSchema(String message) {
        return new StoreException("schema_newer", message, null);
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
