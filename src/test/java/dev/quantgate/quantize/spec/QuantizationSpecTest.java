package dev.quantgate.quantize.spec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizationSpecTest {

    @Test
    void shouldWriteCanonicalJsonWithSortedKeysAndOneNumberFormat() {
        QuantizationSpec spec = QuantizationSpec.defaults(Scheme.INT8_STATIC)
                .with("percentile", 99.990).with("exclude_nodes", java.util.List.of("b", "a"));
        String json = spec.toCanonicalJson();
        assertTrue(json.startsWith("{\"activation_symmetric\":false,\"bits\":8,\"calibration\":\"minmax\","), json);
        assertTrue(json.contains("\"exclude_nodes\":[\"a\",\"b\"]"), json);
        assertTrue(json.contains("\"percentile\":99.99,"), json);
        assertTrue(json.contains("\"scheme\":\"int8-static\""), json);
        assertEquals("1", CanonicalJson.number(1.0));
        assertEquals("0.0001", CanonicalJson.number(1e-4));
        assertEquals("120", CanonicalJson.number(120.0));
    }

    @Test
    void shouldHashTheCanonicalFormSoEqualSpecsShareAnIdentity() {
        QuantizationSpec a = QuantizationSpec.parse("{\"scheme\":\"int4-weight-only\",\"block_size\":32.0}");
        QuantizationSpec b = QuantizationSpec.parse("{ \"block_size\": 32, \"scheme\": \"int4-weight-only\" }");
        assertEquals(a.sha256(), b.sha256());
        assertEquals(a.sha256(), QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY).sha256());
        assertEquals(64, a.sha256().length());
        assertNotEquals(a.sha256(), a.with("block_size", 64L).sha256());
        assertEquals(a, QuantizationSpec.parse(a.toCanonicalJson()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"scheme\":\"int4-weight-only\",\"bits\":3}|bits",
            "{\"scheme\":\"int4-weight-only\",\"block_size\":0}|block_size",
            "{\"scheme\":\"int4-weight-only\",\"block_size\":48}|block_size",
            "{\"scheme\":\"int4-weight-only\",\"block_size\":8}|block_size",
            "{\"scheme\":\"int4-weight-only\",\"accuracy_level\":5}|accuracy_level",
            "{\"scheme\":\"int8-static\",\"percentile\":120}|percentile",
            "{\"scheme\":\"int8-static\",\"calibration\":\"magic\"}|calibration",
            "{\"scheme\":\"int8-dynamic\",\"bits\":4}|bits",
            "{\"scheme\":\"int8-dynamic\",\"per_channel\":\"yes\"}|per_channel",
            "{\"scheme\":\"int8-dynamic\",\"op_types\":[\"Conv\"]}|op_types",
            "{\"scheme\":\"int8-dynamic\",\"min_tensor_size\":-1}|min_tensor_size",
            "{\"scheme\":\"int8-dynamic\",\"block_size\":32}|block_size",
            "{\"scheme\":\"int8-dynamic\",\"sensitivity\":\"share\",\"sensitivity_value\":1.5}|sensitivity_value",
            "{\"scheme\":\"int4\"}|scheme",
            "{\"bits\":8}|scheme",
            "[1,2]|(json)",
            "{\"scheme\":|(json)"})
    void shouldRejectImpossibleValuesNamingTheField(String json, String field) {
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> QuantizationSpec.parse(json));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(field), e.getMessage());
    }

    @Test
    void shouldSpellOutEveryDefaultParameter() {
        QuantizationSpec d = QuantizationSpec.defaults(Scheme.INT8_DYNAMIC);
        assertTrue(d.bool("per_channel"));
        assertTrue(d.bool("symmetric"));
        assertEquals(8, d.integer("bits"));
        QuantizationSpec i4 = QuantizationSpec.defaults(Scheme.INT4_WEIGHT_ONLY);
        assertEquals(32, i4.integer("block_size"));
        assertEquals(8, i4.integer("embedding_bits"));
        assertTrue(QuantizationSpec.defaults(Scheme.FP16).bool("keep_io_types"));
    }
}
