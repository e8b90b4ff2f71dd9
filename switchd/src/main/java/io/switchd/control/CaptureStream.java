package io.switchd.control;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchd.api.ApiPaths;
import io.switchd.bridge.Bridge;
import io.switchd.capture.Capture;
import io.switchd.capture.CaptureRing;
import io.switchd.capture.Captures;
import io.switchd.capture.Pcapng;

import java.util.concurrent.TimeUnit;

/**
 * Streams one capture to its HTTP client as pcapng in chunks, on the control server's event loop
 * (never a forwarding loop): every few milliseconds, while the connection can take more, it drains
 * the capture's ring into a chunk. A client that does not read stops the draining; the ring fills
 * and the loops drop and count, so forwarding and the heap do not notice. Ends after the frames
 * asked for (the last chunk carries the counts as trailers) or when the client goes away.
 */
final class CaptureStream {
    /** The response header naming the capture, for {@code GET /v1/captures/ID} afterwards. */
    static final String ID_HEADER = "Switchd-Capture-Id";
    private static final long PERIOD_MILLIS = 5;
    /** The most bytes one drain puts in a chunk: the connection's write buffer holds a few of them. */
    private static final int CHUNK_BYTES = 256 * 1024;
    /** The most chunks one drain writes. */
    private static final int CHUNKS_PER_TICK = 8;

    private final Captures captures;
    private final Bridge bridge;
    private final Capture capture;
    private final long count;
    private final int snaplen;
    /** Epoch nanoseconds minus System.nanoTime() at the start: turns the ring's stamps into wall-clock time. */
    private final long epochOffset;
    private Channel channel;
    private ScheduledFuture<?> timer;
    private boolean done;

    CaptureStream(Captures captures, Bridge bridge, Capture capture, long count, int snaplen) {
        this.captures = captures;
        this.bridge = bridge;
        this.capture = capture;
        this.count = count;
        this.snaplen = snaplen;
        java.time.Instant now = java.time.Instant.now();
        this.epochOffset = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
    }

    /** Sends the headers and the interface descriptions, then starts the capture; on the channel's event loop. */
    void start(Channel ch) {
        this.channel = ch;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-pcapng")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.TRAILER, "Switchd-Captured, Switchd-Dropped")
                .set(ID_HEADER, Long.toString(capture.id()));
        ch.write(head);
        ByteBuf first = ch.alloc().buffer();
        Pcapng.sectionHeader(first);
        for (String name : capture.portNames()) {
            Pcapng.interfaceDescription(first, name, snaplen);
        }
        ch.writeAndFlush(new DefaultHttpContent(first));
        ch.closeFuture().addListener(f -> stop());
        timer = ch.eventLoop().scheduleWithFixedDelay(this::drain, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void drain() {
        if (done || !channel.isActive()) {
            stop();
            return;
        }
        CaptureRing ring = capture.ring();
        // a few chunks per tick at most, so the other connections on this loop get their turn
        for (int i = 0; i < CHUNKS_PER_TICK && channel.isWritable(); i++) {
            ByteBuf chunk = channel.alloc().buffer(64 * 1024);
            CaptureRing.Reader into = (port, direction, nanos, original, buf, from, length) -> {
                Pcapng.enhancedPacket(chunk, port, nanos + epochOffset, direction, original, buf, from, length);
                capture.capturedOne();
            };
            while (chunk.readableBytes() < CHUNK_BYTES && (count == 0 || capture.captured() < count)
                    && ring.poll(into)) {
                // drained one
            }
            if (!chunk.isReadable()) {
                chunk.release();
                break;
            }
            channel.writeAndFlush(new DefaultHttpContent(chunk));
            if (count != 0 && capture.captured() >= count) {
                finish();
                return;
            }
        }
        // not writable: the client is slow; the ring fills and the loops count what they drop
    }

    /** The frames asked for are out: the last chunk, with the counts, then the connection closes. */
    private void finish() {
        stop();
        DefaultLastHttpContent last = new DefaultLastHttpContent();
        last.trailingHeaders().set("Switchd-Captured", Long.toString(capture.captured()))
                .set("Switchd-Dropped", Long.toString(capture.dropped()));
        channel.writeAndFlush(last).addListener(ChannelFutureListener.CLOSE);
    }

    private void stop() {
        if (done) {
            return;
        }
        done = true;
        if (timer != null) {
            timer.cancel(false);
        }
        captures.stop(bridge, capture);
    }

    /** The path a client reads a capture's counts from. */
    static String countsPath(long id) {
        return ApiPaths.PREFIX + "/captures/" + id;
    }
}
