package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.project.ClassName;
import dev.fovea.core.review.Decision;
import dev.fovea.core.review.GoldAnswer;
import dev.fovea.core.review.QueueOrder;
import dev.fovea.core.review.Review;
import dev.fovea.core.review.ReviewSettings;
import dev.fovea.core.review.ReviewStore;
import dev.fovea.core.review.ReviewerInfo;
import dev.fovea.core.review.Settlement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Review settings, reviewers, claims, reviews, gold answers and settlements, in {@code review_settings},
 * {@code project_reviewer}, {@code review_claim}, {@code review}, {@code gold_answer} and {@code settlement}.
 *
 * <p>A claim is live while it is filled (a review names it) or {@code now < expires_at}. Claims are taken by a
 * plain INSERT whose duplicate-key error means "taken": the primary key (project, image, slot) gives a slot to one
 * reviewer, the unique (project, image, user) keeps a reviewer to one slot of an image, on every machine at once.
 */
public final class JdbcReviewStore implements ReviewStore {
    private static final String REVIEW_COLUMNS =
            "id, project_id, sha256, user_id, decision, class_name, duration_ms, client_id, created_at, undone_at";

    private final Jdbc jdbc;
    private final Clock clock;

    JdbcReviewStore(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    // ---- settings

    @Override
    public Optional<ReviewSettings> settings(UUID projectId) {
        return jdbc.one("SELECT criteria, class_keys, reviews_per_image, double_review_fraction, queue_order,"
                + " idle_seconds, agreement_needed FROM review_settings WHERE project_id = ?",
                rs -> new ReviewSettings(rs.getString("criteria"), parseClassKeys(rs.getString("class_keys")),
                        rs.getInt("reviews_per_image"), rs.getDouble("double_review_fraction"),
                        QueueOrder.fromWord(rs.getString("queue_order")), rs.getInt("idle_seconds"),
                        rs.getInt("agreement_needed")),
                projectId);
    }

    @Override
    public void saveSettings(UUID projectId, ReviewSettings s) {
        s.classKeys().keySet().forEach(ClassName::check);
        String keys = formatClassKeys(s.classKeys());
        Instant now = clock.instant();
        Object[] values = {s.criteria(), keys, s.reviewsPerImage(), s.doubleReviewFraction(), s.queueOrder().word(),
            s.idleSeconds(), s.agreementNeeded(), now, projectId};
        String update = "UPDATE review_settings SET criteria = ?, class_keys = ?, reviews_per_image = ?,"
                + " double_review_fraction = ?, queue_order = ?, idle_seconds = ?, agreement_needed = ?, updated_at = ?"
                + " WHERE project_id = ?";
        String insert = "INSERT INTO review_settings (criteria, class_keys, reviews_per_image, double_review_fraction,"
                + " queue_order, idle_seconds, agreement_needed, updated_at, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        upsert(update, values, insert, values, () -> noSuchProject(projectId));
    }

    /** One "class TAB key" line per class, in class-name order (class names hold no tabs or line breaks). */
    static String formatClassKeys(Map<String, String> classKeys) {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(classKeys).forEach((cls, key) -> out.append(cls).append('\t').append(key).append('\n'));
        return out.toString();
    }

    static Map<String, String> parseClassKeys(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) return out;
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            int tab = line.lastIndexOf('\t');
            if (tab < 0) throw new IllegalStateException("review_settings.class_keys line without a tab: " + line);
            out.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return out;
    }

    // ---- reviewers

    @Override
    public void putReviewer(UUID projectId, ReviewerInfo r) {
        String currency = r.currency();
        if (currency == null || !currency.matches("[A-Z]{3}")) {
            throw FoveaException.invalid("currency '" + currency + "' must be three capital letters (ISO 4217, say EUR)");
        }
        if (r.hourlyRateCents() < 0) {
            throw FoveaException.invalid("hourly rate " + r.hourlyRateCents() + " cents must not be negative");
        }
        // An existing reviewer keeps their exclusion: that is changed by setExcluded only.
        // Adding a removed reviewer again brings them back (removed_at cleared).
        upsert("UPDATE project_reviewer SET hourly_rate_cents = ?, currency = ?, removed_at = NULL WHERE project_id = ?"
                + " AND user_id = ?",
                new Object[] {r.hourlyRateCents(), currency, projectId, r.userId()},
                "INSERT INTO project_reviewer (project_id, user_id, hourly_rate_cents, currency, excluded)"
                        + " VALUES (?, ?, ?, ?, ?)",
                new Object[] {projectId, r.userId(), r.hourlyRateCents(), currency, r.excluded()},
                () -> FoveaException.notFound("project " + projectId + " or user " + r.userId() + " does not exist"));
    }

