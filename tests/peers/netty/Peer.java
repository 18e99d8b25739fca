// A SPDY/3.1 peer built on Netty 4.1's codec-spdy (SpdyFrameCodec,
// SpdySessionHandler and the HTTP translation of SpdyHttpEncoder and
// SpdyHttpDecoder), over cleartext TCP. The interop tests in tests/interop
// build and drive it.
//
//   java Peer server          listens on 127.0.0.1, prints "listening <port>";
//                             GET /hello, POST /echo, anything else 404
//   java Peer client <port>   GET /hello, POST /echo with 1 MiB, GET /missing, a PING
//
// What it sees is printed on stdout as one JSON object per line; control
// frames in and out are reported too, so that a test can tell whether Netty
// found fault with anything we sent. The server exits when stdin closes.

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyHttpDecoder;
import io.netty.handler.codec.spdy.SpdyHttpEncoder;
import io.netty.handler.codec.spdy.SpdyHttpHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

public final class Peer {
    private static final int MAX_CONTENT = 8 << 20;

    // ---- output ----

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String json(Object v) {
        if (v == null) return "null";
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (b.length() > 1) b.append(',');
                b.append(quote(e.getKey().toString())).append(':').append(json(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object o : (List<?>) v) {
                if (b.length() > 1) b.append(',');
                b.append(json(o));
            }
            return b.append(']').toString();
        }
        return quote(v.toString());
    }

    /** Prints one event: name, then key/value pairs. */
    static synchronized void emit(String event, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        for (int i = 0; i + 1 < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        System.out.println(json(m));
        System.out.flush();
    }

    static String sha256(byte[] bytes) {
        try {
            return ByteBufUtil.hexDump(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> headerMap(HttpHeaders headers) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String name : headers.names()) m.put(name.toLowerCase(), new ArrayList<>(headers.getAll(name)));
        return m;
    }

    /** The bytes of the 1 MiB upload: byte i is (i * 7 + (i >> 11)) & 0xff. */
    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + (i >> 11));
        return b;
    }

    /** Counted down when the answer to our PING (id 1) arrives. */
    static final CountDownLatch PONG = new CountDownLatch(1);

    /** Reports the control frames that cross the session handler, both ways (DATA only when it ends a stream). */
    static final class FrameWatch extends ChannelDuplexHandler {
        private static void report(String direction, Object msg) {
            if (msg instanceof SpdyRstStreamFrame) {
                SpdyRstStreamFrame f = (SpdyRstStreamFrame) msg;
                emit(direction, "frame", "RST_STREAM", "stream", f.streamId(), "status", f.status().code());
            } else if (msg instanceof SpdyGoAwayFrame) {
                SpdyGoAwayFrame f = (SpdyGoAwayFrame) msg;
                emit(direction, "frame", "GOAWAY", "lastGoodStreamId", f.lastGoodStreamId(), "status", f.status().code());
            } else if (msg instanceof SpdySettingsFrame) {
                emit(direction, "frame", "SETTINGS");
            } else if (msg instanceof SpdyPingFrame) {
                int id = ((SpdyPingFrame) msg).id();
                emit(direction, "frame", "PING", "id", id);
                // SpdyHttpDecoder drops PING frames: the answer is seen here, below it.
                if (direction.equals("recv") && id == 1) PONG.countDown();
            } else if (msg instanceof SpdyWindowUpdateFrame) {
                SpdyWindowUpdateFrame f = (SpdyWindowUpdateFrame) msg;
                emit(direction, "frame", "WINDOW_UPDATE", "stream", f.streamId(), "delta", f.deltaWindowSize());
            } else if (msg instanceof SpdyHeadersFrame) {
                SpdyHeadersFrame f = (SpdyHeadersFrame) msg;
                String type = f.getClass().getSimpleName().replace("DefaultSpdy", "").replace("Frame", "");
                emit(direction, "frame", type, "stream", f.streamId(), "last", f.isLast(), "invalid", f.isInvalid(),
                    "truncated", f.isTruncated());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            report("recv", msg);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            report("send", msg);
            ctx.write(msg, promise);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            emit("exception", "error", String.valueOf(cause));
            ctx.fireExceptionCaught(cause);
        }
    }

