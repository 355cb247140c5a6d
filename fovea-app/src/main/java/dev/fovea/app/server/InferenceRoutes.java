package dev.fovea.app.server;

import dev.fovea.app.views.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fovea.core.FoveaException;
import dev.fovea.core.image.ImageDecoder;
import dev.fovea.core.model.ModelVersion;
import dev.fovea.core.model.RegistryService;
import dev.fovea.core.serving.ModelServing;
import dev.fovea.core.training.Preprocessing;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol v2 (KServe, Triton, Seldon, DJL Serving): health, model metadata and readiness,
 * and inference. {@code /v2/models/{name}} means the version the {@code production} alias points at. Inputs:
 * {@code image} (BYTES, shape [N], encoded images as base64 in JSON or raw in the binary tensor extension) or
 * {@code input} (FP32, [N,3,S,S], already preprocessed). Outputs: {@code probabilities} (FP32 [N,K]) and
 * {@code label} (BYTES [N]); either may be asked for as binary data. Errors are {@code {"error": "..."}}.
 */
public final class InferenceRoutes {
    static final String BINARY_HEADER = "Inference-Header-Content-Length";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerContext context;

    InferenceRoutes(ServerContext context) {
        this.context = context;
    }

    List<Route> routes() {
        return List.of(
                new Route(HandlerType.GET, "/v2/health/live", Access.PUBLIC, "OIP v2: the server is up", ctx -> ctx.json(Map.of("live", true))),
                new Route(HandlerType.GET, "/v2/health/ready", Access.PUBLIC, "OIP v2: the server takes requests", ctx -> ctx.json(Map.of("ready", true))),
                new Route(HandlerType.GET, "/v2/models/{name}", Access.PREDICT, "OIP v2: metadata of a model's production version", this::metadata),
                new Route(HandlerType.GET, "/v2/models/{name}/ready", Access.PREDICT, "OIP v2: whether the production version is loaded", this::ready),
                new Route(HandlerType.GET, "/v2/models/{name}/versions/{version}", Access.PREDICT, "OIP v2: metadata of one version", this::metadata),
                new Route(HandlerType.GET, "/v2/models/{name}/versions/{version}/ready", Access.PREDICT, "OIP v2: whether a version is loaded", this::ready),
                new Route(HandlerType.POST, "/v2/models/{name}/infer", Access.PREDICT, "OIP v2: classify with the production version", this::infer),
                new Route(HandlerType.POST, "/v2/models/{name}/versions/{version}/infer", Access.PREDICT, "OIP v2: classify with one version", this::infer));
    }

    static RegistryService.Reference reference(Context ctx) {
        String name = ctx.pathParam("name");
        String version = ctx.pathParamMap().get("version");
        if (version == null) return new RegistryService.Reference(name, null, RegistryService.PRODUCTION);
        try {
            return new RegistryService.Reference(name, Integer.parseInt(version), null);
        } catch (NumberFormatException e) {
            throw FoveaException.invalid("model version '" + version + "' is not a number");
        }
    }

    private void metadata(Context ctx) {
        ModelServing.Served s = context.serving().get(reference(ctx));
        ModelVersion v = s.version();
        int size = s.bundle().preprocessing().inputSize(), k = v.classes().size();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", v.name());
        doc.put("versions", context.registry().store().versions(v.name()).stream().map(x -> Integer.toString(x.version())).toList());
        doc.put("platform", switch (v.format()) {
            case "onnx" -> "onnxruntime_onnx";
            case "torchscript" -> "pytorch_torchscript";
            case "tensorflow" -> "tensorflow_savedmodel";
            default -> "fovea_djl_pytorch";
        });
        doc.put("inputs", List.of(
                Json.object("name", "image", "datatype", "BYTES", "shape", List.of(-1)),
                Json.object("name", "input", "datatype", "FP32", "shape", List.of(-1, 3, size, size))));
        doc.put("outputs", List.of(
                Json.object("name", "probabilities", "datatype", "FP32", "shape", List.of(-1, k)),
                Json.object("name", "label", "datatype", "BYTES", "shape", List.of(-1))));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("version", Integer.toString(v.version()));
        params.put("classes", v.classes());
        params.put("input_size", size);
        params.put("mean", floats(s.bundle().preprocessing().mean()));
        params.put("std", floats(s.bundle().preprocessing().std()));
        params.put("resize", s.bundle().preprocessing().resize());
        doc.put("parameters", params);
        ctx.json(doc);
    }

