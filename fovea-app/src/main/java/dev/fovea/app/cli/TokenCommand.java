package dev.fovea.app.cli;

import dev.fovea.core.FoveaException;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Scope;
import dev.fovea.core.account.Token;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "token", description = "Tokens for scripts, API clients and served models (Authorization: Bearer TOKEN).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand {

    @Command(name = "create", description = "Create a token; its secret is printed once and stored only as a hash."
            + " Scopes: admin (everything), review (the review pages and API), predict (the served models only).",
            footerHeading = "%nExamples:%n", footer = {
            "  fovea token create --user ana --scope review",
            "  fovea token create --user ops --scope predict --name shop-backend --json"})
    static final class Create extends FoveaSubcommand {
        @Option(names = "--user", required = true, paramLabel = "NAME") String user;
        @Option(names = "--scope", required = true, paramLabel = "admin|review|predict") String scope;
        @Option(names = "--name", paramLabel = "N") String name;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            AccountService.NewToken token = root.services().accounts().createToken(user, Scope.fromWord(scope), name);
            if (json.on()) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("token", token.secret());
                doc.put("id", token.token().id().toString());
                output.document(doc);
            } else {
                output.text("Token " + token.token().id() + " (" + token.token().scope().word() + ", for " + user + "):");
                output.text(token.secret());
                output.text("It is shown only now; store it somewhere safe.");
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List tokens (never their secrets).")
    static final class ListTokens extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            AccountService accounts = root.services().accounts();
            Map<UUID, String> names = new LinkedHashMap<>();
            accounts.users().forEach(u -> names.put(u.id(), u.name()));
            List<Token> tokens = accounts.tokens();
            if (json.on()) {
                output.document(Map.of("tokens", tokens.stream().map(t -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", t.id().toString());
                    m.put("user", names.get(t.userId()));
                    m.put("name", t.name());
                    m.put("scope", t.scope().word());
                    m.put("created_at", t.createdAt().toString());
                    m.put("last_used_at", t.lastUsedAt() == null ? null : t.lastUsedAt().toString());
                    m.put("revoked", t.revoked());
                    return m;
                }).toList()));
            } else {
                tokens.forEach(t -> output.text(String.format("%s  %-8s %-16s %-24s %s", t.id(), t.scope().word(),
                        names.get(t.userId()), t.name(), t.revoked() ? "revoked" : "")));
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token at once.")
    static final class Revoke extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "ID") String id;

        @Override
        public Integer call() {
            UUID uuid;
            try {
                uuid = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                throw FoveaException.invalid("token id '" + id + "' is not a UUID (fovea token list shows the ids)");
            }
            root.services().accounts().revokeToken(uuid);
            output.text("Revoked token " + uuid + ".");
            return 0;
        }
    }
}
