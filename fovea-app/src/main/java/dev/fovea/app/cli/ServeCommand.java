package dev.fovea.app.cli;

import dev.fovea.app.server.FoveaServer;
import dev.fovea.app.server.ServerContext;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.serving.ModelServing;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", description = {
        "Serve one registered model for other programs, until Ctrl-C: the Open Inference Protocol v2 "
                + "(/v2/...), Azure Custom Vision's prediction routes (/customvision/v3.x/Prediction/...) and "
                + "Prometheus /metrics; no web UI, no admin API. Callers need a token of scope predict (fovea token "
                + "create --scope predict). An alias (NAME or NAME@ALIAS) is followed: move it (fovea model alias) and "
                + "the server switches without dropping a request."},
        footerHeading = "%nExamples:%n", footer = {
        "  fovea serve --model birds --port 9000          # follows birds@production",
        "  fovea serve --model birds@staging",
        "  fovea serve --model birds:3                    # one fixed version"})
final class ServeCommand extends FoveaSubcommand {
    @Option(names = "--model", required = true, paramLabel = "NAME[@ALIAS|:VERSION]") String model;
    @Option(names = "--port", paramLabel = "P", description = "Port (default: setting server.port, 8080; 0 picks a free one).") Integer port;

    @Override
    public Integer call() throws InterruptedException {
        ServerContext context = root.services().server();
        RegistryService.Reference ref = RegistryService.Reference.parse(model);
        var server = root.settings().server();
        // load and warm up before taking requests
        ModelServing.Served served = ServerCommand.startOrClose(context, () -> context.serving().get(ref));
        FoveaServer running = ServerCommand.startOrClose(context,
                () -> FoveaServer.startInference(context, server.host(), port != null ? port : server.port()));
        CountDownLatch stopped = ServerCommand.stopOnShutdown(root, context, running);
        String base = ServerCommand.baseUrl(server.host(), running.port());
        output.info("Serving model " + served.version().label() + " (" + ref + ", classes " + served.version().classes()
                + ") at " + base + "/v2/models/" + ref.name());
        output.info(ServeCommand.curl(base, ref.name(), "IMAGE.jpg"));
        output.info("Press Ctrl-C to stop.");
        stopped.await();
        return 0;
    }

    /**
     * A curl line that classifies one image through the OIP v2 route, with the token from {@code $FOVEA_TOKEN}: set
     * it first ({@code export FOVEA_TOKEN=...}), since a prefix assignment on the same line is not yet set when the
     * shell expands the header. {@code --fail-with-body} makes a refused request fail the command, with the reason.
     */
    static String curl(String base, String model, String image) {
        return "curl -sS --fail-with-body -H \"Authorization: Bearer $FOVEA_TOKEN\" -H 'Content-Type: application/json' "
                + "-d \"{\\\"inputs\\\":[{\\\"name\\\":\\\"image\\\",\\\"datatype\\\":\\\"BYTES\\\",\\\"shape\\\":[1],"
                + "\\\"data\\\":[\\\"$(base64 -w0 " + shellWord(image) + ")\\\"]}]}\" " + base + "/v2/models/" + model + "/infer";
    }

    /** The same image through the Custom Vision prediction route, as Azure's clients call it (raw bytes). */
    static String customVisionCurl(String base, String projectId, String image) {
        return "curl -sS --fail-with-body -H \"Prediction-Key: $FOVEA_TOKEN\" -H 'Content-Type: application/octet-stream' "
                + "--data-binary @" + shellWord(image) + " " + base + "/customvision/v3.0/Prediction/" + projectId
                + "/classify/iterations/" + RegistryService.PRODUCTION + "/image";
    }

    /** A path as one shell word: single-quoted unless it is plainly safe. */
    static String shellWord(String path) {
        if (path.matches("[A-Za-z0-9_./@:+-]+")) return path;
        return "'" + path.replace("'", "'\\''") + "'";
    }
}
