package io.fluxsocket;

import io.fluxsocket.testing.Frame;
import io.fluxsocket.testing.RawServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unsolicited Pong interval (the original's {@code DesiredUnsolicitedPongInterval}), against the raw server. */
@Timeout(60)
class UnsolicitedPongTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static StreamWebSocket open(RawServer server, WebSocketClient client) {
        return server.connect(client);
    }

    @Test
    void emptyPongsGoOutEveryIntervalWithoutBeingAskedAndInfoReportsTheInterval() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().unsolicitedPongInterval(Duration.ofMillis(100)).build();
            StreamWebSocket ws = open(server, client);
            assertEquals(Duration.ofMillis(100), ws.info().unsolicitedPongInterval());
            for (int i = 0; i < 3; i++) {
                Frame pong = server.readFrame(WAIT);
                assertEquals(Frame.PONG, pong.opcode(), "an unsolicited Pong");
                assertArrayEquals(new byte[0], pong.payload());
            }
            ws.close().toFuture();
            Frame next;
            do {
                // Pongs written before the Close may still come first.
                next = server.readFrame(WAIT);
            } while (next.opcode() == Frame.PONG);
            assertEquals(Frame.CLOSE, next.opcode());
            server.sendClose(1000, "");
            assertEquals(1000, ws.closeStatus().block(WAIT).code());
        }
    }

    @Test
    void aPingIsStillAnsweredWithItsOwnPayload() {
        try (RawServer server = RawServer.start()) {
            WebSocketClient client = WebSocketClient.builder().unsolicitedPongInterval(Duration.ofMillis(50)).build();
            StreamWebSocket ws = open(server, client);
            // Reading: a Ping is read (and answered) while someone takes what arrives.
            ws.receive().subscribe(null, e -> { });
            byte[] payload = {1, 2, 3};
            server.sendFrame(true, 0, Frame.PING, false, payload);
            boolean answered = false;
            for (int i = 0; i < 20 && !answered; i++) {
                Frame pong = server.readFrame(WAIT);
                assertEquals(Frame.PONG, pong.opcode());
                answered = pong.payload().length == 3;
                if (answered) {
                    assertArrayEquals(payload, pong.payload());
                } else {
                    assertEquals(0, pong.payload().length, "an unsolicited Pong is empty");
                }
            }
            assertTrue(answered, "the Ping's own Pong came among the unsolicited ones");
            ws.close().toFuture();
        }
    }

    @Test
    void withoutTheOptionNoPongIsSentAndInfoReportsZero() {
        try (RawServer server = RawServer.start()) {
            StreamWebSocket ws = open(server, WebSocketClient.create());
            assertEquals(Duration.ZERO, ws.info().unsolicitedPongInterval());
            ws.close().toFuture();
            assertEquals(Frame.CLOSE, server.readFrame(WAIT).opcode(), "the first frame is the Close: no Pong before it");
        }
    }

    @Test
    void aZeroNegativeOrNullIntervalIsRefusedNamingIt() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), null}) {
            WebSocketException e = assertThrows(WebSocketException.class,
                    () -> WebSocketClient.builder().unsolicitedPongInterval(bad));
            assertEquals(WebErrorStatus.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().contains("unsolicitedPongInterval"), e.getMessage());
        }
    }
}
