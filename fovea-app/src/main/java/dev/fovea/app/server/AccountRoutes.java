package dev.fovea.app.server;

import dev.fovea.app.views.AccountViews;
import dev.fovea.app.views.Json;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Users and tokens, for admins: the same operations as {@code fovea user} and {@code fovea token}. */
public final class AccountRoutes {
    private final ServerContext context;

    AccountRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/api/users", Access.ADMIN, "Users with roles", this::users),
                new Route(HandlerType.POST, "/api/users", Access.ADMIN,
                        "Add a user {\"name\", \"role\": \"admin|reviewer\"}; the one-time password is in the answer only", this::addUser),
                new Route(HandlerType.POST, "/api/users/{user}/disable", Access.ADMIN,
                        "Disable a user (409 for the last active admin)", this::disable),
                new Route(HandlerType.PUT, "/api/users/{user}/role", Access.ADMIN,
                        "Change a user's role {\"role\": \"admin|reviewer\"} (409 when that leaves no active admin)", this::setRole),
                new Route(HandlerType.GET, "/api/tokens", Access.ADMIN, "Tokens (never their secrets)", this::tokens),
                new Route(HandlerType.POST, "/api/tokens", Access.ADMIN,
                        "Create a token {\"user\", \"scope\", \"name\"}; the secret is in the answer only", this::createToken),
                new Route(HandlerType.DELETE, "/api/tokens/{id}", Access.ADMIN, "Revoke a token", this::revoke));
    }

    private void users(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        context.accounts().users().forEach(u -> out.add(AccountViews.json(u)));
        ctx.json(Map.of("users", out));
    }

    private void addUser(Context ctx) {
        JsonNode body = SessionRoutes.json(ctx);
        String roleWord = SessionRoutes.text(body, "role");
        Role role = role(roleWord == null ? "reviewer" : roleWord);
        AccountService.NewUser created = context.accounts().addUser(SessionRoutes.text(body, "name"), role);
        Map<String, Object> out = AccountViews.json(created.user());
        out.put("password", created.password());
        ctx.status(201).json(out);
    }

    private void disable(Context ctx) {
        context.accounts().disable(ctx.pathParam("user"));
        ctx.json(AccountViews.json(context.accounts().requireUser(ctx.pathParam("user"))));
    }

    private void setRole(Context ctx) {
        String word = SessionRoutes.text(SessionRoutes.json(ctx), "role");
        ctx.json(AccountViews.json(context.accounts().setRole(ctx.pathParam("user"), role(word))));
    }

    private static Role role(String word) {
        try {
            return Role.fromWord(word);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw FoveaException.invalid("role '" + word + "' is not one of admin, reviewer");
        }
    }

    private void tokens(Context ctx) {
        Map<UUID, String> names = new LinkedHashMap<>();
        context.accounts().users().forEach(u -> names.put(u.id(), u.name()));
        List<Map<String, Object>> out = new ArrayList<>();
        context.accounts().tokens().forEach(t -> out.add(AccountViews.json(t, names)));
        ctx.json(Map.of("tokens", out));
    }

    private void createToken(Context ctx) {
        JsonNode body = SessionRoutes.json(ctx);
        AccountService.NewToken token = context.accounts().createToken(SessionRoutes.text(body, "user"),
                Scope.fromWord(SessionRoutes.text(body, "scope")), SessionRoutes.text(body, "name"));
        ctx.status(201).json(Json.object("token", token.secret(), "id", token.token().id().toString()));
    }

    private void revoke(Context ctx) {
        UUID id;
        try {
            id = UUID.fromString(ctx.pathParam("id"));
        } catch (IllegalArgumentException e) {
            throw FoveaException.invalid("token id '" + ctx.pathParam("id") + "' is not a UUID");
        }
        context.accounts().revokeToken(id);
        ctx.status(204);
    }
}
