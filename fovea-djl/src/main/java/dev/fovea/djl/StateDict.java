package dev.fovea.djl;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.fovea.core.FoveaException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Named tensors read from a published weights file, as floats: a PyTorch {@code state_dict} as {@code torch.save}
 * writes it (a zip of a pickle and raw storages, or the legacy format before PyTorch 1.6: pickles and storages one
 * after another) or a {@code .safetensors} file (a JSON header and raw tensors). Nothing in the file is run.
 *
 * @param format {@code torch-zip}, {@code torch-legacy} or {@code safetensors}
 */
record StateDict(String format, Map<String, Tensor> tensors) {
    /** One tensor, row-major; integer tensors ({@code num_batches_tracked}) are kept as floats too. */
    record Tensor(String dtype, long[] shape, float[] values) {
        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    static final long MAX_BYTES = Integer.MAX_VALUE; // one mapped buffer; ResNet-50 is 100 MB
    private static final java.math.BigInteger LEGACY_MAGIC = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    static StateDict read(Path file) {
        String what = "weights file " + file.getFileName();
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw FoveaException.notFound(what + " cannot be read: " + e.getMessage());
        }
        if (size > MAX_BYTES) throw FoveaException.invalid(what + " is " + size + " bytes; Fovea reads weights files up to 2 GB");
        ByteBuffer all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw FoveaException.invalid(what + " cannot be read: " + e.getMessage());
        }
        if (size >= 4 && all.getInt(0) == 0x04034b50) return zip(file, what);
        if (size >= 2 && (all.get(0) & 0xff) == 0x80) return legacy(all, what);
        if (size >= 9 && all.get(8) == '{') return safetensors(all, what);
        throw FoveaException.invalid(what + " is neither a PyTorch state dict (.pth/.pt, as torch.save writes it) nor a"
                + " .safetensors file: it starts with " + start(all));
    }

    // torch.save since 1.6: ARCHIVE/data.pkl, ARCHIVE/data/KEY per storage (raw little-endian), ARCHIVE/version
    private static StateDict zip(Path file, String what) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("data.pkl")).findFirst()
                    .orElseThrow(() -> FoveaException.invalid(what + " is a zip file without data.pkl: not a torch.save file"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Object root = Pickle.read(ByteBuffer.wrap(entry(zip, pkl, what)), what);
            Map<String, ByteBuffer> storages = new LinkedHashMap<>();
            return of("torch-zip", root, what, ref -> storages.computeIfAbsent(ref.key(), key -> {
                ZipEntry e = zip.getEntry(prefix + "data/" + key);
                if (e == null) throw FoveaException.invalid(what + " lacks the storage data/" + key + " its pickle names");
                return ByteBuffer.wrap(entry(zip, e, what)).order(ByteOrder.LITTLE_ENDIAN);
            }));
        } catch (ZipException e) {
            throw FoveaException.invalid(what + " is a damaged or truncated zip file: " + e.getMessage());
        } catch (IOException e) {
            throw FoveaException.invalid(what + " cannot be read: " + e.getMessage());
        }
    }

    private static byte[] entry(ZipFile zip, ZipEntry e, String what) {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (IOException x) {
            throw FoveaException.invalid(what + ": entry " + e.getName() + " cannot be read (truncated?): " + x.getMessage());
        }
    }

    // The legacy format: pickles of a magic number, a protocol version and system info, then the object, then the
    // list of storage keys in the order their bytes follow, each as an 8-byte element count and the raw elements.
    private static StateDict legacy(ByteBuffer in, String what) {
        Object magic = Pickle.read(in, what);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw FoveaException.invalid(what + " is a pickle but not a torch.save file (no PyTorch magic number)");
        }
        Pickle.read(in, what); // protocol version
        Pickle.read(in, what); // system info: byte order, type sizes
        Object root = Pickle.read(in, what);
        Object keys = Pickle.read(in, what);
        if (!(keys instanceof List<?> order)) throw FoveaException.invalid(what + " has no list of storages after its pickle");
        Map<String, ByteBuffer> storages = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        collect(root, ref -> sizes.put(ref.key(), Dtype.of(ref.type(), what).bytes()));
        for (Object k : order) {
            String key = String.valueOf(k);
            Integer element = sizes.get(key);
            if (element == null) throw FoveaException.invalid(what + " stores storage " + key + " that no tensor uses");
            if (in.remaining() < 8) throw truncated(what);
            long count = in.getLong();
            long bytes = count * element;
            if (count < 0 || bytes > in.remaining()) throw truncated(what);
            ByteBuffer slice = in.slice(in.position(), (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            in.position(in.position() + (int) bytes);
            storages.put(key, slice);
        }
        return of("torch-legacy", root, what, ref -> {
            ByteBuffer b = storages.get(ref.key());
            if (b == null) throw FoveaException.invalid(what + " lacks the bytes of storage " + ref.key());
            return b;
        });
    }

    private static FoveaException truncated(String what) {
        return FoveaException.invalid(what + " ends before the bytes of its tensors: the file is truncated");
    }

    private static void collect(Object o, java.util.function.Consumer<Pickle.StorageRef> each) {
        if (o instanceof Pickle.TensorRef t) each.accept(t.storage());
        else if (o instanceof Map<?, ?> m) m.values().forEach(v -> collect(v, each));
        else if (o instanceof List<?> l) l.forEach(v -> collect(v, each));
    }

    /** The state dict in a loaded pickle: the top map, or the one under a checkpoint's "state_dict" or "model". */
    private static StateDict of(String format, Object root, String what,
            java.util.function.Function<Pickle.StorageRef, ByteBuffer> bytes) {
        Map<?, ?> dict = tensorMap(root);
        if (dict == null) {
            throw FoveaException.invalid(what + " holds " + describe(root) + ", not a state dict (a map of tensor names"
                    + " to tensors, as model.state_dict() gives)");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : dict.entrySet()) {
            if (!(e.getValue() instanceof Pickle.TensorRef t)) continue; // e.g. _metadata, or an epoch number
            String name = String.valueOf(e.getKey());
            out.put(name, tensor(name, t, bytes.apply(t.storage()), what));
        }
        return new StateDict(format, out);
    }

    private static Map<?, ?> tensorMap(Object root) {
        if (!(root instanceof Map<?, ?> m)) return null;
        if (m.values().stream().anyMatch(v -> v instanceof Pickle.TensorRef)) return m;
        for (String key : List.of("state_dict", "model", "model_state_dict", "net")) {
            if (m.get(key) instanceof Map<?, ?> inner && inner.values().stream().anyMatch(v -> v instanceof Pickle.TensorRef)) {
                return inner;
            }
        }
        return null;
    }

    private static String describe(Object o) {
        if (o instanceof Pickle.Call c) return "a pickled " + c.callable().dotted() + " object (a whole model?)";
        if (o instanceof Map<?, ?> m) return "a map of " + m.size() + " entries without tensors";
        return o == null ? "nothing" : "a " + o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static Tensor tensor(String name, Pickle.TensorRef t, ByteBuffer storage, String what) {
        Dtype d = Dtype.of(t.storage().type(), what);
        long n = 1, last = t.offset();
        for (int i = 0; i < t.shape().length; i++) {
            if (t.shape()[i] < 0 || t.stride()[i] < 0) throw FoveaException.invalid(what + ": tensor " + name + " has a negative size");
            n = Math.multiplyExact(n, t.shape()[i]);
            if (t.shape()[i] > 0) last += (t.shape()[i] - 1) * t.stride()[i];
        }
        long available = Math.min(t.storage().elements(), storage.capacity() / d.bytes());
        if (n > 0 && last >= available) {
            throw FoveaException.invalid(what + ": tensor " + name + " " + Arrays.toString(t.shape()) + " reads element "
                    + last + " of a storage of " + available);
        }
        if (n > Integer.MAX_VALUE) throw FoveaException.invalid(what + ": tensor " + name + " has more than 2^31 elements");
        float[] v = new float[(int) n];
        if (contiguous(t.shape(), t.stride())) {
            d.readAll(storage, t.offset(), v);
            return new Tensor(d.name(), t.shape(), v);
        }
        long[] index = new long[t.shape().length];
        for (int i = 0; i < v.length; i++) { // strided gather: state dicts are nearly always contiguous, views happen
            long at = t.offset();
            for (int k = 0; k < index.length; k++) at += index[k] * t.stride()[k];
            v[i] = d.read(storage, (int) at);
            for (int k = index.length - 1; k >= 0 && ++index[k] == t.shape()[k]; k--) index[k] = 0;
        }
        return new Tensor(d.name(), t.shape(), v);
    }

    // safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, the data
    private static StateDict safetensors(ByteBuffer all, String what) {
        long headerBytes = all.getLong(0);
        long dataStart = 8 + headerBytes;
        if (headerBytes <= 0 || headerBytes > 100_000_000 || dataStart > all.capacity()) {
            throw FoveaException.invalid(what + " declares a safetensors header of " + headerBytes + " bytes in a file of "
                    + all.capacity());
        }
        byte[] header = new byte[(int) headerBytes];
        all.get(8, header);
        JsonObject json;
        try {
            JsonElement parsed = JsonParser.parseString(new String(header, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) throw new JsonParseException("not an object");
            json = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw FoveaException.invalid(what + " has a safetensors header that is not a JSON object: " + e.getMessage());
        }
        long dataBytes = all.capacity() - dataStart;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : json.entrySet()) {
            if (e.getKey().equals("__metadata__")) continue;
            String name = e.getKey();
            try {
                JsonObject t = e.getValue().getAsJsonObject();
                Dtype d = Dtype.ofSafetensors(t.get("dtype").getAsString(), what);
                var shapeJson = t.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                    if (shape[i] < 0) throw FoveaException.invalid(what + ": tensor " + name + " has a negative size");
                    n = Math.multiplyExact(n, shape[i]);
                }
                var offsets = t.getAsJsonArray("data_offsets");
                long begin = offsets.get(0).getAsLong(), end = offsets.get(1).getAsLong();
                if (begin < 0 || end < begin || end > dataBytes) {
                    throw FoveaException.invalid(what + ": tensor " + name + " claims bytes " + begin + ".." + end
                            + " of a data section of " + dataBytes + " bytes");
                }
                if (end - begin != n * d.bytes()) {
                    throw FoveaException.invalid(what + ": tensor " + name + " " + Arrays.toString(shape) + " " + d.name()
                            + " needs " + n * d.bytes() + " bytes, its header gives it " + (end - begin));
                }
                ByteBuffer slice = all.slice((int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                float[] v = new float[(int) n];
                d.readAll(slice, 0, v);
                out.put(name, new Tensor(d.name(), shape, v));
            } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
                    | IndexOutOfBoundsException | ArithmeticException x) {
                throw FoveaException.invalid(what + ": the safetensors header entry of tensor " + name
                        + " lacks a dtype, shape or data_offsets of the right kind");
            }
        }
        return new StateDict("safetensors", out);
    }

    private static boolean contiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    private static String start(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, b.capacity()); i++) sb.append(String.format("%02x ", b.get(i) & 0xff));
        return sb.isEmpty() ? "nothing (the file is empty)" : "bytes " + sb.toString().trim();
    }

    /** Element types: torch's storage class names and safetensors' dtype names. */
    enum Dtype {
        F32(4), F64(8), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        private final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }

        int bytes() {
            return bytes;
        }

        static Dtype of(String storage, String what) {
            return switch (storage) {
                case "FloatStorage" -> F32;
                case "DoubleStorage" -> F64;
                case "HalfStorage" -> F16;
                case "BFloat16Storage" -> BF16;
                case "LongStorage" -> I64;
                case "IntStorage" -> I32;
                case "ShortStorage" -> I16;
                case "CharStorage" -> I8;
                case "ByteStorage" -> U8;
                case "BoolStorage" -> BOOL;
                default -> throw FoveaException.invalid(what + " has tensors of type " + storage + ", which Fovea cannot read");
            };
        }

        static Dtype ofSafetensors(String name, String what) {
            try {
                return valueOf(name);
            } catch (IllegalArgumentException e) {
                throw FoveaException.invalid(what + " has tensors of dtype " + name + ", which Fovea cannot read");
            }
        }

        /** Elements {@code from..from + out.length} of a little-endian buffer. */
        void readAll(ByteBuffer b, long from, float[] out) {
            if (this == F32) {
                b.slice((int) (from * 4), out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            } else {
                for (int i = 0; i < out.length; i++) out[i] = read(b, (int) from + i);
            }
        }

        /** Element {@code i} of a little-endian buffer as a float. */
        float read(ByteBuffer b, int i) {
            return switch (this) {
                case F32 -> b.getFloat(i * 4);
                case F64 -> (float) b.getDouble(i * 8);
                case F16 -> Float.float16ToFloat(b.getShort(i * 2));
                case BF16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xff;
            };
        }
    }
}
