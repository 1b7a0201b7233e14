package io.fluxsocket.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The client-side masking cost in isolation, no socket: one operation encodes one {@code size}-byte
 * binary frame with a fresh mask. {@code netty-encoder} is what Reactor Netty uses (and fluxsocket
 * did until it had its own): Netty's {@code WebSocket13FrameEncoder(true)} in an
 * {@link EmbeddedChannel}, the payload in, the encoded buffers out and released. {@code fluxsocket}
 * is the library's encoding ({@code FrameEncoder.encode}) into a pooled buffer, released, through
 * {@link FluxsocketMasking}: a benchmark-only copy of that code, since the library's internal
 * classes are not reachable (keep the copy in step with the library's encoder). {@code raw-socket}
 * is {@link RawSocketTransfer#mask}: eight bytes at a time into a reused direct buffer. The payload is either a direct buffer or, as in the
 * upload benchmarks (and as an application's {@code ByteBuffer.wrap(…).asReadOnlyBuffer()} would
 * be), a read-only heap buffer, which Netty wraps as a {@code ReadOnlyByteBufferBuf}. The report
 * turns ops/s into MiB/s of payload. The trial setup checks, once per masker, that the frame it
 * produces unmasks to the payload (a copy that drifted into a wrong result fails the benchmark).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class MaskingBenchmark {

    @Param({"netty-encoder", "fluxsocket", "raw-socket"})
    public String masker;

    @Param({"65536"})
    public int size;

    @Param({"direct", "heap-read-only"})
    public String payloadKind;

    private ByteBuf payload;
    private ByteBuffer nioPayload;
    private ByteBuffer out;
    private EmbeddedChannel channel;
    private final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setUp() {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        if (payloadKind.equals("direct")) {
            payload = Unpooled.directBuffer(size).writeBytes(bytes);
            nioPayload = payload.nioBuffer();
        } else {
            nioPayload = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
            payload = Unpooled.wrappedBuffer(nioPayload.duplicate());
        }
        out = ByteBuffer.allocateDirect(14 + size);
        channel = new EmbeddedChannel(new WebSocket13FrameEncoder(true));
        check(bytes);
    }

    /** The frame this masker makes, header parsed and payload unmasked, must carry {@code expected}. */
    private void check(byte[] expected) {
        ByteBuf frame;
        if (masker.equals("raw-socket")) {
            out.clear();
            RawSocketTransfer.mask(out, 0x82, nioPayload.duplicate(), random.nextInt());
            out.flip();
            frame = Unpooled.wrappedBuffer(out.duplicate());
            out.clear();
        } else if (masker.equals("fluxsocket")) {
            frame = FluxsocketMasking.encode(PooledByteBufAllocator.DEFAULT,
                    new BinaryWebSocketFrame(payload.duplicate()), random.nextInt());
        } else {
            channel.writeOutbound(new BinaryWebSocketFrame(payload.retainedDuplicate()));
            CompositeByteBuf all = Unpooled.compositeBuffer();
            for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
                all.addComponent(true, b);
            }
            frame = all;
        }
        try {
            if ((frame.readUnsignedByte() & 0xFF) != 0x82) {
                throw new IllegalStateException(masker + ": not a final binary frame");
            }
            int len = frame.readUnsignedByte();
            if ((len & 0x80) == 0) {
                throw new IllegalStateException(masker + ": not masked");
            }
            len &= 0x7F;
            long length = len == 126 ? frame.readUnsignedShort() : len == 127 ? frame.readLong() : len;
            byte[] key = new byte[4];
            frame.readBytes(key);
            if (length != expected.length || frame.readableBytes() != expected.length) {
                throw new IllegalStateException(masker + ": length " + length + ", " + frame.readableBytes()
                        + " bytes follow the header, expected " + expected.length);
            }
            for (int i = 0; i < expected.length; i++) {
                if ((byte) (frame.readByte() ^ key[i & 3]) != expected[i]) {
                    throw new IllegalStateException(masker + ": payload byte " + i + " does not unmask to the payload");
                }
            }
        } finally {
            frame.release();
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        payload.release();
    }

    @Benchmark
    public long encode() {
        if (masker.equals("raw-socket")) {
            out.clear();
            RawSocketTransfer.mask(out, 0x82, nioPayload.duplicate(), random.nextInt());
            return out.position();
        }
        if (masker.equals("fluxsocket")) {
            ByteBuf encoded = FluxsocketMasking.encode(PooledByteBufAllocator.DEFAULT,
                    new BinaryWebSocketFrame(payload.duplicate()), random.nextInt());
            int n = encoded.readableBytes();
            encoded.release();
            return n;
        }
        channel.writeOutbound(new BinaryWebSocketFrame(payload.retainedDuplicate()));
        long n = 0;
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            n += b.readableBytes();
            b.release();
        }
        return n;
    }
}
