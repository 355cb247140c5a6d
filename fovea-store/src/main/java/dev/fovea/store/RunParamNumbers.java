package dev.fovea.store;

import dev.fovea.core.run.RunFilter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Migration 14: fills {@code run_param.value_number} (added by V13) for the params written before it, with the
 * same reading of a number that new rows get ({@link RunFilter#number}). In Java because neither database can
 * test in portable SQL whether a text is a number before casting it, and a failed cast would stop the migration.
 */
final class RunParamNumbers implements JavaMigration {
    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("14");
    }

    @Override
    public String getDescription() {
        return "run param numbers";
    }

    @Override
    public Integer getChecksum() {
        return 14;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        try (Statement read = c.createStatement();
             ResultSet rs = read.executeQuery("SELECT run_id, name, value_text FROM run_param");
             PreparedStatement write = c.prepareStatement(
                     "UPDATE run_param SET value_number = ? WHERE run_id = ? AND name = ?")) {
            int pending = 0;
            while (rs.next()) {
                Double number = RunFilter.number(rs.getString(3));
                if (number == null) continue;
                write.setDouble(1, number);
                write.setLong(2, rs.getLong(1));
                write.setString(3, rs.getString(2));
                write.addBatch();
                if (++pending == 1000) {
                    write.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) write.executeBatch();
        }
    }
}
