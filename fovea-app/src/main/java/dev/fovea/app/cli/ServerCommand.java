package dev.fovea.app.cli;

import dev.fovea.app.server.FoveaServer;
import dev.fovea.app.server.ServerContext;
import dev.fovea.core.account.AccountService;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "server", description = "Run the web UI and the HTTP API over this workspace or database, until Ctrl-C.")
final class ServerCommand extends FoveaSubcommand {
    @Option(names = "--port", paramLabel = "P", description = "Port (default: setting server.port, 8080; 0 picks a free one).")
    Integer port;

    @Override
    public Integer call() throws InterruptedException {
        serve(root, output, port, (base, context) -> { });
        return 0;
    }

    /** On SIGTERM or Ctrl-C: stop taking requests, unload the models, close the storage, then count down. */
    static CountDownLatch stopOnShutdown(FoveaCommand root, ServerContext context, FoveaServer running) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            context.serving().close();
            root.close();
            stopped.countDown();
        }, "fovea-shutdown"));
        return stopped;
    }

    /**
     * Runs {@code start}; if it fails, closes the model serving first, since its alias poller would otherwise go on
     * reading a database that the command closes next.
     */
    static <T> T startOrClose(ServerContext context, java.util.function.Supplier<T> start) {
        try {
            return start.get();
        } catch (RuntimeException e) {
            context.serving().close();
            throw e;
        }
    }

    /** The URL a client on this machine uses ("0.0.0.0" listens everywhere but is no address to call). */
    static String baseUrl(String host, int port) {
        return "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + port;
    }

    /** Starts the server, prints its URL (and a new admin's password on first start), and blocks until stopped. */
    static void serve(FoveaCommand root, Output output, Integer port, java.util.function.BiConsumer<String, ServerContext> afterStart)
            throws InterruptedException {
        ServerContext context = root.services().server();
        Optional<AccountService.NewUser> admin = context.accounts().ensureAdmin();
        var server = root.settings().server();
        FoveaServer running = startOrClose(context, () -> FoveaServer.start(context, server.host(), port != null ? port : server.port()));
        CountDownLatch stopped = stopOnShutdown(root, context, running);
        String base = baseUrl(server.host(), running.port());
        output.info("Fovea is serving " + root.storage().description() + " at " + base + "/");
        admin.ifPresent(a -> output.info("Created admin user '" + a.user().name() + "' with one-time password: "
                + a.password() + "   (shown only now; fovea user reset-password " + a.user().name() + " makes a new one)"));
        afterStart.accept(base, context);
        output.info("Press Ctrl-C to stop.");
        stopped.await();
    }
}
