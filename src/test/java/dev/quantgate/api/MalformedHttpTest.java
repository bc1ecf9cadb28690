package dev.quantgate.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Roles;
import dev.quantgate.testing.RawHttp;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests refused below the REST layer (by Netty's decoder or the router) answer problem+json
 * from the error catalogue, naming the problem, over a raw socket exactly as a broken client
 * would send them; and the server goes on serving the next request.
 */
@QuarkusTest
class MalformedHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    static Stream<Arguments> malformedRequests() {
        String auth = "Authorization: Bearer " + TestTokens.BOOTSTRAP_ADMIN + "\r\n";
        String tokens = "POST /api/v1/admin/tokens HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + auth;
        return Stream.of(
                Arguments.of("malformed percent-escape in the path",
                        "GET /api/v1/registry/models/%zz HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n",
                        400, "BAD_REQUEST", "percent-escape"),
                Arguments.of("malformed percent-escape in the query",
                        "GET /api/v1/registry/models?limit=%g1 HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n",
                        400, "BAD_REQUEST", "parameter 'limit'"),
                Arguments.of("Content-Length: abc",
                        tokens + "Content-Length: abc\r\n\r\n{}", 400, "BAD_REQUEST", "Content-Length"),
                Arguments.of("Content-Length with Transfer-Encoding",
                        tokens + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                        400, "BAD_REQUEST", "both Content-Length and Transfer-Encoding"),
                Arguments.of("body over the REST limit",
                        tokens + "Content-Length: 99999999\r\n\r\n{}", 413, "PAYLOAD_TOO_LARGE", "larger than the limit"),
                Arguments.of("oversized header block",
                        "GET /api/v1/auth/whoami HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(30_000) + "\r\n"
                                + auth + "\r\n", 431, "HEADERS_TOO_LARGE", "header fields"),
                Arguments.of("oversized URI",
                        "GET /api/v1/auth/whoami?x=" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n" + auth
                                + "\r\n", 414, "URI_TOO_LONG", "request line"),
                Arguments.of("not HTTP at all", "GARBAGE\r\n\r\n", 400, "BAD_REQUEST", "not valid HTTP"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void shouldAnswerMalformedHttpWithProblemJson(String what, String request, int status, String code, String named)
            throws Exception {
        RawHttp.Answer answer = RawHttp.send(base, request);

        assertEquals(status, answer.status(), what + ": " + answer.headers() + "\n" + answer.body());
        assertEquals(Problem.MEDIA_TYPE, answer.header("content-type"), what);
        JsonNode problem = JSON.readTree(answer.body());
        assertEquals(code, problem.path("code").asText(), answer.body());
        assertEquals(status, problem.path("status").asInt(), answer.body());
        assertTrue(problem.path("detail").asText().contains(named), answer.body());
        assertFalse(answer.body().contains("Exception"), answer.body());
        // The server is unharmed: the next request on a new connection is served.
        TestTokens.as(Roles.AUDITOR).get("/api/v1/auth/whoami").then().statusCode(200);
    }
}
