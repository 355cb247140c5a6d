package dev.fovea.store;

import dev.fovea.core.image.ImageFormat;
import dev.fovea.core.image.ImageSource;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.RejectReason;
import dev.fovea.core.image.Rejection;
import dev.fovea.core.image.StoredImage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Images, their sources and import rejections. */
public final class JdbcImageStore implements ImageStore {
    private static final String IMAGE_COLUMNS =
            "project_id, sha256, format, width, height, size_bytes, thumbnail_sha256, label, created_at";
    private static final int MAX_MESSAGE = 2000;

    private final Jdbc jdbc;

    JdbcImageStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean add(StoredImage image, ImageSource firstSource) {
        return jdbc.transaction("add image " + image.sha256(), c -> {
            boolean added = Jdbc.insertUnlessPresent(c, "INSERT INTO image (" + IMAGE_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", image.projectId(), image.sha256(), image.format().word(),
                    image.width(), image.height(), image.sizeBytes(), image.thumbnailSha256(), image.label(),
                    image.createdAt());
            if (added) {
                Jdbc.update(c, "INSERT INTO image_source (project_id, sha256, path, label, imported_at) VALUES (?, ?, ?, ?, ?)",
                        image.projectId(), image.sha256(), firstSource.path(), firstSource.label(), firstSource.importedAt());
            }
            return added;
        });
    }

    @Override
    public boolean addSource(UUID projectId, String sha256, ImageSource source) {
        return jdbc.insertUnlessPresent(
                "INSERT INTO image_source (project_id, sha256, path, label, imported_at) VALUES (?, ?, ?, ?, ?)",
                projectId, sha256, source.path(), source.label(), source.importedAt());
    }

    @Override
    public Optional<StoredImage> find(UUID projectId, String sha256) {
        return jdbc.one("SELECT " + IMAGE_COLUMNS + " FROM image WHERE project_id = ? AND sha256 = ?",
                JdbcImageStore::image, projectId, sha256);
    }

    @Override
    public List<ImageSource> sources(UUID projectId, String sha256) {
        return jdbc.query("SELECT path, label, imported_at FROM image_source WHERE project_id = ? AND sha256 = ? ORDER BY seq",
                rs -> new ImageSource(rs.getString("path"), rs.getString("label"), Jdbc.instant(rs, "imported_at")),
                projectId, sha256);
    }

    @Override
    public Map<String, List<String>> sourcePaths(UUID projectId) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        jdbc.query("SELECT s.sha256, s.path FROM image_source s"
                + " JOIN image i ON i.project_id = s.project_id AND i.sha256 = s.sha256"
                + " WHERE s.project_id = ? ORDER BY i.seq, s.seq",
                rs -> out.computeIfAbsent(rs.getString("sha256"), k -> new ArrayList<>()).add(rs.getString("path")),
                projectId);
        return out;
    }

    @Override
    public long count(UUID projectId) {
        return jdbc.one("SELECT COUNT(*) FROM image WHERE project_id = ?", rs -> rs.getLong(1), projectId).orElse(0L);
    }

    @Override
    public List<StoredImage> page(UUID projectId, int offset, int limit) {
        return jdbc.query("SELECT " + IMAGE_COLUMNS + " FROM image WHERE project_id = ? ORDER BY seq OFFSET ? ROWS FETCH NEXT ? ROWS ONLY",
                JdbcImageStore::image, projectId, offset, limit);
    }

    @Override
    public Map<String, Long> countByLabel(UUID projectId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        jdbc.query("SELECT COALESCE(label, '') AS label, COUNT(*) AS n FROM image WHERE project_id = ? GROUP BY COALESCE(label, '') ORDER BY 1",
                rs -> counts.put(rs.getString("label"), rs.getLong("n")), projectId);
        return counts;
    }

    @Override
    public void reject(UUID projectId, Rejection r) {
        String message = r.message().length() > MAX_MESSAGE ? r.message().substring(0, MAX_MESSAGE - 1) + "…" : r.message();
        // Delete then insert in one transaction: portable, where an upsert would need dialect-specific SQL.
        jdbc.transaction("record rejection of " + r.path(), c -> {
            Jdbc.update(c, "DELETE FROM import_rejection WHERE project_id = ? AND path = ?", projectId, r.path());
            return Jdbc.update(c, "INSERT INTO import_rejection (project_id, path, reason, message, rejected_at) VALUES (?, ?, ?, ?, ?)",
                    projectId, r.path(), r.reason().code(), message, r.rejectedAt());
        });
    }

    @Override
    public void clearRejection(UUID projectId, String path) {
        jdbc.update("DELETE FROM import_rejection WHERE project_id = ? AND path = ?", projectId, path);
    }

    @Override
    public List<Rejection> rejections(UUID projectId) {
        return jdbc.query("SELECT path, reason, message, rejected_at FROM import_rejection WHERE project_id = ? ORDER BY path",
                rs -> new Rejection(rs.getString("path"), RejectReason.fromCode(rs.getString("reason")),
                        rs.getString("message"), Jdbc.instant(rs, "rejected_at")), projectId);
    }

    private static StoredImage image(ResultSet rs) throws SQLException {
        return new StoredImage(rs.getObject("project_id", UUID.class), rs.getString("sha256"),
                ImageFormat.fromWord(rs.getString("format")), rs.getInt("width"), rs.getInt("height"),
                rs.getLong("size_bytes"), rs.getString("thumbnail_sha256"), rs.getString("label"),
                Jdbc.instant(rs, "created_at"));
    }
}
