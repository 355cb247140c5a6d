package dev.fovea.core.review;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountStore;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.User;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.project.Project;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The review workflow: settings and reviewers, each reviewer's queue (claims on review slots, so two reviewers
 * never get one single-review image), decisions with undo, labels by consensus, and the figures that pay helpers.
 */
public final class ReviewService {
    /** How long a claimed image waits for its reviewer before someone else may get it. */
    public static final Duration CLAIM_TIME = Duration.ofMinutes(15);
    /** One gold image after every this many ordinary ones, while the reviewer has gold images left. */
    static final int GOLD_EVERY = 10;
    private static final long MAX_DURATION_MS = Duration.ofHours(1).toMillis();

    private final ImageStore images;
    private final CurationStore curation;
    private final ReviewStore store;
    private final AccountStore accounts;
    private final Clock clock;

    public ReviewService(ImageStore images, CurationStore curation, ReviewStore store, AccountStore accounts, Clock clock) {
        this.images = images;
        this.curation = curation;
        this.store = store;
        this.accounts = accounts;
        this.clock = clock;
    }

    public ReviewSettings settings(Project project) {
        return store.settings(project.id()).orElse(ReviewSettings.DEFAULTS);
    }

    public ReviewSettings saveSettings(Project project, ReviewSettings settings) {
        for (String cls : settings.classKeys().keySet()) {
            if (!project.hasClass(cls)) {
                throw FoveaException.invalid("class '" + cls + "' given a key is not a class of project '" + project.name()
                        + "' (classes: " + String.join(", ", project.classes()) + ")");
            }
        }
        store.saveSettings(project.id(), settings);
        return settings;
    }

    /** The key of each class: the one set, else the first free digit. */
    public Map<String, String> keys(Project project) {
        Map<String, String> set = settings(project).classKeys();
        Map<String, String> keys = new LinkedHashMap<>();
        Set<String> used = new HashSet<>(set.values());
        int digit = 1;
        for (String cls : project.classes()) {
            String key = set.get(cls);
            while (key == null && digit <= 9) {
                String candidate = Integer.toString(digit++);
                if (!used.contains(candidate)) key = candidate;
            }
            if (key != null) keys.put(cls, key);
        }
        return keys;
    }

    public ReviewerInfo addReviewer(Project project, String userName, long hourlyRateCents, String currency) {
        User user = accounts.findUser(userName).orElseThrow(() -> FoveaException.notFound("user '" + userName + "' does not exist"));
        if (hourlyRateCents < 0 || hourlyRateCents > 100_000_00L) {
            throw FoveaException.invalid("hourly rate " + hourlyRateCents + " cents for '" + userName + "' is out of range");
        }
        String cur = currency == null || currency.isBlank() ? "EUR" : currency.strip().toUpperCase();
        if (!cur.matches("[A-Z]{3}")) throw FoveaException.invalid("currency '" + currency + "' is not a 3-letter code such as EUR");
        boolean excluded = store.reviewers(project.id()).stream().anyMatch(r -> r.userId().equals(user.id()) && r.excluded());
        ReviewerInfo info = new ReviewerInfo(user.id(), user.name(), hourlyRateCents, cur, excluded);
        store.putReviewer(project.id(), info);
        return info;
    }

    public List<ReviewerInfo> reviewers(Project project) {
        return store.reviewers(project.id());
    }

    public void exclude(Project project, String userName, boolean excluded) {
        ReviewerInfo r = reviewer(project, userName);
        store.setExcluded(project.id(), r.userId(), excluded);
    }

    /** Removes a reviewer from the project (their reviews stay and still count); refused for someone who is not one. */
    public void removeReviewer(Project project, String userName) {
        ReviewerInfo r = reviewer(project, userName);
        store.removeReviewer(project.id(), r.userId());
    }

    /** Changes a reviewer's rate (and currency), keeping the rest; refused for someone who is not a reviewer. */
    public ReviewerInfo changeRate(Project project, String userName, long hourlyRateCents, String currency) {
        reviewer(project, userName);
        return addReviewer(project, userName, hourlyRateCents, currency);
    }

