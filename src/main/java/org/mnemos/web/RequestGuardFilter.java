package org.mnemos.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.mnemos.experiment.LimitsProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import tools.jackson.databind.ObjectMapper;

/**
 * Refuses, before anything reads or routes them, requests no handler should see:
 * <ul>
 *   <li>a body over {@code mnemos.limits.max-body-bytes}: by its {@code Content-Length} without
 *       reading it, or, without one (chunked), as soon as the limit is passed while reading, so at
 *       most the limit is ever held in memory (413); a checkpoint upload has
 *       {@code mnemos.limits.max-upload-bytes} instead and is streamed to disk by its handler,
 *       which stops at that limit;
 *   <li>a query string that is not valid percent-encoded UTF-8, or holds a NUL (400);
 *   <li>a direct request for the error page, which only the container may dispatch to (404).
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class RequestGuardFilter extends OncePerRequestFilter {

    private static final PathPattern ERROR_PAGE = new PathPatternParser().parse("/error/**");
    private static final PathPattern CHECKPOINT_UPLOAD = new PathPatternParser().parse("/api/v1/checkpoints");

    private final long maxBodyBytes;
    private final long maxUploadBytes;
    private final ObjectMapper mapper;

    public RequestGuardFilter(LimitsProperties limits, ObjectMapper mapper) {
        this.maxBodyBytes = limits.maxBodyBytes();
        this.maxUploadBytes = limits.maxUploadBytes();
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (RoutedPath.matches(request, ERROR_PAGE)) {
            reject(response, ProblemType.NOT_FOUND, "No such resource.");
            return;
        }
        String query = request.getQueryString();
        if (query != null && !isValidQuery(query)) {
            reject(
                    response,
                    ProblemType.INVALID_PARAMETER,
                    "The query string is not valid percent-encoded UTF-8, or contains a NUL character.");
            return;
        }
        long declared = request.getContentLengthLong();
        if (request.getMethod().equals("POST") && RoutedPath.matches(request, CHECKPOINT_UPLOAD)) {
            if (declared > maxUploadBytes) {
                reject(
                        response,
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "The checkpoint declares " + declared + " bytes; at most " + maxUploadBytes + " are accepted.");
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (declared > maxBodyBytes) {
            reject(response, ProblemType.PAYLOAD_TOO_LARGE, tooLarge("declares " + declared + " bytes"));
            return;
        }
        if (declared < 0 && hasBody(request)) {
            byte[] body = readAtMost(request.getInputStream(), maxBodyBytes);
            if (body == null) {
                reject(response, ProblemType.PAYLOAD_TOO_LARGE, tooLarge("has more than " + maxBodyBytes + " bytes"));
                return;
            }
            chain.doFilter(new BufferedBodyRequest(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    private String tooLarge(String what) {
        return "The request body " + what + "; at most " + maxBodyBytes + " are accepted.";
    }

    private static boolean hasBody(HttpServletRequest request) {
        String method = request.getMethod();
        return request.getHeader("Transfer-Encoding") != null
                || method.equals("POST")
                || method.equals("PUT")
                || method.equals("PATCH");
    }

    /** The whole stream if it has at most {@code limit} bytes, else null, having read no more than limit + 1. */
    static byte[] readAtMost(InputStream in, long limit) throws IOException {
        byte[] all = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        return all.length > limit ? null : all;
    }

    /** Every {@code %} starts a two-digit escape, and the decoded bytes are UTF-8 without NUL. */
    static boolean isValidQuery(String query) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length()
                        || !HexFormat.isHexDigit(query.charAt(i + 1))
                        || !HexFormat.isHexDigit(query.charAt(i + 2))) {
                    return false;
                }
                int value = HexFormat.fromHexDigits(query, i + 1, i + 3);
                bytes.write(value);
                i += 2;
            } else if (c == 0) {
                return false;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        byte[] decoded = bytes.toByteArray();
        for (byte b : decoded) {
            if (b == 0) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(decoded));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private void reject(HttpServletResponse response, ProblemType type, String detail) throws IOException {
        ProblemDetail problem = Problems.of(type, detail);
        response.setStatus(type.status().value());
        response.setContentType(Problems.MEDIA_TYPE);
        response.getOutputStream().write(mapper.writeValueAsBytes(problem));
    }

    /** A request whose body has been read, within the limit, and is served again from memory. */
    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body has already been read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
