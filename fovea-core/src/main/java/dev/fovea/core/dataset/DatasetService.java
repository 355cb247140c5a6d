package dev.fovea.core.dataset;

import dev.fovea.core.FoveaException;
import dev.fovea.core.blob.Sha256;
import dev.fovea.core.checks.Curation;
import dev.fovea.core.checks.CurationStore;
import dev.fovea.core.image.ImageStore;
import dev.fovea.core.image.StoredImage;
import dev.fovea.core.project.Project;
import dev.fovea.core.review.Consensus;
import dev.fovea.core.review.ReviewService;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Freezes a project's labelled images into a numbered, content-hashed dataset version with a stratified split.
 *
 * <p>Which images, and with which label: an image is left out when an admin rejected it, when review found it
 * not suitable, or when its reviewers disagree and no admin settled it; otherwise its label is the final review
 * label (or settlement) where review decided one, else its import folder or CSV label; unlabelled images are left
 * out. The split is stratified per class and seeded: within each class images are ordered by SHA-256 of
 * (seed, image), so the same images and seed always give the same split, and adding images moves few others.
 */
public final class DatasetService {
    private final ImageStore images;
    private final CurationStore curation;
    private final ReviewService reviews;
    private final DatasetStore store;
    private final Clock clock;

    public DatasetService(ImageStore images, CurationStore curation, ReviewService reviews, DatasetStore store, Clock clock) {
        this.images = images;
        this.curation = curation;
        this.reviews = reviews;
        this.store = store;
        this.clock = clock;
    }

    /** The result of a freeze: the version (new, or the latest when nothing changed) and its class balance. */
    public record Frozen(DatasetVersion version, boolean created, Map<Split, Map<String, Integer>> counts,
            List<String> emptyClasses, Map<String, Integer> leftOut) {}

    public Frozen freeze(Project project, double validation, double test, long seed) {
        if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
            throw FoveaException.invalid("validation " + validation + " and test " + test
                    + " fractions must be 0 or more and add up to less than 1");
        }
        Map<String, List<String>> byClass = new TreeMap<>();
        Map<String, Integer> leftOut = new TreeMap<>();
        labelled(project, leftOut).forEach((sha, label) -> byClass.computeIfAbsent(label, k -> new ArrayList<>()).add(sha));
        List<DatasetItem> items = new ArrayList<>();
        Map<Split, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (Split s : Split.values()) counts.put(s, new TreeMap<>());
        for (var e : byClass.entrySet()) {
            List<String> shas = new ArrayList<>(e.getValue());
            shas.sort(Comparator.comparing(sha -> Sha256.hex((seed + ":" + sha).getBytes(StandardCharsets.UTF_8))));
            int n = shas.size();
            int nTest = (int) Math.round(n * test), nVal = (int) Math.round(n * validation);
            while (nTest + nVal >= n && n > 0 && (nTest > 0 || nVal > 0)) { // keep at least one training image
                if (nTest >= nVal && nTest > 0) nTest--; else nVal--;
            }
            for (int i = 0; i < n; i++) {
                Split split = i < nTest ? Split.TEST : i < nTest + nVal ? Split.VALIDATION : Split.TRAIN;
                items.add(new DatasetItem(shas.get(i), e.getKey(), split));
                counts.get(split).merge(e.getKey(), 1, Integer::sum);
            }
        }
        if (items.isEmpty()) {
            throw FoveaException.invalid("project '" + project.name() + "' has no labelled images to freeze"
                    + (leftOut.isEmpty() ? "" : " (left out: " + leftOut + ")"));
        }
        items.sort(Comparator.comparing(DatasetItem::sha256));
        String hash = hash(items, seed, validation, test);
        List<String> empty = project.classes().stream().filter(c -> !byClass.containsKey(c)).toList();
        List<DatasetVersion> existing = store.versions(project.id());
        if (!existing.isEmpty() && existing.get(existing.size() - 1).hash().equals(hash)) {
            return new Frozen(existing.get(existing.size() - 1), false, counts, empty, leftOut);
        }
        DatasetVersion version = store.create(new DatasetVersion(project.id(), 0, hash, seed, validation, test, items.size(),
                clock.instant()), items);
        return new Frozen(version, true, counts, empty, leftOut);
    }

    /**
     * The images a freeze would take now and their labels, in import order (see the class comment for which and
     * with which label).
     */
    public Map<String, String> labelled(Project project) {
        return labelled(project, new TreeMap<>());
    }

    private Map<String, String> labelled(Project project, Map<String, Integer> leftOut) {
        Map<String, Curation> curations = curation.curations(project.id());
        Map<String, Consensus.Outcome> outcomes = reviews.outcomes(project);
        Map<String, String> labels = new LinkedHashMap<>();
        int total = (int) images.count(project.id());
        for (StoredImage img : images.page(project.id(), 0, Math.max(1, total))) {
            String reason = null, label = img.label();
            Consensus.Outcome o = outcomes.get(img.sha256());
            if (curations.get(img.sha256()) == Curation.REJECTED) reason = "rejected";
            else if (o != null && o.state() == Consensus.State.DISAGREEMENT) reason = "reviewers_disagree";
            else if (o != null && o.decided() && !o.suitable()) reason = "not_suitable";
            else if (o != null && o.decided()) label = o.label();
            if (reason == null && label == null) reason = "unlabelled";
            if (reason == null && !project.hasClass(label)) reason = "label_not_a_class";
            if (reason != null) leftOut.merge(reason, 1, Integer::sum);
            else labels.put(img.sha256(), label);
        }
        return labels;
    }

    static String hash(List<DatasetItem> sortedItems, long seed, double validation, double test) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "seed=%d;validation=%s;test=%s%n", seed, validation, test));
        for (DatasetItem i : sortedItems) s.append(i.sha256()).append('\t').append(i.label()).append('\t').append(i.split().word()).append('\n');
        return Sha256.hex(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    public List<DatasetVersion> versions(Project project) {
        return store.versions(project.id());
    }

    public DatasetVersion require(Project project, int number) {
        return store.version(project.id(), number).orElseThrow(() -> FoveaException.notFound("project '" + project.name()
                + "' has no dataset version " + number + " (fovea dataset list --project " + project.name() + ")"));
    }

    /** Counts per split and class of a stored version. */
    public Map<Split, Map<String, Integer>> counts(Project project, int number) {
        Map<Split, Map<String, Integer>> counts = new LinkedHashMap<>();
        for (Split s : Split.values()) counts.put(s, new TreeMap<>());
        for (DatasetItem i : store.items(project.id(), number)) counts.get(i.split()).merge(i.label(), 1, Integer::sum);
        return counts;
    }
}
