package dev.quantgate.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The limits every JSON body is parsed under, for the REST API (through this
 * {@link ObjectMapperCustomizer}) and for signed webhook bodies ({@link #newFactory()}): nesting
 * depth, string, number and property-name lengths, and token count. A body past any of them is
 * refused with 400 ({@code MALFORMED_JSON}), never parsed on into a stack overflow.
 */
@Singleton
public class JsonLimits implements ObjectMapperCustomizer {

    /** Deepest nesting of arrays and objects; MLflow's deliveries and our DTOs need fewer than 10. */
    public static final int MAX_NESTING_DEPTH = 64;
    /** Longest string value, in characters (the bodies themselves are at most 1 MiB). */
    public static final int MAX_STRING_LENGTH = 1_048_576;
    /** Longest number, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;
    /** Longest property name, in characters. */
    public static final int MAX_NAME_LENGTH = 1_000;
    /** Most tokens in one document. */
    public static final long MAX_TOKEN_COUNT = 1_000_000;

    public static StreamReadConstraints constraints() {
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxTokenCount(MAX_TOKEN_COUNT)
                .build();
    }

    /** A JSON factory that parses under these limits. */
    public static JsonFactory newFactory() {
        return JsonFactory.builder().streamReadConstraints(constraints()).build();
    }

    /** What a person reads when a body passes one of the limits. */
    public static String describe() {
        return "The JSON body exceeds a parser limit: nesting at most " + MAX_NESTING_DEPTH
                + " levels deep, strings at most " + MAX_STRING_LENGTH + " characters, numbers at most "
                + MAX_NUMBER_LENGTH + " digits, property names at most " + MAX_NAME_LENGTH + " characters";
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(constraints());
    }
}
