package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.checks.Flag;
import dev.fovea.core.checks.Fingerprint;
import dev.fovea.core.checks.ImageMetrics;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Image metrics, check flags, threshold overrides and curation decisions, in {@code image_metrics},
 * {@code image_flag}, {@code project_check}, {@code check_threshold} and the curation columns of {@code image}.
 */
public final class JdbcCurationStore implements CurationStore {
    private static final int MAX_EXPLANATION = 1000;
    private static final int MAX_SUGGESTED = 200;
    private static final int MAX_THRESHOLD = 64;
    /** Statements per JDBC batch. */
    private static final int BATCH = 1000;
    private static final String METRIC_COLUMNS =
            "sharpness, brightness, dark_fraction, bright_fraction, contrast, entropy, phash, width, height,"
            + " background_fraction, subject_brightness, subject_dark_fraction, subject_bright_fraction, subject_contrast,"
            + " fingerprint";

    /** Curation changes of at least this many images refresh PostgreSQL's statistics of the image table. */
    private static final int ANALYZE_AFTER_ROWS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcCurationStore.class);

    private final Jdbc jdbc;
    private final Clock clock;
    /** Whether the database is PostgreSQL; null until first needed. */
    private volatile Boolean postgres;

    JdbcCurationStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void putMetrics(UUID projectId, String sha256, ImageMetrics m) {
        Instant now = clock.instant();
        // Delete then insert in one transaction: portable, where an upsert would need dialect-specific SQL.
        jdbc.transaction("store metrics of image " + sha256, c -> {
            Jdbc.update(c, "DELETE FROM image_metrics WHERE project_id = ? AND sha256 = ?", projectId, sha256);
            try {
                return Jdbc.update(c, "INSERT INTO image_metrics (project_id, sha256, " + METRIC_COLUMNS
                        + ", measured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", projectId, sha256,
                        m.sharpness(), m.brightness(), m.darkFraction(), m.brightFraction(), m.contrast(), m.entropy(),
                        m.perceptualHash(), m.width(), m.height(), m.subject().background(), m.subject().brightness(),
                        m.subject().darkFraction(), m.subject().brightFraction(), m.subject().contrast(),
                        m.fingerprint() == null ? null : m.fingerprint().bytes(), now);
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) throw noSuchImage(projectId, sha256);
                throw e;
            }
        });
    }

    @Override
    public Map<String, ImageMetrics> metrics(UUID projectId) {
        Map<String, ImageMetrics> out = new LinkedHashMap<>();
        jdbc.query("SELECT m.sha256, m." + METRIC_COLUMNS.replace(", ", ", m.")
                + " FROM image_metrics m JOIN image i ON i.project_id = m.project_id AND i.sha256 = m.sha256"
                // Rows measured before V8 have no subject figures, before V18 no fingerprint: left out, they are
                // measured again.
                + " WHERE m.project_id = ? AND m.subject_brightness IS NOT NULL AND m.fingerprint IS NOT NULL"
                + " ORDER BY i.seq",
                rs -> out.put(rs.getString("sha256"), new ImageMetrics(rs.getDouble("sharpness"),
                        rs.getDouble("brightness"), rs.getDouble("dark_fraction"), rs.getDouble("bright_fraction"),
                        rs.getDouble("contrast"), rs.getDouble("entropy"), rs.getLong("phash"), rs.getInt("width"),
                        rs.getInt("height"), new ImageMetrics.Subject(rs.getDouble("background_fraction"),
                                rs.getDouble("subject_brightness"), rs.getDouble("subject_dark_fraction"),
                                rs.getDouble("subject_bright_fraction"), rs.getDouble("subject_contrast")),
                        Fingerprint.of(rs.getBytes("fingerprint")))),
                projectId);
        return out;
    }

    @Override
    public void replaceFlags(UUID projectId, Map<String, List<Flag>> flags, Instant checkedAt) {
        jdbc.transaction("replace the flags of project " + projectId, c -> {
            Jdbc.update(c, "DELETE FROM image_flag WHERE project_id = ?", projectId);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO image_flag"
                    + " (project_id, sha256, name, score, explanation, of_sha256, suggested, finding_rank)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                int pending = 0;
                // In primary-key order: H2 writes a large transaction of random SHA-256 keys several times slower.
                for (var entry : new TreeMap<>(flags).entrySet()) {
                    List<Flag> sorted = new ArrayList<>(entry.getValue());
                    sorted.sort(Comparator.comparing(f -> f.name().word()));
                    for (Flag flag : sorted) {
                        ps.setObject(1, projectId);
                        ps.setString(2, entry.getKey());
                        ps.setString(3, flag.name().word());
                        ps.setDouble(4, flag.score());
                        ps.setString(5, shorten(flag.explanation(), MAX_EXPLANATION));
                        ps.setString(6, flag.ofSha256());
                        ps.setString(7, flag.suggested() == null ? null : shorten(flag.suggested(), MAX_SUGGESTED));
                        ps.setObject(8, flag.rank(), java.sql.Types.INTEGER);
                        ps.addBatch();
                        if (++pending == BATCH) {
                            ps.executeBatch();
                            pending = 0;
                        }
                    }
                }
                if (pending > 0) ps.executeBatch();
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) {
                    throw FoveaException.notFound("a flagged image is not an image of project " + projectId);
                }
                throw e;
            }
            Jdbc.update(c, "DELETE FROM project_check WHERE project_id = ?", projectId);
            return Jdbc.update(c, "INSERT INTO project_check (project_id, checked_at) VALUES (?, ?)", projectId,
                    checkedAt);
        });
        analyze("image, image_flag, image_metrics");
    }

    @Override
    public Map<String, List<Flag>> flags(UUID projectId) {
        Map<String, List<Flag>> out = new LinkedHashMap<>();
        jdbc.query("SELECT f.sha256, f.name, f.score, f.explanation, f.of_sha256, f.suggested, f.finding_rank"
                + " FROM image_flag f JOIN image i ON i.project_id = f.project_id AND i.sha256 = f.sha256"
                + " WHERE f.project_id = ? ORDER BY i.seq, f.name",
                rs -> out.computeIfAbsent(rs.getString("sha256"), k -> new ArrayList<>())
                        .add(new Flag(Flag.Name.fromWord(rs.getString("name")), rs.getDouble("score"),
                                rs.getString("explanation"), rs.getString("of_sha256"), rs.getString("suggested"),
                                (Integer) rs.getObject("finding_rank", Integer.class))),
                projectId);
        return out;
    }

    @Override
    public boolean removeFlag(UUID projectId, String sha256, Flag.Name name) {
        return jdbc.transaction("remove the " + name.word() + " flag of image " + sha256, c ->
                Jdbc.update(c, "DELETE FROM image_flag WHERE project_id = ? AND sha256 = ? AND name = ?", projectId, sha256,
                        name.word())) > 0;
    }

    @Override
    public Optional<Instant> checkedAt(UUID projectId) {
        return jdbc.one("SELECT checked_at FROM project_check WHERE project_id = ?",
                rs -> Jdbc.instant(rs, "checked_at"), projectId);
    }

    @Override
    public List<String> flagged(UUID projectId, Flag.Name name, int offset, int limit) {
        return flaggedWithCuration(projectId, name, null, offset, limit);
    }

    @Override
    public List<String> flaggedWithCuration(UUID projectId, Flag.Name name, Curation curation, int offset, int limit) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        if (name == null) {
            // EXISTS rather than a join: an image with several flags is listed once, still in import order.
            sql.append("SELECT i.sha256 FROM image i WHERE i.project_id = ?");
            params.add(projectId);
        } else {
            // One flag of a name per image (the key): a join lists each once, and likely label errors by rank.
            sql.append("SELECT i.sha256 FROM image i JOIN image_flag f ON f.project_id = i.project_id"
                    + " AND f.sha256 = i.sha256 AND f.name = ? WHERE i.project_id = ?");
            params.add(name.word());
            params.add(projectId);
        }
        if (curation == null) {
            sql.append(" AND i.curation IS NULL");
        } else {
            sql.append(" AND i.curation = ?");
            params.add(curation.word());
        }
        if (name == null) {
            sql.append(" AND EXISTS (SELECT 1 FROM image_flag f WHERE f.project_id = i.project_id AND f.sha256 = i.sha256)"
                    + " ORDER BY i.seq");
        } else {
            sql.append(" ORDER BY COALESCE(f.finding_rank, 0), i.seq");
        }
        sql.append(" OFFSET ? ROWS FETCH NEXT ? ROWS ONLY");
        params.add(Math.max(0, offset));
        params.add(Math.max(0, limit));
        return jdbc.query(sql.toString(), rs -> rs.getString(1), params.toArray());
    }

    @Override
    public Map<Flag.Name, Long> undecidedCounts(UUID projectId) {
        Map<Flag.Name, Long> counts = new EnumMap<>(Flag.Name.class);
        jdbc.query("SELECT f.name, COUNT(*) AS n"
                + " FROM image_flag f JOIN image i ON i.project_id = f.project_id AND i.sha256 = f.sha256"
                + " WHERE f.project_id = ? AND i.curation IS NULL GROUP BY f.name",
                rs -> counts.put(Flag.Name.fromWord(rs.getString("name")), rs.getLong("n")), projectId);
        return counts;
    }

    @Override
    public Map<Curation, Long> curationCounts(UUID projectId) {
        Map<Curation, Long> counts = new EnumMap<>(Curation.class);
        jdbc.query("SELECT curation, COUNT(*) AS n FROM image WHERE project_id = ? AND curation IS NOT NULL"
                + " GROUP BY curation",
                rs -> counts.put(Curation.fromWord(rs.getString("curation")), rs.getLong("n")), projectId);
        return counts;
    }

    @Override
    public Map<String, String> thresholds(UUID projectId) {
        Map<String, String> out = new LinkedHashMap<>();
        jdbc.query("SELECT name, value_text FROM check_threshold WHERE project_id = ? ORDER BY name",
                rs -> out.put(rs.getString("name"), rs.getString("value_text")), projectId);
        return out;
    }

    @Override
    public void saveThresholds(UUID projectId, Map<String, String> values) {
        values.forEach((name, value) -> {
            if (name == null || value == null || name.length() > MAX_THRESHOLD || value.length() > MAX_THRESHOLD) {
                throw FoveaException.invalid("check threshold '" + name + "' = '" + value
                        + "' must be a name and a value of at most " + MAX_THRESHOLD + " characters");
            }
        });
        jdbc.transaction("save the check thresholds of project " + projectId, c -> {
            Jdbc.update(c, "DELETE FROM check_threshold WHERE project_id = ?", projectId);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO check_threshold (project_id, name, value_text) VALUES (?, ?, ?)")) {
                for (var e : values.entrySet()) {
                    ps.setObject(1, projectId);
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                    ps.addBatch();
                }
                if (!values.isEmpty()) ps.executeBatch();
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) throw FoveaException.notFound("project " + projectId + " does not exist");
                throw e;
            }
            return null;
        });
    }

    @Override
    public int setCuration(UUID projectId, Collection<String> sha256s, Curation curation, Instant at, String by) {
        // Unique ids only, so that an image named twice is counted once.
        Set<String> ids = new LinkedHashSet<>(sha256s);
        if (ids.isEmpty()) return 0;
        OffsetDateTime when = curation == null || at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
        String who = curation == null ? null : by;
        // One single-row UPDATE per image, sent in JDBC batches: each finds its row by the primary key on both
        // databases (H2 scans the whole project for "sha256 IN (...)"), and each reports whether the row existed.
        int updated = jdbc.transaction("set the curation of " + ids.size() + " images of project " + projectId, c -> {
            int rows = 0;
            try (PreparedStatement ps = c.prepareStatement("UPDATE image SET curation = ?, curated_at = ?,"
                    + " curated_by = ? WHERE project_id = ? AND sha256 = ?")) {
                int pending = 0;
                for (String sha : ids) {
                    ps.setString(1, curation == null ? null : curation.word());
                    ps.setObject(2, when);
                    ps.setString(3, who);
                    ps.setObject(4, projectId);
                    ps.setString(5, sha);
                    ps.addBatch();
                    if (++pending == BATCH) {
                        rows += updateCount(ps.executeBatch());
                        pending = 0;
                    }
                }
                if (pending > 0) rows += updateCount(ps.executeBatch());
            }
            return rows;
        });
        if (updated >= ANALYZE_AFTER_ROWS) analyze("image");
        return updated;
    }

    private static int updateCount(int[] counts) {
        int sum = 0;
        for (int n : counts) {
            if (n == Statement.SUCCESS_NO_INFO) throw new IllegalStateException("the JDBC driver did not report update counts");
            sum += Math.max(0, n);
        }
        return sum;
    }

    @Override
    public Map<String, Curation> curations(UUID projectId) {
        Map<String, Curation> out = new LinkedHashMap<>();
        jdbc.query("SELECT sha256, curation FROM image WHERE project_id = ? AND curation IS NOT NULL ORDER BY seq",
                rs -> out.put(rs.getString("sha256"), Curation.fromWord(rs.getString("curation"))), projectId);
        return out;
    }

    /**
     * Brings PostgreSQL's planner statistics up to date after a bulk write. Until autovacuum gets to a freshly filled
     * table (up to a minute or more), the planner takes a project's 100,000 images for a handful and may pick a
     * nested loop that rescans them for every row: minutes instead of milliseconds for the queries that follow a
     * check run. A failure here (say, a database user that does not own the tables) only costs that speed.
     */
    private void analyze(String tables) {
        try {
            jdbc.transaction("analyze " + tables, c -> {
                if (postgres == null) postgres = "PostgreSQL".equals(c.getMetaData().getDatabaseProductName());
                if (postgres) Jdbc.update(c, "ANALYZE " + tables);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("could not refresh the planner statistics of {}: {}", tables, e.getMessage());
        }
    }

    /** Text that fits a column of {@code max} characters: cut, with "…" saying so, never inside a surrogate pair. */
    static String shorten(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int cut = max - 1;
        if (Character.isHighSurrogate(text.charAt(cut - 1))) cut--;
        return text.substring(0, cut) + "…";
    }

    private static FoveaException noSuchImage(UUID projectId, String sha256) {
        return FoveaException.notFound("image " + sha256 + " is not an image of project " + projectId);
    }

    @Override
    public void putEmbeddings(UUID projectId, String network, Map<String, float[]> vectors) {
        if (vectors.isEmpty()) return;
        jdbc.transaction("store " + vectors.size() + " embeddings of project " + projectId, c -> {
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM image_embedding WHERE project_id = ? AND network = ? AND sha256 = ?");
                    PreparedStatement insert = c.prepareStatement(
                            "INSERT INTO image_embedding (project_id, network, sha256, vector) VALUES (?, ?, ?, ?)")) {
                int pending = 0;
                for (var e : new TreeMap<>(vectors).entrySet()) {
                    delete.setObject(1, projectId);
                    delete.setString(2, network);
                    delete.setString(3, e.getKey());
                    delete.addBatch();
                    insert.setObject(1, projectId);
                    insert.setString(2, network);
                    insert.setString(3, e.getKey());
                    insert.setBytes(4, bytes(e.getValue()));
                    insert.addBatch();
                    if (++pending == BATCH) {
                        delete.executeBatch();
                        insert.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    delete.executeBatch();
                    insert.executeBatch();
                }
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) {
                    throw FoveaException.notFound("an embedded image is not an image of project " + projectId);
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public Map<String, float[]> embeddings(UUID projectId, String network) {
        Map<String, float[]> out = new LinkedHashMap<>();
        jdbc.query("SELECT sha256, vector FROM image_embedding WHERE project_id = ? AND network = ?",
                rs -> out.put(rs.getString("sha256"), floats(rs.getBytes("vector"))), projectId, network);
        return out;
    }

    @Override
    public Optional<String> embeddingNetwork(UUID projectId) {
        return jdbc.one("SELECT network FROM project_embedding_network WHERE project_id = ?", rs -> rs.getString(1), projectId);
    }

    @Override
    public void saveEmbeddingNetwork(UUID projectId, String network) {
        jdbc.transaction("choose the embedding network of project " + projectId, c -> {
            Jdbc.update(c, "DELETE FROM project_embedding_network WHERE project_id = ?", projectId);
            return Jdbc.update(c, "INSERT INTO project_embedding_network (project_id, network) VALUES (?, ?)", projectId,
                    network);
        });
    }

    private static byte[] bytes(float[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static float[] floats(byte[] bytes) {
        java.nio.FloatBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }
}
