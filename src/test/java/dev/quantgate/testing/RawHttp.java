package dev.quantgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends bytes exactly as given over a plain socket and reads the answer: for requests no HTTP
 * client library would send (a non-numeric Content-Length, both Content-Length and
 * Transfer-Encoding, a malformed percent-escape, oversized lines and headers).
 */
public final class RawHttp {

    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
    private static final Pattern LENGTH = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

    /** An answer: status, the header block as text, and the body. */
    public record Answer(int status, String headers, String body) {

        public String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\s*$").matcher(headers);
            return m.find() ? m.group(1) : null;
        }
    }

    private RawHttp() {
    }

    public static Answer send(URI base, String request) throws IOException {
        return send(base, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static Answer send(URI base, byte[] request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int headerEnd = -1;
        int bodyLength = -1;
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                received.write(buffer, 0, n);
                String text = received.toString(StandardCharsets.ISO_8859_1);
                if (headerEnd < 0) {
                    headerEnd = text.indexOf("\r\n\r\n");
                    if (headerEnd >= 0) {
                        Matcher m = LENGTH.matcher(text.substring(0, headerEnd));
                        bodyLength = m.find() ? Integer.parseInt(m.group(1)) : -1;
                    }
                }
                if (headerEnd >= 0 && bodyLength >= 0 && text.length() - headerEnd - 4 >= bodyLength) {
                    break;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // the server closed or stopped talking; parse what came
        }
        String text = received.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("No complete HTTP answer, got: " + text);
        }
        Matcher status = STATUS.matcher(text);
        if (!status.find()) {
            throw new IOException("Not an HTTP answer: " + text.substring(0, Math.min(200, text.length())));
        }
        return new Answer(Integer.parseInt(status.group(1)), text.substring(0, end).toLowerCase(Locale.ROOT),
                text.substring(end + 4));
    }
}
