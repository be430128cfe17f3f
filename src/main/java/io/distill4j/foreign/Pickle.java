package io.distill4j.foreign;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader of Python pickles (protocols 2 to 5) as PyTorch writes them into its archives: the module tree of a
 * TorchScript file ({@code torch.jit.save}) and the dictionary of a {@code torch.save}. It runs the pickle machine
 * over the opcodes those files use and builds plain values: {@code None} as null, booleans, {@link Long}s,
 * {@link Double}s, {@link String}s, byte arrays, {@link List}s (lists and tuples), {@link LinkedHashMap}s, and
 * {@link Obj} for an object of a class ({@code NEWOBJ} then {@code BUILD}). Calls ({@code REDUCE}) and persistent
 * references ({@code BINPERSID}) go to a {@link Resolver}; nothing is executed. An opcode outside that set is an
 * {@link IOException} naming it.
 */
final class Pickle {
    /** A class or function a pickle names ({@code GLOBAL module name}). */
    record Global(String module, String name) {
        @Override
        public String toString() { return module + "." + name; }
    }

    /** An object of {@code type}: its constructor arguments and the state {@code BUILD} gave it (null if none). */
    static final class Obj {
        final Global type;
        final List<Object> args;
        Object state;

        Obj(Global type, List<Object> args) {
            this.type = type;
            this.args = args;
        }
    }

    /** What a pickle's calls and persistent references become. */
    interface Resolver {
        /** The value of {@code callable(args...)} ({@code REDUCE}). */
        Object call(Global callable, List<Object> args) throws IOException;

        /** The object a persistent id names ({@code BINPERSID}). */
        Object persistent(Object id) throws IOException;
    }

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final Resolver resolver;
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final List<Object> items = new ArrayList<>(); // the stack, indexable: a mark is a position in it

    private Pickle(byte[] bytes, Resolver resolver) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.resolver = resolver;
    }

    /** The value the pickle in {@code bytes} builds. */
    static Object load(byte[] bytes, Resolver resolver) throws IOException {
        try {
            return new Pickle(bytes, resolver).run();
        } catch (RuntimeException e) { // a truncated or malformed pickle: buffer underflow, a wrong type on the stack
            throw new IOException("not a pickle PyTorch wrote (" + e + ")", e);
        }
    }

    private Object run() throws IOException {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: a length hint
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.push(items.size()); // MARK
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                case 0x8a -> push(long1(in.get() & 0xff)); // LONG1
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                case 'X' -> push(text(in.getInt())); // BINUNICODE
                case 0x8c -> push(text(in.get() & 0xff)); // SHORT_BINUNICODE
                case 0x8d -> push(text(Math.toIntExact(in.getLong()))); // BINUNICODE8
                case 'B' -> push(bytes(in.getInt())); // BINBYTES
                case 'C' -> push(bytes(in.get() & 0xff)); // SHORT_BINBYTES
                case ')' -> push(new ArrayList<>()); // EMPTY_TUPLE
                case 0x85 -> push(tuple(1)); // TUPLE1
                case 0x86 -> push(tuple(2)); // TUPLE2
                case 0x87 -> push(tuple(3)); // TUPLE3
                case 't' -> push(popMark()); // TUPLE
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(popMark()); // LIST
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> vs = popMark();
                    list(peek()).addAll(vs);
                }
                case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> push(dict(popMark(), new LinkedHashMap<>())); // DICT
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    map(peek()).put(k, v);
                }
                case 'u' -> dict(popMark(), map(peek())); // SETITEMS
                case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memo((long) (in.get() & 0xff))); // BINGET
                case 'j' -> push(memo(in.getInt() & 0xffffffffL)); // LONG_BINGET
                case 'c' -> push(new Global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    push(new Global((String) pop(), name));
                }
                case 'R' -> { // REDUCE
                    List<Object> args = list(pop());
                    push(resolver.call((Global) pop(), args));
                }
                case 0x81 -> { // NEWOBJ
                    List<Object> args = list(pop());
                    push(new Obj((Global) pop(), args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    Object target = peek();
                    if (target instanceof Obj o) {
                        o.state = state;
                    } else if (target instanceof Map<?, ?> && state instanceof Map<?, ?> s) {
                        dict(new ArrayList<>(flatten(s)), map(target));
                    } else {
                        throw new IOException("BUILD of a " + typeOf(target) + " with a " + typeOf(state));
                    }
                }
                case 'Q' -> push(resolver.persistent(pop())); // BINPERSID
                default -> throw new IOException(String.format("pickle opcode 0x%02x at byte %d is not one PyTorch's "
                        + "archives use", op, in.position() - 1));
            }
        }
    }

    private void push(Object v) {
        items.add(v);
    }

    private Object pop() {
        return items.remove(items.size() - 1);
    }

    private Object peek() {
        return items.get(items.size() - 1);
    }

    private List<Object> popMark() throws IOException {
        if (marks.isEmpty()) {
            throw new IOException("a pickle closes a MARK it did not open");
        }
        int from = marks.pop();
        List<Object> top = new ArrayList<>(items.subList(from, items.size()));
        items.subList(from, items.size()).clear();
        return top;
    }

    private List<Object> tuple(int n) {
        List<Object> t = new ArrayList<>(items.subList(items.size() - n, items.size()));
        items.subList(items.size() - n, items.size()).clear();
        return t;
    }

    private Object memo(long key) throws IOException {
        if (!memo.containsKey(key)) {
            throw new IOException("a pickle reads memo " + key + " before writing it");
        }
        return memo.get(key);
    }

    private String text(int length) {
        byte[] b = bytes(length);
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private String line() {
        StringBuilder s = new StringBuilder();
        for (byte b = in.get(); b != '\n'; b = in.get()) {
            s.append((char) (b & 0xff));
        }
        return s.toString();
    }

    private Object long1(int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v -= 1L << (8 * n); // two's complement of n bytes
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) throws IOException {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IOException("a pickle appends to a " + typeOf(o));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) throws IOException {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new IOException("a pickle sets an item of a " + typeOf(o));
    }

    private static Map<Object, Object> dict(List<Object> keysAndValues, Map<Object, Object> into) {
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            into.put(keysAndValues.get(i), keysAndValues.get(i + 1));
        }
        return into;
    }

    private static List<Object> flatten(Map<?, ?> m) {
        List<Object> kv = new ArrayList<>();
        m.forEach((k, v) -> {
            kv.add(k);
            kv.add(v);
        });
        return kv;
    }

    private static String typeOf(Object o) {
        return o == null ? "None" : o instanceof Obj obj ? obj.type.toString() : o.getClass().getSimpleName();
    }
}