    private ReviewerInfo reviewer(Project project, String userName) {
        return store.reviewers(project.id()).stream().filter(r -> r.userName().equals(userName)).findFirst()
                .orElseThrow(() -> FoveaException.notFound("'" + userName + "' is not a reviewer of project '" + project.name() + "'"));
    }

    /** Admins may review any project; reviewers only the projects they were added to. */
    public void requireReviewer(Project project, User user) {
        if (user.role() == Role.ADMIN) return;
        if (store.reviewers(project.id()).stream().noneMatch(r -> r.userId().equals(user.id()))) {
            throw new FoveaException("forbidden", "user '" + user.name() + "' is not a reviewer of project '" + project.name() + "'");
        }
    }

    public record QueueItem(String sha256, boolean gold) {}

    /**
     * The next images for this reviewer, claimed for {@link #CLAIM_TIME}: first those they already hold (a reviewer
     * who comes back continues where they stopped), then images that others started and still need a review (so
     * double reviews complete and agreement can be measured), then the rest in the project's queue order; a gold
     * image after every {@value #GOLD_EVERY}.
     */
    public List<QueueItem> next(Project project, User user, int count) {
        requireReviewer(project, user);
        if (count < 1 || count > 50) throw FoveaException.invalid("count = " + count + " must be 1 to 50");
        Instant now = clock.instant();
        ReviewSettings settings = settings(project);
        store.releaseExpired(project.id(), now);
        Map<String, GoldAnswer> gold = store.gold(project.id());
        Set<String> mine = new HashSet<>(), reviewed = new HashSet<>();
        int ordinaryDone = 0;
        for (Review r : store.reviews(project.id())) {
            if (r.undone()) continue;
            if (r.decision() != Decision.SKIP) reviewed.add(r.sha256());
            if (r.userId().equals(user.id())) {
                mine.add(r.sha256());
                if (!gold.containsKey(r.sha256())) ordinaryDone++;
            }
        }
        List<QueueItem> out = new ArrayList<>();
        for (String sha : store.claimedBy(project.id(), user.id(), now)) {
            if (out.size() < count && !mine.contains(sha)) out.add(new QueueItem(sha, false));
        }
        Map<String, Curation> curations = curation.curations(project.id());
        Map<String, Integer> claims = store.claimCounts(project.id(), now);
        List<String> candidates = new ArrayList<>();
        for (String sha : images.sourcePaths(project.id()).keySet()) {
            if (gold.containsKey(sha) || mine.contains(sha) || curations.get(sha) == Curation.REJECTED) continue;
            if (claims.getOrDefault(sha, 0) >= settings.reviewsNeeded(sha)) continue;
            candidates.add(sha);
        }
        candidates.sort(order(project, settings, reviewed, candidates));
        candidates = spread(candidates, reviewed, user, count);
        List<String> goldLeft = gold.keySet().stream().filter(s -> !mine.contains(s)).sorted().toList();
        int goldIndex = 0;
        for (String sha : candidates) {
            if (out.size() >= count) break;
            int position = ordinaryDone + out.size() + 1;
            if (goldIndex < goldLeft.size() && position % GOLD_EVERY == 0) out.add(new QueueItem(goldLeft.get(goldIndex++), true));
            if (out.size() >= count) break;
            if (claimFreeSlot(project, sha, settings.reviewsNeeded(sha), user, now)) out.add(new QueueItem(sha, false));
        }
        return out.stream().map(q -> new QueueItem(q.sha256(), false)).toList(); // a reviewer is never told what is gold
    }

    /**
     * Reviewers asking at the same moment would all try to claim the same first fresh images and lose on each
     * other's; each one starts instead at its own place within the first few fresh candidates, which keeps the
     * queue order nearly intact while claims rarely collide. Started images (few, and wanted first) keep their order.
     */
    private static List<String> spread(List<String> ordered, Set<String> reviewed, User user, int count) {
        List<String> out = new ArrayList<>(ordered.size()), fresh = new ArrayList<>();
        for (String sha : ordered) (reviewed.contains(sha) ? out : fresh).add(sha);
        int window = Math.min(fresh.size(), 8 * count);
        int offset = window == 0 ? 0 : Math.floorMod(user.id().hashCode(), window);
        for (int i = 0; i < window; i++) out.add(fresh.get((offset + i) % window));
        out.addAll(fresh.subList(window, fresh.size()));
        return out;
    }

