package dev.quantgate.kernel.json;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8785 conformance, with the RFC's own examples (expected strings written from the RFC text). */
class JcsTest {

    /** RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical form. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0000000000000000, 0",
            "8000000000000000, 0",
            "0000000000000001, 5e-324",
            "8000000000000001, -5e-324",
            "7fefffffffffffff, 1.7976931348623157e+308",
            "ffefffffffffffff, -1.7976931348623157e+308",
            "4340000000000000, 9007199254740992",
            "c340000000000000, -9007199254740992",
            "4430000000000000, 295147905179352830000",
            "44b52d02c7e14af5, 9.999999999999997e+22",
            "44b52d02c7e14af6, 1e+23",
            "44b52d02c7e14af7, 1.0000000000000001e+23",
            "444b1ae4d6e2ef4e, 999999999999999700000",
            "444b1ae4d6e2ef4f, 999999999999999900000",
            "444b1ae4d6e2ef50, 1e+21",
            "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
            "3eb0c6f7a0b5ed8d, 0.000001",
            "41b3de4355555553, 333333333.3333332",
            "41b3de4355555554, 333333333.33333325",
            "41b3de4355555555, 333333333.3333333",
            "41b3de4355555556, 333333333.3333334",
            "41b3de4355555557, 333333333.33333343",
            "becbf647612f3696, -0.0000033333333333333333",
            "43143ff3c1cb0959, 1424953923781206.2",
    })
    void shouldWriteTheAppendixBNumbersAsTheRfcDoes(String ieeeHex, String expected) {
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        assertEquals(expected, Jcs.number(d));
        assertEquals(expected, Jcs.write(d));
    }

    /** RFC 8785 Appendix B: NaN and Infinity have no JSON form; every way of passing them is refused. */
    @ParameterizedTest
    @CsvSource({"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
    void shouldRefuseNanAndInfinityWithAClearError(String ieeeHex) {
        double d = Double.longBitsToDouble(Long.parseUnsignedLong(ieeeHex, 16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jcs.write(List.of(d)));
        assertTrue(e.getMessage().contains("no JSON form"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Jcs.write(Map.of("x", (float) d)));
    }

    /** RFC 8785 section 3.2.2 / 3.2.4: the sample object and its canonical form. */
    @Test
    void shouldCanonicalizeTheRfcSampleObject() {
        String input = "{\n"
                + "  \"numbers\": [333333333.33333329, 1E30, 4.50,\n"
                + "              2e-3, 0.000000000000000000000000001],\n"
                + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                + "  \"literals\": [null, true, false]\n"
                + "}";
        String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                + "\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assertEquals(expected, Jcs.canonicalize(input));

        Map<String, Object> same = new LinkedHashMap<>();
        same.put("numbers", List.of(333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001));
        same.put("string", "\u20ac$\u000f\nA'B\"\\\\\"/");
        same.put("literals", Arrays.asList(null, true, false));
        assertEquals(expected, Jcs.write(same));
    }

    /** RFC 8785 section 3.2.3: members sorted by UTF-16 code units. */
    @Test
    void shouldSortPropertiesByUtf16CodeUnitsAsInTheRfc() {
        String input = "{\n"
                + "  \"\\u20ac\": \"Euro Sign\",\n"
                + "  \"\\r\": \"Carriage Return\",\n"
                + "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                + "  \"1\": \"One\",\n"
                + "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                + "  \"\\u0080\": \"Control\",\n"
                + "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                + "}";
        String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                + "\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
        assertEquals(expected, Jcs.canonicalize(input));

        Map<String, Object> same = new LinkedHashMap<>();
        same.put("\u20ac", "Euro Sign");
        same.put("\r", "Carriage Return");
        same.put("\ufb33", "Hebrew Letter Dalet With Dagesh");
        same.put("1", "One");
        same.put("\ud83d\ude00", "Emoji: Grinning Face");
        same.put("\u0080", "Control");
        same.put("\u00f6", "Latin Small Letter O With Diaeresis");
        assertEquals(expected, Jcs.write(same));
    }

    @Test
    void shouldEscapeOnlyWhatJcsEscapes() {
        assertEquals("\"\\b\\t\\n\\f\\r\\\"\\\\\\u0000\\u0001\\u001f/\u007f\u00e9\u2028\"",
                Jcs.write("\b\t\n\f\r\"\\\u0000\u0001\u001f/\u007f\u00e9\u2028"));
    }

    @Test
    void shouldWidenAFloatThroughItsShortestDecimal() {
        assertEquals("0.1", Jcs.write(0.1f));
        assertEquals("[0.1,16777216,1e-7]", Jcs.write(List.of(0.1f, 16777216f, 1e-7f)));
        assertEquals("5", Jcs.write(5.0));
        assertEquals("1e+21", Jcs.write(1e21));
        assertEquals("2.5", Jcs.write(new BigDecimal("2.500")));
    }

    @Test
    void shouldRefuseIntegersThatADoubleWouldChange() {
        assertEquals("9007199254740992", Jcs.write(1L << 53));
        assertEquals("-9007199254740992", Jcs.write(-(1L << 53)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jcs.write((1L << 53) + 1));
        assertTrue(e.getMessage().contains("2^53"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Jcs.write(new BigInteger("123456789012345678901234567890")));
    }

    @Test
    void shouldRefuseLoneSurrogates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Jcs.write("a\ud800b"));
        assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Jcs.write("\udc00"));
    }

    @Test
    void shouldWriteJacksonTreesAsTheCanonicalizerDoes() throws Exception {
        String text = "{ \"b\" : [1.50, 2, 1E21], \"a\" : {\"d\":null,\"c\":\"x\\u0007\"} }";
        var node = new ObjectMapper().readTree(text);
        assertEquals("{\"a\":{\"c\":\"x\\u0007\",\"d\":null},\"b\":[1.5,2,1e+21]}", Jcs.write(node));
        assertEquals(Jcs.canonicalize(text), Jcs.write(node));
    }

    @Test
    void shouldRefuseValuesWhoseBytesWouldDependOnToString() {
        assertThrows(IllegalArgumentException.class, () -> Jcs.write(Map.of("x", new Object())));
        assertThrows(IllegalArgumentException.class, () -> Jcs.canonicalize("{\"a\":"));
    }
}
