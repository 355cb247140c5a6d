package dev.fovea.core.review;

/** The known answer of a gold image, mixed into every reviewer's queue to measure their accuracy. */
public record GoldAnswer(String sha256, Decision decision, String className) {
    public String category() {
        return decision == Decision.SUITABLE ? className : decision.word();
    }
}
