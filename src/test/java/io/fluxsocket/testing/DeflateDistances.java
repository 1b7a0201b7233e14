package io.fluxsocket.testing;

/**
 * Reads a raw deflate stream (RFC 1951) only to find its longest back-reference: what a window of
 * fewer than 15 bits must hold. A test tool, not an inflater: it decodes the codes, never the data.
 */
public final class DeflateDistances {

    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
            1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
            11, 11, 12, 12, 13, 13};
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private final byte[] in;
    private long bit;
    private int max;

    private DeflateDistances(byte[] in) {
        this.in = in;
    }

    /** The longest distance of any back-reference in {@code deflate}, which may end mid-stream. */
    public static int max(byte[] deflate) {
        DeflateDistances d = new DeflateDistances(deflate);
        d.read();
        return d.max;
    }

    private void read() {
        while (bit + 3 <= 8L * in.length) {
            boolean last = bits(1) == 1;
            int type = bits(2);
            if (type == 0) {
                bit = (bit + 7) & ~7L;
                int len = bits(16);
                bits(16);
                bit += 8L * len;
            } else if (type == 1) {
                int[] lit = new int[288];
                java.util.Arrays.fill(lit, 0, 144, 8);
                java.util.Arrays.fill(lit, 144, 256, 9);
                java.util.Arrays.fill(lit, 256, 280, 7);
                java.util.Arrays.fill(lit, 280, 288, 8);
                int[] dist = new int[30];
                java.util.Arrays.fill(dist, 5);
                codes(new Huffman(lit), new Huffman(dist));
            } else if (type == 2) {
                int hlit = bits(5) + 257;
                int hdist = bits(5) + 1;
                int hclen = bits(4) + 4;
                int[] clen = new int[19];
                for (int i = 0; i < hclen; i++) {
                    clen[CODE_LENGTH_ORDER[i]] = bits(3);
                }
                Huffman cl = new Huffman(clen);
                int[] lengths = new int[hlit + hdist];
                for (int i = 0; i < lengths.length; ) {
                    int sym = cl.decode(this);
                    if (sym < 16) {
                        lengths[i++] = sym;
                    } else {
                        int repeat = sym == 16 ? 3 + bits(2) : sym == 17 ? 3 + bits(3) : 11 + bits(7);
                        int value = sym == 16 ? lengths[i - 1] : 0;
                        for (int r = 0; r < repeat; r++) {
                            lengths[i++] = value;
                        }
                    }
                }
                codes(new Huffman(java.util.Arrays.copyOf(lengths, hlit)),
                        new Huffman(java.util.Arrays.copyOfRange(lengths, hlit, lengths.length)));
            } else {
                throw new IllegalArgumentException("reserved block type");
            }
            if (last) {
                return;
            }
        }
    }

    private void codes(Huffman literals, Huffman distances) {
        while (true) {
            int sym = literals.decode(this);
            if (sym == 256) {
                return;
            }
            if (sym > 256) {
                bits(LENGTH_EXTRA[sym - 257]);
                int d = distances.decode(this);
                max = Math.max(max, DIST_BASE[d] + bits(DIST_EXTRA[d]));
            }
        }
    }

    private int bits(int n) {
        int v = 0;
        for (int i = 0; i < n; i++, bit++) {
            if (bit >= 8L * in.length) {
                throw new IllegalArgumentException("the stream ends inside a block");
            }
            v |= ((in[(int) (bit >>> 3)] >>> (bit & 7)) & 1) << i;
        }
        return v;
    }

    /** A canonical Huffman code from its code lengths, decoded bit by bit. */
    private static final class Huffman {
        private final int[] counts = new int[16];
        private final int[] symbols;

        Huffman(int[] lengths) {
            symbols = new int[lengths.length];
            for (int l : lengths) {
                counts[l]++;
            }
            counts[0] = 0;
            int[] offsets = new int[16];
            for (int i = 1; i < 16; i++) {
                offsets[i] = offsets[i - 1] + counts[i - 1];
            }
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] != 0) {
                    symbols[offsets[lengths[s]]++] = s;
                }
            }
        }

        int decode(DeflateDistances d) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len < 16; len++) {
                code |= d.bits(1);
                int count = counts[len];
                if (code - count < first) {
                    return symbols[index + (code - first)];
                }
                index += count;
                first += count;
                first <<= 1;
                code <<= 1;
            }
            throw new IllegalArgumentException("bad Huffman code");
        }
    }
}
