package io.fluxsocket.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.Deflater;

/**
 * Compressible messages for the permessage-deflate scenario: JSON events of exactly
 * {@value #SIZE} bytes of UTF-8, the kind an order or telemetry feed sends. Field names
 * and most values repeat from one event to the next (a type among eight, a service, a region, a
 * currency, products and names from short lists), the rest varies: ids in hex, timestamps,
 * amounts, IP addresses. Each event ends with a {@code note} of words from a small vocabulary,
 * cut or lengthened so that the event is exactly {@value #SIZE} bytes (OkHttp compresses only
 * messages of at least 1,024 bytes by default).
 *
 * <p>Deterministic: the same seed gives the same events, so that the server (which pre-compresses
 * them for downloads) and every client have the same bytes. With context takeover at level 6 the
 * default set compresses about 5× (see {@link #main}).
 */
final class JsonEvents {
    /** Bytes per event. */
    static final int SIZE = 1024;
    /** Distinct events: 1 MiB, far more than deflate's 32 KiB window, so no event is found whole. */
    static final int COUNT = 1024;
    private static final long SEED = 7692;

    private static final String[] TYPES = {"order.created", "order.updated", "order.paid", "order.shipped",
        "cart.updated", "payment.authorized", "payment.failed", "user.login"};
    private static final String[] SERVICES = {"checkout-service", "cart-service", "payment-gateway", "identity"};
    private static final String[] REGIONS = {"eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"};
    private static final String[] FIRST = {"Anna", "Ben", "Chloé", "David", "Elif", "Farid", "Greta", "Hiro",
        "Ines", "Jonas", "Kateřina", "Liam", "Mei", "Noah", "Olga", "Pablo"};
    private static final String[] LAST = {"Schmidt", "Dubois", "Rossi", "Novak", "Kowalski", "Yilmaz", "Tanaka",
        "García", "Jensen", "Murphy", "Silva", "Nguyen"};
    private static final String[] COUNTRIES = {"DE", "FR", "IT", "CZ", "PL", "TR", "JP", "ES", "DK", "IE"};
    private static final String[] TIERS = {"free", "silver", "gold", "platinum"};
    private static final String[] STATUSES = {"pending", "paid", "shipped", "cancelled", "refunded"};
    private static final String[] PRODUCTS = {"Wireless Mouse", "USB-C Cable 2m", "Mechanical Keyboard",
        "27\\\" Monitor", "Laptop Stand", "Noise Cancelling Headphones", "Webcam HD", "Desk Lamp",
        "Ergonomic Chair", "Coffee Beans 1kg", "Water Bottle", "Backpack"};
    private static final String[] AGENTS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        "okhttp/4.12.0"};
    private static final String[] TAGS = {"mobile", "web", "promo", "first-order", "express", "gift", "b2b", "retry"};
    private static final String[] WORDS = {"customer", "requested", "delivery", "window", "changed", "by",
        "support", "after", "call", "address", "verified", "payment", "retried", "once", "stock", "reserved",
        "in", "warehouse", "the", "and", "for", "order", "was", "split", "into", "two", "parcels", "note"};

    private JsonEvents() {
    }

    /** The {@value #COUNT} events, each exactly {@value #SIZE} bytes of UTF-8 JSON. */
    static byte[][] events() {
        SplittableRandom r = new SplittableRandom(SEED);
        byte[][] events = new byte[COUNT][];
        long millis = 1_796_284_800_000L; // 2026-12-03T08:00:00Z
        for (int i = 0; i < COUNT; i++) {
            millis += 1 + r.nextInt(250);
            events[i] = event(r, i, millis);
        }
        return events;
    }

    /** The events as read-only heap buffers (each its own message), for the clients to send. */
    static ByteBuffer[] buffers() {
        byte[][] events = events();
        ByteBuffer[] buffers = new ByteBuffer[events.length];
        for (int i = 0; i < events.length; i++) {
            buffers[i] = ByteBuffer.wrap(events[i]).asReadOnlyBuffer();
        }
        return buffers;
    }

    private static byte[] event(SplittableRandom r, int seq, long millis) {
        StringBuilder b = new StringBuilder(SIZE + 64);
        String first = pick(r, FIRST);
        String last = pick(r, LAST);
        b.append("{\"id\":\"evt_").append(hex(r, 16)).append("\",\"seq\":").append(1_000_000 + seq)
                .append(",\"ts\":\"").append(java.time.Instant.ofEpochMilli(millis)).append('"')
                .append(",\"type\":\"").append(pick(r, TYPES)).append('"')
                .append(",\"source\":\"").append(pick(r, SERVICES)).append('"')
                .append(",\"region\":\"").append(pick(r, REGIONS)).append('"')
                .append(",\"user\":{\"id\":\"u_").append(10_000_000 + r.nextInt(90_000_000)).append('"')
                .append(",\"name\":\"").append(first).append(' ').append(last).append('"')
                .append(",\"email\":\"").append(ascii(first).toLowerCase()).append('.').append(ascii(last).toLowerCase())
                .append(r.nextInt(100)).append("@example.com\"")
                .append(",\"country\":\"").append(pick(r, COUNTRIES)).append('"')
                .append(",\"tier\":\"").append(pick(r, TIERS)).append("\"}")
                .append(",\"order\":{\"id\":\"ord_").append(hex(r, 12)).append('"')
                .append(",\"status\":\"").append(pick(r, STATUSES)).append('"')
                .append(",\"currency\":\"EUR\",\"items\":[");
        int items = 1 + r.nextInt(3);
        long total = 0;
        for (int k = 0; k < items; k++) {
            int qty = 1 + r.nextInt(3);
            int cents = 199 + r.nextInt(30_000);
            total += (long) qty * cents;
            b.append(k == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(10_000 + r.nextInt(90_000))
                    .append("\",\"name\":\"").append(pick(r, PRODUCTS)).append("\",\"qty\":").append(qty)
                    .append(",\"price\":").append(cents / 100).append('.').append(two(cents % 100)).append('}');
        }
        b.append("],\"total\":").append(total / 100).append('.').append(two((int) (total % 100))).append('}')
                .append(",\"session\":{\"ip\":\"").append(r.nextInt(1, 224)).append('.').append(r.nextInt(256))
                .append('.').append(r.nextInt(256)).append('.').append(r.nextInt(1, 255)).append('"')
                .append(",\"agent\":\"").append(pick(r, AGENTS)).append('"')
                .append(",\"latencyMs\":").append(r.nextInt(2000)).append('}')
                .append(",\"tags\":[\"").append(pick(r, TAGS)).append("\",\"").append(pick(r, TAGS)).append("\"]")
                .append(",\"note\":\"");
        String head = b.toString();
        int room = SIZE - head.getBytes(StandardCharsets.UTF_8).length - 2; // the note's closing "}
        if (room < 0) {
            throw new IllegalStateException("an event longer than " + SIZE + " bytes before its note");
        }
        StringBuilder note = new StringBuilder(room + 16);
        while (note.length() < room) {
            note.append(note.length() == 0 ? "" : " ").append(pick(r, WORDS));
        }
        note.setLength(room); // ASCII words: one byte per char
        byte[] event = (head + note + "\"}").getBytes(StandardCharsets.UTF_8);
        if (event.length != SIZE) {
            throw new IllegalStateException("an event of " + event.length + " bytes");
        }
        return event;
    }

    private static String pick(SplittableRandom r, String[] from) {
        return from[r.nextInt(from.length)];
    }

    private static String hex(SplittableRandom r, int digits) {
        StringBuilder b = new StringBuilder(digits);
        for (int i = 0; i < digits; i++) {
            b.append(Character.forDigit(r.nextInt(16), 16));
        }
        return b.toString();
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    /** The name without its accents, for an e-mail address. */
    private static String ascii(String s) {
        return java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    }

    /**
     * Prints how well the events compress, as permessage-deflate sends them (level 6, one sync
     * flush per message): with context takeover, and each message on its own.
     */
    public static void main(String[] args) {
        byte[][] events = events();
        for (boolean takeover : new boolean[] {true, false}) {
            Deflater d = new Deflater(6, true);
            byte[] out = new byte[4 * SIZE];
            long in = 0;
            long wire = 0;
            for (int round = 0; round < 4; round++) {
                for (byte[] e : events) {
                    d.setInput(e);
                    int n = d.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
                    wire += n - 4 + 2; // without 00 00 FF FF, with a 2-byte frame header
                    in += e.length;
                    if (!takeover) {
                        d.reset();
                    }
                }
            }
            d.end();
            System.out.printf("%s: %.1f wire bytes per %d-byte event, %.2f×%n",
                    takeover ? "context takeover" : "no context takeover", (double) wire / (4 * COUNT), SIZE,
                    (double) in / wire);
        }
        System.out.println(new String(events[0], StandardCharsets.UTF_8));
    }
}
