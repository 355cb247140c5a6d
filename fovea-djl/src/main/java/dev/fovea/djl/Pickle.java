package dev.fovea.djl;

import dev.fovea.core.FoveaException;
import java.math.BigInteger;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of Python's pickle format as far as {@code torch.save} uses it (protocols 2 to 5), that never runs
 * anything: a global is only a name, and calling one gives {@link Call} (what was called with which arguments), or
 * for the few callables a state dict is made of, what they build ({@code collections.OrderedDict} a map,
 * {@code torch._utils._rebuild_tensor_v2} a {@link TensorRef}). A persistent id (torch's storages) becomes a
 * {@link StorageRef}. So a file from anywhere can be read without the risk of loading it in Python.
 */
final class Pickle {
    /** {@code module.name} as a GLOBAL opcode names it. */
    record Global(String module, String name) {
        String dotted() {
            return module + "." + name;
        }
    }

    /** A call that was not made: {@code callable(args)}, and the state BUILD gave it, if any. */
    record Call(Global callable, List<Object> args) {}

    /** One of torch's storages: its element type (e.g. {@code FloatStorage}), its key in the file, its length. */
    record StorageRef(String type, String key, long elements) {}

    /** A tensor: a view of {@code elements} of a storage from {@code offset} with a shape and strides. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    private static final Object MARK = new Object();
    private static final int MAX_MEMO = 10_000_000;

    private final ByteBuffer in;
    private final String what;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    private Pickle(ByteBuffer in, String what) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.what = what;
    }

    /** Reads one pickle from {@code in}'s position, leaving the position after its STOP. */
    static Object read(ByteBuffer in, String what) {
        try {
            return new Pickle(in, what).run();
        } catch (BufferUnderflowException e) {
            throw FoveaException.invalid(what + " ends in the middle of its pickle: the file is truncated");
        } catch (IndexOutOfBoundsException | ClassCastException | ArithmeticException e) {
            throw FoveaException.invalid(what + " has a malformed pickle at byte " + in.position());
        }
    }

    @SuppressWarnings("unchecked")
    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: a length hint
                case '.' -> {
                    if (stack.size() != 1) throw bad("ends with " + stack.size() + " values on its stack");
                    return stack.get(0);
                }
                case '(' -> marks.add(stack.size());
                case ')' -> push(List.of());
                case ']' -> push(new ArrayList<>());
                case '}' -> push(new LinkedHashMap<>());
                case 0x8f -> push(new ArrayList<>()); // EMPTY_SET: a set is read as a list
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(longOf(bytes(in.get() & 0xff)));
                case 0x8b -> push(longOf(bytes(length(in.getInt()))));
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).getDouble()); // BINFLOAT is big-endian
                case 'X' -> push(text(length(in.getInt())));
                case 0x8c -> push(text(in.get() & 0xff));
                case 0x8d -> push(text(length(in.getLong())));
                case 'U' -> push(new String(bytes(in.get() & 0xff), StandardCharsets.ISO_8859_1));
                case 'T' -> push(new String(bytes(length(in.getInt())), StandardCharsets.ISO_8859_1));
                case 'C' -> push(bytes(in.get() & 0xff));
                case 'B' -> push(bytes(length(in.getInt())));
                case 0x8e -> push(bytes(length(in.getLong())));
                case 'c' -> push(new Global(line(), line()));
                case 0x93 -> {
                    String name = (String) pop();
                    push(new Global((String) pop(), name));
                }
                case 'q' -> memo(in.get() & 0xff);
                case 'r' -> memo(in.getInt());
                case 0x94 -> memo(memo.size());
                case 'h' -> push(recall(in.get() & 0xff));
                case 'j' -> push(recall(in.getInt()));
                case 't' -> push(java.util.Collections.unmodifiableList(popMark()));
                case 0x85 -> push(tuple(1));
                case 0x86 -> push(tuple(2));
                case 0x87 -> push(tuple(3));
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                    push(m);
                }
                case 'a' -> {
                    Object v = pop();
                    ((List<Object>) top()).add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    ((List<Object>) top()).addAll(items);
                }
                case 's' -> {
                    Object v = pop(), k = pop();
                    asMap(top()).put(k, v);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = asMap(top());
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                }
                case 'R', 0x81 -> { // REDUCE, NEWOBJ
                    List<Object> args = (List<Object>) pop();
                    push(call((Global) pop(), args));
                }
                case 'b' -> pop(); // BUILD: the state of an object that is only a name here
                case 'Q' -> push(storage(pop()));
                case '0' -> pop();
                case '2' -> push(top());
                case '1' -> popMark();
                default -> throw bad(String.format("uses pickle opcode 0x%02x, which torch.save does not write", op));
            }
        }
    }

    /** What a call would build, for the callables a state dict uses; any other call is kept as a name only. */
    private static Object call(Global g, List<Object> args) {
        return switch (g.dotted()) {
            case "collections.OrderedDict" -> new LinkedHashMap<>();
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> new TensorRef(
                    (StorageRef) args.get(0), (Long) args.get(1), longs(args.get(2)), longs(args.get(3)));
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> args.get(0);
            default -> new Call(g, args);
        };
    }

    private StorageRef storage(Object pid) {
        if (!(pid instanceof List<?> t) || t.size() < 5 || !"storage".equals(t.get(0)) || !(t.get(1) instanceof Global type)) {
            throw bad("has a persistent id that is not one of torch's storages");
        }
        return new StorageRef(type.name(), String.valueOf(t.get(2)), ((Number) t.get(4)).longValue());
    }

    private static long[] longs(Object tuple) {
        List<?> l = (List<?>) tuple;
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).longValue();
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        if (o instanceof Call c) throw bad("sets items on " + c.callable().dotted() + ", which is not a dictionary Fovea knows");
        throw bad("sets items on something that is not a dictionary");
    }

    private List<Object> tuple(int n) {
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        for (int i = 0; i < n; i++) pop();
        return java.util.Collections.unmodifiableList(items);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) throw bad("pops a mark it never set");
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) throw bad("pops from an empty stack");
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.isEmpty()) throw bad("reads an empty stack");
        return stack.get(stack.size() - 1);
    }

    private void memo(int key) {
        if (memo.size() >= MAX_MEMO) throw bad("keeps more than " + MAX_MEMO + " values");
        memo.put(key, top());
    }

    private Object recall(int key) {
        if (!memo.containsKey(key)) throw bad("recalls value " + key + ", which it never stored");
        return memo.get(key);
    }

    private int length(long n) {
        if (n < 0 || n > in.remaining()) throw bad("declares a value of " + n + " bytes with " + in.remaining() + " left");
        return (int) n;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String text(int n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.get()) != '\n'; ) {
            if (sb.length() > 1000) throw bad("has a global name longer than 1000 characters");
            sb.append((char) (c & 0xff));
        }
        return sb.toString();
    }

    /** A Long, or a BigInteger past 64 bits (torch's legacy magic number has 80). */
    private static Object longOf(byte[] littleEndian) {
        byte[] big = new byte[littleEndian.length];
        for (int i = 0; i < big.length; i++) big[i] = littleEndian[big.length - 1 - i];
        BigInteger v = big.length == 0 ? BigInteger.ZERO : new BigInteger(big);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private FoveaException bad(String problem) {
        return FoveaException.invalid(what + " " + problem + " (at byte " + in.position() + ")");
    }
}