    @Override
    public List<ReviewerInfo> reviewers(UUID projectId) {
        return reviewers(projectId, false);
    }

    @Override
    public List<ReviewerInfo> formerReviewers(UUID projectId) {
        return reviewers(projectId, true);
    }

    private List<ReviewerInfo> reviewers(UUID projectId, boolean removed) {
        return jdbc.query("SELECT r.user_id, u.name, r.hourly_rate_cents, r.currency, r.excluded"
                + " FROM project_reviewer r JOIN app_user u ON u.id = r.user_id WHERE r.project_id = ?"
                + " AND r.removed_at IS " + (removed ? "NOT NULL" : "NULL") + " ORDER BY u.name",
                rs -> new ReviewerInfo(rs.getObject("user_id", UUID.class), rs.getString("name"),
                        rs.getLong("hourly_rate_cents"), rs.getString("currency"), rs.getBoolean("excluded"), removed),
                projectId);
    }

    @Override
    public void setExcluded(UUID projectId, UUID userId, boolean excluded) {
        if (jdbc.update("UPDATE project_reviewer SET excluded = ? WHERE project_id = ? AND user_id = ?",
                excluded, projectId, userId) == 0) {
            throw FoveaException.notFound("user " + userId + " is not a reviewer of project " + projectId);
        }
    }

    @Override
    public boolean removeReviewer(UUID projectId, UUID userId) {
        return jdbc.transaction("remove reviewer " + userId + " from project " + projectId, c -> {
            Jdbc.update(c, "DELETE FROM review_claim WHERE project_id = ? AND user_id = ? AND review_id IS NULL",
                    projectId, userId);
            // The row stays, marked: the rate is what their past reviews are paid at.
            return Jdbc.update(c, "UPDATE project_reviewer SET removed_at = ? WHERE project_id = ? AND user_id = ?"
                    + " AND removed_at IS NULL", clock.instant(), projectId, userId) > 0;
        });
    }

    // ---- claims

    @Override
    public boolean claim(UUID projectId, String sha256, int slot, UUID userId, Instant now, Instant expiresAt) {
        if (slot < 0) throw FoveaException.invalid("review slot " + slot + " must not be negative");
        try {
            return jdbc.transaction("claim slot " + slot + " of image " + sha256, c -> {
                // An expired, unfilled claim on this slot (or the user's own on another slot of this image) is free:
                // delete it first. Two claimers racing for it both reach the row; the second waits for the first
                // and then finds nothing to delete, and its INSERT meets the first one's row as a duplicate key.
                Jdbc.update(c, "DELETE FROM review_claim WHERE project_id = ? AND sha256 = ? AND review_id IS NULL"
                        + " AND expires_at <= ? AND (slot = ? OR user_id = ?)", projectId, sha256, now, slot, userId);
                try {
                    Jdbc.update(c, "INSERT INTO review_claim (project_id, sha256, slot, user_id, claimed_at, expires_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)", projectId, sha256, slot, userId, now, expiresAt);
                    return true;
                } catch (SQLException e) {
                    if (SqlErrors.isMissingReference(e)) {
                        throw FoveaException.notFound("image " + sha256 + " of project " + projectId
                                + " or user " + userId + " does not exist");
                    }
                    if (!isTaken(e)) throw e;
                    // PostgreSQL has aborted the transaction: roll back here rather than commit a failed one.
                    c.rollback();
                    return false;
                }
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException sql && isTaken(sql)) return false;
            throw e;
        }
    }

    /** A duplicate key, or (H2) the row to delete or insert was changed by a concurrent claim: the slot is taken. */
    private static boolean isTaken(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (SqlErrors.isDuplicateKey(x) || SqlErrors.H2_CONCURRENT_UPDATE.equals(x.getSQLState())) return true;
        }
        return false;
    }

    @Override
    public int releaseExpired(UUID projectId, Instant now) {
        return jdbc.update("DELETE FROM review_claim WHERE project_id = ? AND review_id IS NULL AND expires_at <= ?",
                projectId, now);
    }

    @Override
    public void releaseClaims(UUID projectId, UUID userId) {
        jdbc.update("DELETE FROM review_claim WHERE project_id = ? AND user_id = ? AND review_id IS NULL",
                projectId, userId);
    }

    @Override
    public List<String> claimedBy(UUID projectId, UUID userId, Instant now) {
        return jdbc.query("SELECT sha256 FROM review_claim WHERE project_id = ? AND user_id = ? AND review_id IS NULL"
                + " AND expires_at > ? ORDER BY seq", rs -> rs.getString(1), projectId, userId, now);
    }

