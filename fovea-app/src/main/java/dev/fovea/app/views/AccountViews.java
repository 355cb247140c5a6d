package dev.fovea.app.views;

import dev.fovea.core.account.Token;
import dev.fovea.core.account.User;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Users and tokens as the JSON documents that {@code fovea user}, {@code fovea token} and /api/users share. */
public final class AccountViews {
    private AccountViews() {}

    public static Map<String, Object> json(User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id().toString());
        m.put("name", u.name());
        m.put("role", u.role().word());
        m.put("disabled", u.disabled());
        m.put("created_at", u.createdAt().toString());
        return m;
    }

    public static Map<String, Object> json(Token t, Map<UUID, String> userNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id().toString());
        m.put("user", userNames.getOrDefault(t.userId(), t.userId().toString()));
        m.put("name", t.name());
        m.put("scope", t.scope().word());
        m.put("created_at", t.createdAt().toString());
        m.put("last_used_at", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
        m.put("revoked_at", t.revokedAt() == null ? null : t.revokedAt().toString());
        return m;
    }
}