    private Comparator<String> order(Project project, ReviewSettings settings, Set<String> reviewed, List<String> inOrder) {
        Map<String, Integer> position = new LinkedHashMap<>();
        for (int i = 0; i < inOrder.size(); i++) position.put(inOrder.get(i), i);
        // Images someone already reviewed and that need another opinion come first, so double reviews complete.
        Comparator<String> started = Comparator.comparing(sha -> reviewed.contains(sha) ? 0 : 1);
        Comparator<String> rest = switch (settings.queueOrder()) {
            case UNREVIEWED_FIRST -> Comparator.comparing(position::get);
            case FLAGGED_FIRST -> {
                Set<String> flagged = curation.flags(project.id()).keySet();
                yield Comparator.<String, Integer>comparing(sha -> flagged.contains(sha) ? 0 : 1).thenComparing(position::get);
            }
            // A fixed shuffle: the same for every call, so a queue does not jump around between requests.
            case RANDOM -> Comparator.comparing(sha -> Sha256.hex((project.id() + sha).getBytes()));
        };
        return started.thenComparing(rest);
    }

    private boolean claimFreeSlot(Project project, String sha, int needed, User user, Instant now) {
        for (int slot = 0; slot < needed; slot++) {
            if (store.claim(project.id(), sha, slot, user.id(), now, now.plus(CLAIM_TIME))) return true;
        }
        return false;
    }

    /** A stored decision, and whether it had been sent before (a double submit, stored once). */
    public record Submitted(Review review, boolean repeated) {}