    @Override
    public Map<String, Integer> claimCounts(UUID projectId, Instant now) {
        Map<String, Integer> out = new LinkedHashMap<>();
        jdbc.query("SELECT sha256, COUNT(*) AS n FROM review_claim WHERE project_id = ?"
                + " AND (review_id IS NOT NULL OR expires_at > ?) GROUP BY sha256 ORDER BY sha256",
                rs -> out.put(rs.getString("sha256"), rs.getInt("n")), projectId, now);
        return out;
    }

    // ---- reviews

    @Override
    public Review addReview(Review review) {
        Review r = checked(review);
        if (r.clientId() != null) {
            Optional<Review> earlier = byClientId(r.userId(), r.clientId());
            if (earlier.isPresent()) return earlier.get();
        }
        boolean stored = jdbc.transaction("store review " + r.id() + " of image " + r.sha256(), c -> {
            try {
                Jdbc.update(c, "INSERT INTO review (" + REVIEW_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        r.id(), r.projectId(), r.sha256(), r.userId(), r.decision().word(), r.className(),
                        r.durationMs(), r.clientId(), r.createdAt(), r.undoneAt());
            } catch (SQLException e) {
                if (SqlErrors.isMissingReference(e)) {
                    throw FoveaException.notFound("image " + r.sha256() + " of project " + r.projectId()
                            + " or user " + r.userId() + " does not exist");
                }
                if (r.clientId() == null || !SqlErrors.isDuplicateKey(e)) throw e;
                // The same submit raced us and won: nothing of ours to keep.
                c.rollback();
                return false;
            }
            if (r.undone()) {
                return true;
            } else if (r.decision() == Decision.SKIP) {
                Jdbc.update(c, "DELETE FROM review_claim WHERE project_id = ? AND sha256 = ? AND user_id = ?"
                        + " AND review_id IS NULL", r.projectId(), r.sha256(), r.userId());
            } else {
                Jdbc.update(c, "UPDATE review_claim SET review_id = ? WHERE project_id = ? AND sha256 = ?"
                        + " AND user_id = ? AND review_id IS NULL", r.id(), r.projectId(), r.sha256(), r.userId());
            }
            return true;
        });
        if (stored) return r;
        return byClientId(r.userId(), r.clientId()).orElseThrow(() -> new IllegalStateException(
                "review of user " + r.userId() + " with client id " + r.clientId() + " was a duplicate but is gone"));
    }

    /** Validates the review and cuts its times to what both databases keep (microseconds). */
    private static Review checked(Review r) {
        if (r.id() == null || r.projectId() == null || r.sha256() == null || r.userId() == null
                || r.decision() == null || r.createdAt() == null) {
            throw FoveaException.invalid("review " + r + " lacks an id, project, image, user, decision or time");
        }
        checkAnswer(r.decision(), r.className(), "review of image " + r.sha256());
        if (r.durationMs() < 0) throw FoveaException.invalid("review duration " + r.durationMs() + " ms is negative");
        return new Review(r.id(), r.projectId(), r.sha256(), r.userId(), r.decision(), r.className(), r.durationMs(),
                r.clientId(), micros(r.createdAt()), micros(r.undoneAt()));
    }

    private static void checkAnswer(Decision decision, String className, String what) {
        if (decision == Decision.SUITABLE) {
            ClassName.check(className);
        } else if (className != null) {
            throw FoveaException.invalid(what + ": decision " + decision.word() + " takes no class, got '" + className + "'");
        }
    }

    private static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    private Optional<Review> byClientId(UUID userId, UUID clientId) {
        return jdbc.one("SELECT " + REVIEW_COLUMNS + " FROM review WHERE user_id = ? AND client_id = ?",
                JdbcReviewStore::review, userId, clientId);
    }

    @Override
    public void undo(UUID reviewId, Instant at) {
        jdbc.transaction("undo review " + reviewId, c -> {
            if (Jdbc.query(c, "SELECT 1 FROM review WHERE id = ?", rs -> true, reviewId).isEmpty()) {
                throw FoveaException.notFound("review " + reviewId + " does not exist");
            }
            // Undoing twice keeps the first time.
            Jdbc.update(c, "UPDATE review SET undone_at = ? WHERE id = ? AND undone_at IS NULL", micros(at), reviewId);
            return Jdbc.update(c, "DELETE FROM review_claim WHERE review_id = ?", reviewId);
        });
    }

    @Override
    public List<Review> reviews(UUID projectId) {
        return jdbc.query("SELECT " + REVIEW_COLUMNS + " FROM review WHERE project_id = ? ORDER BY seq",
                JdbcReviewStore::review, projectId);
    }

    @Override
    public List<Review> reviewsBy(UUID projectId, UUID userId) {
        return jdbc.query("SELECT " + REVIEW_COLUMNS + " FROM review WHERE project_id = ? AND user_id = ? ORDER BY seq",
                JdbcReviewStore::review, projectId, userId);
    }

