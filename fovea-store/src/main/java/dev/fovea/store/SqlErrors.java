package dev.fovea.store;

import dev.fovea.core.FoveaException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What the SQL states of H2 and PostgreSQL mean for the stores, in one place, and the retry loop of the tables
 * whose rows are numbered per parent (dataset versions per project, model versions per name).
 */
final class SqlErrors {
    /** A unique or primary key taken, on both databases. */
    static final String DUPLICATE_KEY = "23505";
    /** A foreign key pointing nowhere: PostgreSQL's code, and H2's. */
    static final String PG_MISSING_REFERENCE = "23503", H2_MISSING_REFERENCE = "23506";
    /** H2's "concurrent update": another transaction has written, but not committed, the same key. */
    static final String H2_CONCURRENT_UPDATE = "90131";
    /** H2's lock timeout (error 50200): another transaction held the key for longer than the session waits. */
    static final String H2_LOCK_TIMEOUT = "HYT00";
    /** PostgreSQL's lock_not_available: the key stayed locked past a lock_timeout set on the server. */
    static final String PG_LOCK_NOT_AVAILABLE = "55P03";

    private SqlErrors() {}

    static boolean isDuplicateKey(SQLException e) {
        return DUPLICATE_KEY.equals(e.getSQLState());
    }

    /** A foreign key pointing nowhere, also on a batch's chained exceptions. */
    static boolean isMissingReference(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (PG_MISSING_REFERENCE.equals(x.getSQLState()) || H2_MISSING_REFERENCE.equals(x.getSQLState())) return true;
        }
        return false;
    }

    /** Another transaction took, or is still writing, the same key. */
    static boolean isKeyRace(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (isDuplicateKey(x) || H2_CONCURRENT_UPDATE.equals(state) || H2_LOCK_TIMEOUT.equals(state)
                    || PG_LOCK_NOT_AVAILABLE.equals(state)) {
                return true;
            }
        }
        return false;
    }

    interface SqlIntSupplier {
        int get() throws SQLException;
    }

    interface NumberedRow {
        void insert(int number) throws SQLException;
    }

    interface AfterInsert<T> {
        T with(int number) throws SQLException;
    }

    /**
     * Inserts a row under the next free number (one past {@code maxNumber}) and then its dependent rows. A writer
     * that loses the race for a number rolls back (PostgreSQL has aborted the transaction) and tries the next one,
     * up to {@code attempts} times; then {@code exhausted} says which writers took every number it tried.
     */
    static <T> T insertNumbered(Connection c, int attempts, SqlIntSupplier maxNumber, NumberedRow row,
            AfterInsert<T> after, String exhausted) throws SQLException {
        int refused = 0;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            int number = Math.max(maxNumber.get(), refused) + 1;
            try {
                row.insert(number);
            } catch (SQLException e) {
                if (!isKeyRace(e)) throw e;
                c.rollback();
                refused = number;
                continue;
            }
            return after.with(number);
        }
        throw FoveaException.conflict(exhausted.replace("{attempts}", Integer.toString(attempts)));
    }
}
