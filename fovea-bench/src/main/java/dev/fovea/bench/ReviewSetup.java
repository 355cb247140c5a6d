package dev.fovea.bench;

import static dev.fovea.bench.ReviewApi.enc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The review benchmark's accounts and projects, made through the admin API before anything is timed. */
final class ReviewSetup {
    private ReviewSetup() {}

    record Account(String name, String password, String token) {}

    record Setup(List<Account> reviewers, Account browser, String serverClass, String browserClass, String browserKey,
            int serverImages, int browserImages) {}

    static Setup setup(ReviewOptions o, ReviewApi admin) throws Exception {
        long t0 = System.nanoTime();
        List<String> projects = new ArrayList<>();
        if (!o.skipServer) projects.add(o.serverProject);
        if (!o.skipBrowser && !projects.contains(o.browserProject)) projects.add(o.browserProject);
        for (String p : projects) {
            admin.expect(200, "PUT", "/api/projects/" + enc(p) + "/review/settings",
                    Map.of("reviews_per_image", 1, "double_review_fraction", 0.0));
        }
        List<Account> reviewers = new ArrayList<>();
        if (!o.skipServer) {
            for (int i = 1; i <= o.reviewers; i++) {
                reviewers.add(account(admin, String.format(Locale.ROOT, "%s-r%02d", o.prefix, i), o.serverProject));
            }
        }
        Account browser = o.skipBrowser ? null : account(admin, o.prefix + "-browser", o.browserProject);
        String serverClass = null, browserClass = null, browserKey = null;
        int serverImages = 0, browserImages = 0;
        if (!o.skipServer) {
            Map<String, Object> overview = new ReviewApi(o.url, reviewers.get(0).token()).expect(200, "GET",
                    "/api/projects/" + enc(o.serverProject) + "/review", null);
            serverClass = firstClass(overview, o.serverProject);
            serverImages = ((Number) overview.get("images")).intValue();
        }
        if (!o.skipBrowser) {
            Map<String, Object> overview = new ReviewApi(o.url, browser.token()).expect(200, "GET",
                    "/api/projects/" + enc(o.browserProject) + "/review", null);
            browserClass = firstClass(overview, o.browserProject);
            browserImages = ((Number) overview.get("images")).intValue();
            @SuppressWarnings("unchecked")
            Map<String, Object> keys = (Map<String, Object>) overview.get("keys");
            Object key = keys.get(browserClass);
            if (key == null) throw new IllegalStateException("class '" + browserClass + "' has no key: " + keys);
            browserKey = key.toString();
        }
        System.out.printf(Locale.ROOT, "setup: single review (reviews_per_image 1, double_review_fraction 0) in %s;"
                + " %d reviewer accounts with review tokens added to '%s'%s, through the admin API in %.1f s%n",
                String.join(", ", projects), reviewers.size(), o.serverProject,
                browser == null ? "" : ", '" + browser.name() + "' to '" + o.browserProject + "'", (System.nanoTime() - t0) / 1e9);
        return new Setup(reviewers, browser, serverClass, browserClass, browserKey, serverImages, browserImages);
    }

    private static Account account(ReviewApi admin, String name, String project) throws Exception {
        Map<String, Object> user = admin.expect(201, "POST", "/api/users", Map.of("name", name, "role", "reviewer"));
        Map<String, Object> token = admin.expect(201, "POST", "/api/tokens",
                Map.of("user", name, "scope", "review", "name", "review-bench"));
        admin.expect(201, "POST", "/api/projects/" + enc(project) + "/reviewers",
                Map.of("user", name, "hourly_rate", 10, "currency", "EUR"));
        return new Account(name, (String) user.get("password"), (String) token.get("token"));
    }

    private static String firstClass(Map<String, Object> overview, String project) {
        List<?> classes = (List<?>) overview.get("classes");
        if (classes == null || classes.isEmpty()) throw new IllegalStateException("project '" + project + "' has no classes");
        return classes.get(0).toString();
    }
}