    private static Review review(ResultSet rs) throws SQLException {
        return new Review(rs.getObject("id", UUID.class), rs.getObject("project_id", UUID.class),
                rs.getString("sha256"), rs.getObject("user_id", UUID.class), Decision.fromWord(rs.getString("decision")),
                rs.getString("class_name"), rs.getLong("duration_ms"), rs.getObject("client_id", UUID.class),
                Jdbc.instant(rs, "created_at"), Jdbc.instant(rs, "undone_at"));
    }

    // ---- gold answers

    @Override
    public void putGold(UUID projectId, GoldAnswer gold) {
        checkAnswer(gold.decision(), gold.className(), "gold answer of image " + gold.sha256());
        Object[] values = {gold.decision().word(), gold.className(), projectId, gold.sha256()};
        upsert("UPDATE gold_answer SET decision = ?, class_name = ? WHERE project_id = ? AND sha256 = ?", values,
                "INSERT INTO gold_answer (decision, class_name, project_id, sha256) VALUES (?, ?, ?, ?)", values,
                () -> noSuchImage(projectId, gold.sha256()));
    }

    @Override
    public void removeGold(UUID projectId, String sha256) {
        jdbc.update("DELETE FROM gold_answer WHERE project_id = ? AND sha256 = ?", projectId, sha256);
    }

    @Override
    public Map<String, GoldAnswer> gold(UUID projectId) {
        Map<String, GoldAnswer> out = new LinkedHashMap<>();
        jdbc.query("SELECT g.sha256, g.decision, g.class_name FROM gold_answer g"
                + " JOIN image i ON i.project_id = g.project_id AND i.sha256 = g.sha256 WHERE g.project_id = ? ORDER BY i.seq",
                rs -> out.put(rs.getString("sha256"), new GoldAnswer(rs.getString("sha256"),
                        Decision.fromWord(rs.getString("decision")), rs.getString("class_name"))),
                projectId);
        return out;
    }

    // ---- settlements

    @Override
    public void settle(UUID projectId, Settlement s) {
        checkAnswer(s.decision(), s.className(), "settlement of image " + s.sha256());
        if (s.byUser() == null || s.byUser().isEmpty() || s.byUser().length() > 64 || s.at() == null) {
            throw FoveaException.invalid("settlement of image " + s.sha256() + " needs who (at most 64 characters) and when");
        }
        Object[] values = {s.decision().word(), s.className(), s.byUser(), micros(s.at()), projectId, s.sha256()};
        upsert("UPDATE settlement SET decision = ?, class_name = ?, by_user = ?, settled_at = ?"
                        + " WHERE project_id = ? AND sha256 = ?", values,
                "INSERT INTO settlement (decision, class_name, by_user, settled_at, project_id, sha256)"
                        + " VALUES (?, ?, ?, ?, ?, ?)", values,
                () -> noSuchImage(projectId, s.sha256()));
    }

    @Override
    public Map<String, Settlement> settlements(UUID projectId) {
        Map<String, Settlement> out = new LinkedHashMap<>();
        jdbc.query("SELECT s.sha256, s.decision, s.class_name, s.by_user, s.settled_at FROM settlement s"
                + " JOIN image i ON i.project_id = s.project_id AND i.sha256 = s.sha256 WHERE s.project_id = ? ORDER BY i.seq",
                rs -> out.put(rs.getString("sha256"), new Settlement(rs.getString("sha256"),
                        Decision.fromWord(rs.getString("decision")), rs.getString("class_name"),
                        rs.getString("by_user"), Jdbc.instant(rs, "settled_at"))),
                projectId);
        return out;
    }

    // ---- helpers

    /**
     * Updates a row or, when there is none, inserts it. Portable (no ON CONFLICT) and race-free: an insert that loses
     * to a concurrent one goes round again and updates the winner's row. Each statement commits on its own, since
     * PostgreSQL aborts a transaction at a duplicate key.
     */
    private void upsert(String update, Object[] updateParams, String insert, Object[] insertParams,
            Supplier<FoveaException> missing) {
        for (int attempt = 0; attempt < 3; attempt++) {
            if (jdbc.update(update, updateParams) > 0) return;
            try {
                if (jdbc.insertUnlessPresent(insert, insertParams)) return;
            } catch (StoreException e) {
                if (e.getCause() instanceof SQLException sql && SqlErrors.isMissingReference(sql)) throw missing.get();
                throw e;
            }
        }
        throw new IllegalStateException("could neither update nor insert the row: " + insert);
    }

    private static FoveaException noSuchProject(UUID projectId) {
        return FoveaException.notFound("project " + projectId + " does not exist");
    }

    private static FoveaException noSuchImage(UUID projectId, String sha256) {
        return FoveaException.notFound("image " + sha256 + " is not an image of project " + projectId);
    }
}
