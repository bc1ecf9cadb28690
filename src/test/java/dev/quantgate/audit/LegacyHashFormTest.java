package dev.quantgate.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hash form 1 keeps writing exactly what it wrote before RFC 8785, so old chains keep verifying. */
class LegacyHashFormTest {

    static Stream<Arguments> values() {
        Map<String, Object> unordered = new LinkedHashMap<>();
        unordered.put("b", 1);
        unordered.put("a", Arrays.asList(true, null, "x"));
        unordered.put("C", Map.of("z", 0, "y", -1));
        return Stream.of(
                Arguments.of(unordered, "{\"C\":{\"y\":-1,\"z\":0},\"a\":[true,null,\"x\"],\"b\":1}"),
                Arguments.of(5, "5"),
                Arguments.of(5.0, "5"),
                Arguments.of(-0.0, "0"),
                Arguments.of(0.1f, "0.1"),
                Arguments.of(1.5e-7, "0.00000015"),
                Arguments.of(1e21, "1000000000000000000000"),
                Arguments.of(new BigDecimal("2.500"), "2.5"),
                Arguments.of(new BigInteger("123456789012345678901234567890"), "123456789012345678901234567890"),
                Arguments.of(Long.MIN_VALUE, "-9223372036854775808"),
                Arguments.of("quote\" back\\ nl\n tab\t bell\u0007 é ✓", "\"quote\\\" back\\\\ nl\\n tab\\t bell\\u0007 é ✓\""),
                Arguments.of(List.of(), "[]"),
                Arguments.of(Map.of(), "{}"));
    }

    @ParameterizedTest
    @MethodSource("values")
    void shouldWriteOneCanonicalForm(Object value, String expected) {
        assertEquals(expected, LegacyHashForm.write(value));
    }

    @Test
    void shouldWriteJacksonTreesLikeMaps() throws Exception {
        var node = new ObjectMapper().readTree("{ \"b\" : [1.50, 2], \"a\" : {\"d\":null,\"c\":\"x\"} }");
        assertEquals("{\"a\":{\"c\":\"x\",\"d\":null},\"b\":[1.5,2]}", LegacyHashForm.write(node));
    }

    @Test
    void shouldRefuseNumbersWithoutCanonicalForm() {
        assertThrows(IllegalArgumentException.class, () -> LegacyHashForm.write(Map.of("x", Double.NaN)));
        assertThrows(IllegalArgumentException.class, () -> LegacyHashForm.write(List.of(Double.POSITIVE_INFINITY)));
    }

    @Test
    void shouldRefuseObjectsWhoseBytesWouldDependOnToString() {
        assertThrows(IllegalArgumentException.class, () -> LegacyHashForm.write(Map.of("x", new Object())));
    }
}
