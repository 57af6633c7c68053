package org.mnemos.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, so that request targets reach the server exactly as written
 * ({@code ;} parameters, percent-escapes, dot segments) and bodies can be declared but not sent.
 */
public final class RawHttp {

    public record Response(int status, String head, String body) {}

    private RawHttp() {}

    public static Response send(int port, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head(port, method, target, headers, body == null ? null : (long) body.length));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    /**
     * Declares a {@code Content-Length} of {@code declared} bytes and sends none of them: a server
     * that checks the length first answers at once; one that reads the body would wait.
     */
    public static Response declareOnly(
            int port, String method, String target, Map<String, String> headers, long declared) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(head(port, method, target, headers, declared));
            socket.getOutputStream().flush();
            return read(socket.getInputStream());
        }
    }

    /**
     * Streams {@code total} bytes of chunked body from another thread while reading the answer;
     * returns it with the number of bytes the server let the client write before answering.
     */
    public static Response chunked(int port, String target, Map<String, String> headers, long total, AtomicLong written)
            throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            StringBuilder head = new StringBuilder("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
            headers.forEach((name, value) ->
                    head.append(name).append(": ").append(value).append("\r\n"));
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[1 << 20];
                java.util.Arrays.fill(chunk, (byte) ' ');
                try {
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        written.addAndGet(chunk.length);
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException closedByServer) {
                    // expected: the server answers and closes before the body ends
                }
            });
            writer.setDaemon(true);
            writer.start();
            return read(socket.getInputStream());
        }
    }

    private static byte[] head(
            int port, String method, String target, Map<String, String> headers, Long contentLength) {
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        if (headers.keySet().stream().noneMatch("Host"::equalsIgnoreCase)) {
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        headers.forEach(
                (name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (contentLength != null) {
            head.append("Content-Length: ").append(contentLength).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return head.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Status, head and body of the first response (bodies of SSE streams are read until the server ends them). */
    private static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        try {
            while ((n = in.read(buffer)) > 0) {
                all.write(buffer, 0, n);
                String text = all.toString(StandardCharsets.UTF_8);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0 && isComplete(text, end)) {
                    break;
                }
            }
        } catch (java.net.SocketException reset) {
            // the server closed after answering; what arrived is the answer
        }
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new IOException("no HTTP response: '" + text + "'");
        }
        String head = text.substring(0, end);
        String body = text.substring(end + 4);
        if (head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return new Response(Integer.parseInt(text.substring(9, 12)), head, body);
    }

    /** The data of a chunked body (the chunk sizes and the end marker removed). */
    private static String dechunk(String chunked) {
        StringBuilder data = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int lineEnd = chunked.indexOf("\r\n", at);
            if (lineEnd < 0) {
                break;
            }
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                break;
            }
            // sizes count bytes; the bodies here are ASCII JSON, where bytes and chars agree
            data.append(chunked, lineEnd + 2, Math.min(chunked.length(), lineEnd + 2 + size));
            at = lineEnd + 2 + size + 2;
        }
        return data.toString();
    }

    private static boolean isComplete(String text, int headEnd) {
        String head = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
        int length = head.indexOf("\r\ncontent-length: ");
        if (length >= 0) {
            int value = Integer.parseInt(head.substring(length + 18, head.indexOf("\r\n", length + 2))
                    .trim());
            return text.getBytes(StandardCharsets.UTF_8).length - headEnd - 4 >= value;
        }
        return head.contains("transfer-encoding: chunked") && text.endsWith("0\r\n\r\n");
    }
}
