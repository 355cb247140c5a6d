package dev.fovea.app.cli;

import dev.fovea.app.server.FoveaServer;
import dev.fovea.app.server.ServerContext;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.serving.ModelServing;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = {
        "Serve one registered model for other programs, until Ctrl-C: the Open Inference Protocol v2 (/v2/...),",
        "Azure Custom Vision's prediction routes (/customvision/v3.x/Prediction/...) and Prometheus /metrics;",
        "no web UI, no admin API. Callers need a token of scope predict (fovea token create --scope predict).",
        "An alias (NAME or NAME@ALIAS) is followed: move it (fovea model alias) and the server switches without",
        "dropping a request."})
final class ServeCommand extends FoveaSubcommand {
    @Option(names = "--model", required = true, paramLabel = "NAME[@ALIAS|:VERSION]") String model;
    @Option(names = "--port", paramLabel = "P", description = "Port (default: setting server.port, 8080; 0 picks a free one).") Integer port;

    @Override
    public Integer call() throws InterruptedException {
        ServerContext context = ServerContext.of(root.settings(), root.storage(), Clock.systemUTC());
        RegistryService.Reference ref = RegistryService.Reference.parse(model);
        ModelServing.Served served = context.serving().get(ref); // load and warm up before taking requests
        var server = root.settings().server();
        FoveaServer running = FoveaServer.startInference(context, server.host(), port != null ? port : server.port());
        CountDownLatch stopped = ServerCommand.stopOnShutdown(root, context, running);
        String base = ServerCommand.baseUrl(server.host(), running.port());
        output.info("Serving model " + served.version().label() + " (" + ref + ", classes " + served.version().classes()
                + ") at " + base + "/v2/models/" + ref.name());
        output.info(ServeCommand.curl(base, ref.name(), "IMAGE.jpg"));
        output.info("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    /** A curl line that classifies one image through the OIP v2 route. */
    static String curl(String base, String model, String image) {
        return "curl -s -H \"Authorization: Bearer $FOVEA_TOKEN\" -H 'Content-Type: application/json' "
                + "-d \"{\\\"inputs\\\":[{\\\"name\\\":\\\"image\\\",\\\"datatype\\\":\\\"BYTES\\\",\\\"shape\\\":[1],"
                + "\\\"data\\\":[\\\"$(base64 -w0 " + image + ")\\\"]}]}\" " + base + "/v2/models/" + model + "/infer";
    }
}
