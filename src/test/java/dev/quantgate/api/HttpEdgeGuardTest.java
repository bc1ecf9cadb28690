package dev.quantgate.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Where a percent-escape is malformed: '%' must be followed by two hexadecimal digits. */
class HttpEdgeGuardTest {

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource({
            "/api/v1/registry/models, -1",
            "/api/v1/registry/models/fraud%20model, -1",
            "/a%2F%2f, -1",
            "/a%zz, 2",
            "/a%2, 2",
            "/a%, 2",
            "%g1, 0",
            "limit=%41%4, 9"})
    void shouldFindTheFirstMalformedEscape(String text, int index) {
        assertEquals(index, HttpEdgeGuard.malformedEscape(text));
    }
}