    private static List<Float> floats(float[] a) {
        List<Float> out = new ArrayList<>();
        for (float f : a) out.add(f);
        return out;
    }

    private void ready(Context ctx) {
        ModelServing.Served s = context.serving().get(reference(ctx));
        ctx.json(Json.object("name", s.version().name(), "version", Integer.toString(s.version().version()), "ready", true));
    }

    /** A parsed infer request: the JSON part and the binary tail (empty without the binary extension). */
    private record Body(JsonNode json, byte[] binary) {}

    private static Body body(Context ctx) {
        byte[] raw = ctx.bodyAsBytes();
        String header = ctx.header(BINARY_HEADER);
        int jsonLength = raw.length;
        if (header != null) {
            try {
                jsonLength = Integer.parseInt(header.strip());
            } catch (NumberFormatException e) {
                throw FoveaException.invalid(BINARY_HEADER + " '" + header + "' is not a number");
            }
            if (jsonLength < 0 || jsonLength > raw.length) {
                throw FoveaException.invalid(BINARY_HEADER + " " + jsonLength + " is outside the body's " + raw.length + " bytes");
            }
        }
        JsonNode json;
        try {
            json = JSON.readTree(new String(raw, 0, jsonLength, StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw FoveaException.invalid("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (json == null || !json.isObject()) throw FoveaException.invalid("request body must be a JSON object with \"inputs\"");
        byte[] tail = java.util.Arrays.copyOfRange(raw, jsonLength, raw.length);
        return new Body(json, tail);
    }

    private void infer(Context ctx) {
        Body body = body(ctx);
        JsonNode inputs = body.json().get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw FoveaException.invalid("\"inputs\" must hold exactly one tensor, named \"image\" (BYTES) or \"input\" (FP32)");
        }
        RegistryService.Reference ref = reference(ctx);
        ModelServing.Served served = context.serving().get(ref);
        Preprocessing pre = served.bundle().preprocessing();
        JsonNode input = inputs.get(0);
        String name = text(input, "name"), datatype = text(input, "datatype");
        List<Long> shape = shape(input);
        int[] binaryAt = {0};
        float[] tensor;
        int n;
        switch (name) {
            case "image" -> {
                if (!datatype.equals("BYTES")) throw FoveaException.invalid("input \"image\" must have datatype BYTES, not " + datatype);
                if (shape.size() != 1) throw FoveaException.invalid("input \"image\" must have shape [N], not " + shape);
                List<byte[]> images = imageBytes(input, body.binary(), binaryAt);
                n = images.size();
                checkCount(n);
                if (n != shape.get(0)) throw FoveaException.invalid("input \"image\" has shape " + shape + " but holds " + n + " images");
                tensor = preprocess(images, pre, context.settings().importLimits());
            }
            case "input" -> {
                if (!datatype.equals("FP32")) throw FoveaException.invalid("input \"input\" must have datatype FP32, not " + datatype);
                int s = pre.inputSize();
                if (shape.size() != 4 || shape.get(1) != 3 || shape.get(2) != s || shape.get(3) != s || shape.get(0) < 1) {
                    throw FoveaException.invalid("input \"input\" must have shape [N, 3, " + s + ", " + s + "] for model "
                            + served.version().label() + ", not " + shape);
                }
                n = (int) (long) shape.get(0);
                checkCount(n);
                tensor = floats(input, body.binary(), n * 3 * s * s);
            }
            default -> throw FoveaException.invalid("input \"" + name + "\" is not one of \"image\" (BYTES) or \"input\" (FP32)");
        }
        ModelServing.Answer answer = context.serving().predict(ref, tensor, n);
        respond(ctx, body.json(), answer);
    }

    private static void respond(Context ctx, JsonNode request, ModelServing.Answer answer) {
        ModelVersion v = answer.served().version();
        float[][] p = answer.probabilities();
        int n = p.length, k = v.classes().size();
        Map<String, Boolean> binary = new LinkedHashMap<>();
        binary.put("probabilities", false);
        binary.put("label", false);
        JsonNode wanted = request.get("outputs");
        boolean defaultBinary = JsonFields.bool(request.path("parameters"), "binary_data_output", false);
        if (wanted != null && wanted.isArray() && !wanted.isEmpty()) {
            binary.clear();
            for (JsonNode o : wanted) {
                String name = text(o, "name");
                if (!name.equals("probabilities") && !name.equals("label")) {
                    throw FoveaException.invalid("output \"" + name + "\" is not one of \"probabilities\", \"label\"");
                }
                binary.put(name, JsonFields.bool(o.path("parameters"), "binary_data", defaultBinary));
            }
        } else if (defaultBinary) {
            binary.replaceAll((key, b) -> true);
        }
        ObjectNode doc = JSON.createObjectNode();
        doc.put("model_name", v.name());
        doc.put("model_version", Integer.toString(v.version()));
        if (request.has("id")) doc.set("id", request.get("id"));
        ArrayNode outputs = doc.putArray("outputs");
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        for (var e : binary.entrySet()) {
            ObjectNode o = outputs.addObject();
            o.put("name", e.getKey());
            if (e.getKey().equals("probabilities")) {
                o.put("datatype", "FP32");
                o.putArray("shape").add(n).add(k);
                if (e.getValue()) {
                    ByteBuffer buf = ByteBuffer.allocate(4 * n * k).order(ByteOrder.LITTLE_ENDIAN);
                    for (float[] row : p) for (float f : row) buf.putFloat(f);
                    tail.writeBytes(buf.array());
                    o.putObject("parameters").put("binary_data_size", buf.capacity());
                } else {
                    ArrayNode data = o.putArray("data");
                    for (float[] row : p) for (float f : row) data.add(f);
                }
            } else {
                o.put("datatype", "BYTES");
                o.putArray("shape").add(n);
                List<String> labels = new ArrayList<>();
                for (float[] row : p) labels.add(v.classes().get(argmax(row)));
                if (e.getValue()) {
                    int before = tail.size();
                    for (String l : labels) {
                        byte[] b = l.getBytes(StandardCharsets.UTF_8);
                        tail.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
                        tail.writeBytes(b);
                    }
                    o.putObject("parameters").put("binary_data_size", tail.size() - before);
                } else {
                    ArrayNode data = o.putArray("data");
                    labels.forEach(data::add);
                }
            }
        }
        if (tail.size() == 0) {
            ctx.json(doc);
            return;
        }
        byte[] head;
        try {
            head = JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.header(BINARY_HEADER, Integer.toString(head.length)).contentType("application/octet-stream");
        ByteArrayOutputStream all = new ByteArrayOutputStream(head.length + tail.size());
        all.writeBytes(head);
        all.writeBytes(tail.toByteArray());
        ctx.result(all.toByteArray());
    }

    /** Checked before decoding or reading values, so an oversized request costs nothing. */
    private static void checkCount(long n) {
        if (n > 256) throw FoveaException.invalid("a request may hold at most 256 images, not " + n);
    }

    static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
        return best;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) throw FoveaException.invalid("tensor needs a text \"" + field + "\"");
        return v.asText();
    }

    private static List<Long> shape(JsonNode input) {
        JsonNode s = input.get("shape");
        if (s == null || !s.isArray()) throw FoveaException.invalid("tensor \"" + input.path("name").asText() + "\" needs a \"shape\" array");
        List<Long> out = new ArrayList<>();
        for (JsonNode d : s) {
            if (!d.canConvertToLong() || d.asLong() < 0) throw FoveaException.invalid("shape " + s + " must hold whole numbers of 0 or more");
            out.add(d.asLong());
        }
        return out;
    }

    private static int binarySize(JsonNode input) {
        int size = JsonFields.integer(input.path("parameters"), "binary_data_size", -1);
        if (size < -1) throw FoveaException.invalid("field 'binary_data_size' must be 0 or more, not " + size);
        return size;
    }

    private static List<byte[]> imageBytes(JsonNode input, byte[] binary, int[] at) {
        List<byte[]> out = new ArrayList<>();
        int size = binarySize(input);
        if (size >= 0) {
            if (at[0] + size > binary.length) throw FoveaException.invalid("binary_data_size " + size + " runs past the body");
            ByteBuffer buf = ByteBuffer.wrap(binary, at[0], size).order(ByteOrder.LITTLE_ENDIAN);
            while (buf.remaining() > 0) {
                if (buf.remaining() < 4) throw FoveaException.invalid("binary BYTES tensor ends inside an element's 4-byte length");
                int len = buf.getInt();
                if (len < 0 || len > buf.remaining()) throw FoveaException.invalid("binary BYTES element of " + len + " bytes runs past the tensor");
                byte[] b = new byte[len];
                buf.get(b);
                out.add(b);
            }
            at[0] += size;
            return out;
        }
        JsonNode data = input.get("data");
        if (data == null || !data.isArray()) throw FoveaException.invalid("input \"image\" needs \"data\": [base64 strings]");
        for (JsonNode d : flatten(data)) {
            if (!d.isTextual()) throw FoveaException.invalid("input \"image\" elements must be base64 strings");
            try {
                out.add(Base64.getMimeDecoder().decode(d.asText()));
            } catch (IllegalArgumentException e) {
                throw FoveaException.invalid("input \"image\" element " + out.size() + " is not valid base64: " + e.getMessage());
            }
        }
        return out;
    }

    private static List<JsonNode> flatten(JsonNode data) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : data) {
            if (d.isArray()) out.addAll(flatten(d));
            else out.add(d);
        }
        return out;
    }

    private static float[] floats(JsonNode input, byte[] binary, int expected) {
        int size = binarySize(input);
        float[] out = new float[expected];
        if (size >= 0) {
            if (size != 4L * expected || size > binary.length) {
                throw FoveaException.invalid("binary FP32 tensor has " + size + " bytes, expected " + 4L * expected);
            }
            ByteBuffer.wrap(binary, 0, size).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            for (int i = 0; i < expected; i++) {
                if (!Float.isFinite(out[i])) {
                    throw FoveaException.invalid("input \"input\" value " + i + " is " + out[i] + "; FP32 inputs must be finite numbers");
                }
            }
            return out;
        }
        JsonNode data = input.get("data");
        if (data == null || !data.isArray()) throw FoveaException.invalid("input \"input\" needs \"data\": [numbers]");
        List<JsonNode> flat = flatten(data);
        if (flat.size() != expected) throw FoveaException.invalid("input \"input\" holds " + flat.size() + " values; its shape needs " + expected);
        for (int i = 0; i < expected; i++) {
            JsonNode d = flat.get(i);
            if (!d.isNumber()) throw FoveaException.invalid("input \"input\" value " + i + " is " + d + ", not a number");
            out[i] = d.floatValue();
            // 1e39 overflows a float to Infinity, and the model would answer NaN probabilities with a label.
            if (!Float.isFinite(out[i])) {
                throw FoveaException.invalid("input \"input\" value " + i + " is " + d + ", which is not a finite 32-bit"
                        + " float (FP32 holds magnitudes up to about 3.4e38)");
            }
        }
        return out;
    }

    /**
     * Decodes and preprocesses encoded images within the server's decode budget (held until each is resized); a
     * bad one is a 400 naming its position and reason.
     */
    static float[] preprocess(List<byte[]> images, Preprocessing pre, dev.fovea.core.imports.ImportLimits limits) {
        ImageDecoder decoder = new ImageDecoder(limits.maxPixels(), limits.decodeBudget());
        int plane = 3 * pre.inputSize() * pre.inputSize();
        float[] out = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            int at = i * plane;
            try {
                decoder.decode(images.get(i), d -> {
                    pre.toChw(pre.resize(d.pixels()), out, at);
                    return null;
                });
            } catch (dev.fovea.core.Overloaded e) {
                throw e; // keeps its Retry-After
            } catch (FoveaException e) {
                throw new FoveaException(e.code(), "image " + i + ": " + e.getMessage());
            }
        }
        return out;
    }
}