    /** Records a decision; the same client id twice stores it once. */
    public Submitted submit(Project project, User user, String sha256, Decision decision, String className, long durationMs,
            UUID clientId) {
        requireReviewer(project, user);
        if (clientId == null) throw FoveaException.invalid("a review needs a client_id (a UUID the page makes per decision)");
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}") || images.find(project.id(), sha256).isEmpty()) {
            throw FoveaException.notFound("project '" + project.name() + "' has no image " + sha256);
        }
        if (decision == Decision.SUITABLE) {
            if (className == null || !project.hasClass(className)) {
                throw FoveaException.invalid("class '" + className + "' is not a class of project '" + project.name()
                        + "' (classes: " + String.join(", ", project.classes()) + ")");
            }
        } else if (className != null && !className.isBlank()) {
            throw FoveaException.invalid("a '" + decision.word() + "' decision takes no class, got '" + className + "'");
        }
        for (Review earlier : store.reviewsBy(project.id(), user.id())) {
            if (earlier.sha256().equals(sha256) && !earlier.undone() && !earlier.clientId().equals(clientId)) {
                throw FoveaException.conflict("user '" + user.name() + "' has already reviewed image " + sha256
                        + " of project '" + project.name() + "'; undo that decision first to change it");
            }
        }
        long duration = Math.max(0, Math.min(MAX_DURATION_MS, durationMs));
        Review review = new Review(UUID.randomUUID(), project.id(), sha256, user.id(), decision,
                decision == Decision.SUITABLE ? className : null, duration, clientId, clock.instant(), null);
        Review stored = store.addReview(review);
        return new Submitted(stored, !stored.id().equals(review.id()));
    }

    /** Undoes this reviewer's latest decision that is not undone yet, and claims its image for them again. */
    public Optional<Review> undoLast(Project project, User user) {
        requireReviewer(project, user);
        List<Review> mine = store.reviewsBy(project.id(), user.id());
        for (int i = mine.size() - 1; i >= 0; i--) {
            Review r = mine.get(i);
            if (r.undone()) continue;
            Instant now = clock.instant();
            store.undo(r.id(), now);
            if (!store.gold(project.id()).containsKey(r.sha256())) {
                claimFreeSlot(project, r.sha256(), settings(project).reviewsNeeded(r.sha256()), user, now);
            }
            return Optional.of(r);
        }
        return Optional.empty();
    }

    public record Progress(int reviewedByMe, int todayByMe, int projectImages, int labelled) {}

    public Progress progress(Project project, User user) {
        List<Review> all = store.reviews(project.id());
        java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
        int mine = 0, todayMine = 0;
        for (Review r : all) {
            if (r.undone() || !r.userId().equals(user.id())) continue;
            mine++;
            if (java.time.LocalDate.ofInstant(r.createdAt(), java.time.ZoneOffset.UTC).equals(today)) todayMine++;
        }
        // An image is labelled when reviews decided it, or else when it came with a label (a folder import).
        Map<String, Consensus.Outcome> outcomes = outcomes(project);
        int labelled = 0, total = 0;
        for (dev.fovea.core.image.StoredImage image : images.page(project.id(), 0, Integer.MAX_VALUE)) {
            total++;
            Consensus.Outcome o = outcomes.get(image.sha256());
            if ((o != null && o.decided()) || (image.label() != null && !image.label().isEmpty())) labelled++;
        }
        return new Progress(mine, todayMine, total, labelled);
    }

    public Map<String, Consensus.Outcome> outcomes(Project project) {
        Set<UUID> excluded = new HashSet<>();
        store.reviewers(project.id()).stream().filter(ReviewerInfo::excluded).forEach(r -> excluded.add(r.userId()));
        Map<String, GoldAnswer> gold = store.gold(project.id());
        List<Review> ordinary = store.reviews(project.id()).stream().filter(r -> !gold.containsKey(r.sha256())).toList();
        return Consensus.outcomes(ordinary, excluded, settings(project), store.settlements(project.id()),
                images.sourcePaths(project.id()).keySet());
    }

    /** The figures of the reviewers page and the pay report, by {@link ReviewStats}'s rules. */
    public ReviewStats stats(Project project) {
        // Removed reviewers too: their past reviews are still paid, at the rate they were added with.
        List<ReviewerInfo> everyone = new ArrayList<>(store.reviewers(project.id()));
        everyone.addAll(store.formerReviewers(project.id()));
        return ReviewStats.compute(new ReviewStats.Inputs(everyone, store.reviews(project.id()),
                store.gold(project.id()), outcomes(project), importLabels(project), store.settlements(project.id()),
                settings(project)));
    }

    /** Each image's imported (folder or CSV) label, for images that came with one. */
    public Map<String, String> importLabels(Project project) {
        Map<String, String> out = new java.util.HashMap<>();
        int total = (int) images.count(project.id());
        for (int offset = 0; offset < total; offset += 1000) {
            for (dev.fovea.core.image.StoredImage i : images.page(project.id(), offset, 1000)) {
                if (i.label() != null && !i.label().isBlank()) out.put(i.sha256(), i.label());
            }
        }
        return out;
    }

    public void settle(Project project, User admin, String sha256, Decision decision, String className) {
        if (images.find(project.id(), sha256).isEmpty()) throw FoveaException.notFound("project '" + project.name() + "' has no image " + sha256);
        if (decision == Decision.SKIP) throw FoveaException.invalid("a settlement must be suitable or unsuitable, not skip");
        if (decision == Decision.SUITABLE && (className == null || !project.hasClass(className))) {
            throw FoveaException.invalid("class '" + className + "' is not a class of project '" + project.name() + "'");
        }
        store.settle(project.id(), new Settlement(sha256, decision, decision == Decision.SUITABLE ? className : null,
                admin.name(), clock.instant()));
    }

    public void putGold(Project project, String sha256, Decision decision, String className) {
        if (images.find(project.id(), sha256).isEmpty()) throw FoveaException.notFound("project '" + project.name() + "' has no image " + sha256);
        if (decision == Decision.SKIP) throw FoveaException.invalid("a gold answer must be suitable or unsuitable");
        if (decision == Decision.SUITABLE && (className == null || !project.hasClass(className))) {
            throw FoveaException.invalid("class '" + className + "' is not a class of project '" + project.name() + "'");
        }
        store.putGold(project.id(), new GoldAnswer(sha256, decision, decision == Decision.SUITABLE ? className : null));
    }

    /** Makes a gold image ordinary again; refused when the image is not gold. */
    public void removeGold(Project project, String sha256) {
        if (!store.gold(project.id()).containsKey(sha256)) {
            throw FoveaException.notFound("image " + sha256 + " is not a gold image of project '" + project.name() + "'");
        }
        store.removeGold(project.id(), sha256);
    }

    public ReviewStore store() {
        return store;
    }
}