    static void spdyPipeline(ChannelPipeline p, boolean server) {
        p.addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        p.addLast(new FrameWatch());
        p.addLast(new SpdySessionHandler(SpdyVersion.SPDY_3_1, server));
        p.addLast(new SpdyHttpEncoder(SpdyVersion.SPDY_3_1));
        p.addLast(new SpdyHttpDecoder(SpdyVersion.SPDY_3_1, MAX_CONTENT));
    }

    // ---- server ----

    static final class ServerHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            byte[] body = ByteBufUtil.getBytes(req.content());
            String streamId = req.headers().get(SpdyHttpHeaders.Names.STREAM_ID);
            emit("request", "method", req.method().name(), "uri", req.uri(), "stream", streamId,
                "headers", headerMap(req.headers()), "bytes", body.length, "sha256", sha256(body));
            FullHttpResponse res;
            if (req.uri().equals("/hello")) {
                byte[] text = ("hello from netty, " + req.method().name()).getBytes(StandardCharsets.UTF_8);
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(text));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                res.headers().add("x-multi", "a");
                res.headers().add("x-multi", "b");
            } else if (req.uri().equals("/echo") && req.method().equals(HttpMethod.POST)) {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                res.headers().set("x-sha256", sha256(body));
                res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            } else {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.copiedBuffer("no such resource", StandardCharsets.UTF_8));
            }
            res.headers().set(SpdyHttpHeaders.Names.STREAM_ID, streamId);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            ctx.writeAndFlush(res);
        }
    }

    static void server() throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        emit("accepted");
                        c.closeFuture().addListener(f -> emit("connection-closed"));
                        spdyPipeline(c.pipeline(), true);
                        c.pipeline().addLast(new ServerHandler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
            System.out.println("listening " + ((InetSocketAddress) ch.localAddress()).getPort());
            System.out.flush();
            InputStream in = System.in;
            while (in.read() >= 0) { /* until stdin closes */ }
            ch.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    // ---- client ----

    static final class ClientHandler extends SimpleChannelInboundHandler<Object> {
        final CountDownLatch responses;

        ClientHandler(CountDownLatch responses) {
            this.responses = responses;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse) {
                FullHttpResponse res = (FullHttpResponse) msg;
                byte[] body = ByteBufUtil.getBytes(res.content());
                String head = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
                emit("response", "stream", res.headers().get(SpdyHttpHeaders.Names.STREAM_ID),
                    "status", res.status().code(), "headers", headerMap(res.headers()),
                    "bytes", body.length, "sha256", sha256(body), "text", head);
                responses.countDown();
            }
        }
    }

    static DefaultFullHttpRequest request(HttpMethod method, String uri, int streamId, String host, byte[] body) {
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
            Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.HOST, host);
        req.headers().setInt(SpdyHttpHeaders.Names.STREAM_ID, streamId);
        req.headers().set(SpdyHttpHeaders.Names.SCHEME, "http");
        if (body.length > 0) req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return req;
    }

    static void client(int port) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        CountDownLatch responses = new CountDownLatch(3);
        try {
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        spdyPipeline(c.pipeline(), false);
                        c.pipeline().addLast(new ClientHandler(responses));
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
            String host = "127.0.0.1:" + port;
            DefaultFullHttpRequest hello = request(HttpMethod.GET, "/hello?from=netty", 1, host, new byte[0]);
            hello.headers().add("x-multi", "a");
            hello.headers().add("x-multi", "b");
            ch.write(hello);
            byte[] upload = pattern(1 << 20);
            emit("upload", "bytes", upload.length, "sha256", sha256(upload));
            ch.write(request(HttpMethod.POST, "/echo", 3, host, upload));
            ch.write(request(HttpMethod.GET, "/missing", 5, host, new byte[0]));
            ch.writeAndFlush(new DefaultSpdyPingFrame(1));
            if (!responses.await(20, TimeUnit.SECONDS)) emit("fatal", "error", "responses did not all arrive");
            if (!PONG.await(20, TimeUnit.SECONDS)) emit("fatal", "error", "no answer to our PING");
            // SpdySessionHandler's close(): GOAWAY, then the socket once streams are done.
            ch.close().sync();
            emit("done");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("server")) {
            server();
        } else if (args.length >= 2 && args[0].equals("client")) {
            client(Integer.parseInt(args[1]));
        } else {
            emit("fatal", "error", "usage: Peer server | Peer client <port>");
            System.exit(2);
        }
    }
}
