package dev.fovea.app.cli;

import dev.fovea.app.views.AccountViews;
import dev.fovea.core.account.AccountService;
import dev.fovea.core.account.Role;
import dev.fovea.core.account.User;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "Manage the people who log in: admins and reviewers.",
        subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Disable.class,
                UserCommand.Enable.class, UserCommand.SetRole.class, UserCommand.ResetPassword.class})
final class UserCommand {
    /** The same user document as the HTTP API's. */
    static Map<String, Object> json(User u) {
        return AccountViews.json(u);
    }

    @Command(name = "add", description = "Add a user; prints a one-time password, shown only now.")
    static final class Add extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--admin", description = "An admin instead of a reviewer.") boolean admin;
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            AccountService.NewUser created = root.services().accounts().addUser(name, admin ? Role.ADMIN : Role.REVIEWER);
            if (json.on()) {
                Map<String, Object> doc = UserCommand.json(created.user());
                doc.put("password", created.password());
                output.document(doc);
            } else {
                output.text("Added " + created.user().role().word() + " '" + name + "' with one-time password: "
                        + created.password());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List users.")
    static final class ListUsers extends FoveaSubcommand {
        @Mixin JsonOption json;

        @Override
        public Integer call() {
            List<User> users = root.services().accounts().users();
            if (json.on()) output.document(Map.of("users", users.stream().map(UserCommand::json).toList()));
            else users.forEach(u -> output.text(String.format("%-24s %-9s %s", u.name(), u.role().word(),
                    u.disabled() ? "disabled" : "")));
            return 0;
        }
    }

    @Command(name = "disable", description = "Stop a user from logging in or using their tokens.")
    static final class Disable extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            root.services().accounts().disable(name);
            output.text("Disabled '" + name + "'.");
            return 0;
        }
    }

    @Command(name = "enable", description = "Let a disabled user log in again.")
    static final class Enable extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            root.services().accounts().enable(name);
            output.text("Enabled '" + name + "'.");
            return 0;
        }
    }

    @Command(name = "role", description = "Make a user an admin or a reviewer (the last active admin stays one).")
    static final class SetRole extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ROLE", description = "admin or reviewer") String role;

        @Override
        public Integer call() {
            Role r;
            try {
                r = Role.fromWord(role);
            } catch (IllegalArgumentException e) {
                throw dev.fovea.core.FoveaException.invalid("role '" + role + "' is not one of admin, reviewer");
            }
            root.services().accounts().setRole(name, r);
            output.text("'" + name + "' is now a " + r.word() + ".");
            return 0;
        }
    }

    @Command(name = "reset-password", description = "Give a user a new one-time password, shown only now.")
    static final class ResetPassword extends FoveaSubcommand {
        @Parameters(index = "0", paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            output.text("New one-time password for '" + name + "': " + root.services().accounts().resetPassword(name));
            return 0;
        }
    }

}
