package dev.quantgate.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.time.Instant;
import java.util.Objects;

/**
 * The worker REST API's wire form, shared by the server and the worker so that both read and write the same JSON.
 * {@link JobAssignment}, {@link WorkerInfo} and {@link JobOutcome} travel as Jackson writes the records (camelCase
 * component names, {@code Instant} and {@code Duration} as ISO-8601 strings, {@code JobOutcome} with a {@code type});
 * the heartbeat and report bodies are the snake_case records below. Unknown properties are ignored, so either side
 * may add a field first.
 *
 * <pre>
 * POST {server}/api/v1/worker/lease               WorkerInfo            → 200 JobAssignment | 204 none
 * POST {server}/api/v1/worker/jobs/{id}/heartbeat HeartbeatRequest      → 200 HeartbeatResponse | 409 lease lost
 * POST {server}/api/v1/worker/jobs/{id}/report    ReportRequest         → 204 | 409 lease lost
 * </pre>
 */
public final class WorkerWire {

    public static final String LEASE_PATH = "/api/v1/worker/lease";
    public static final String JOBS_PATH = "/api/v1/worker/jobs/";
    public static final String HEARTBEAT_SUFFIX = "/heartbeat";
    public static final String REPORT_SUFFIX = "/report";
    public static final String RELEASE_SUFFIX = "/release";

    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private WorkerWire() {
    }

    /** Applies the wire settings to a mapper (the server's own, say) and answers it. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
    }

    /** The shared, configured mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads one wire value; a body that is not the expected JSON is an {@link IllegalArgumentException}. */
    public static <T> T read(String json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new IllegalArgumentException("empty JSON body where " + type.getSimpleName() + " was expected");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** {@code POST .../jobs/{id}/heartbeat}. */
    public record HeartbeatRequest(@JsonProperty("lease_token") String leaseToken,
                                   @JsonProperty("stage") Progress.Stage stage,
                                   @JsonProperty("percent") int percent) {
        public HeartbeatRequest {
            Objects.requireNonNull(leaseToken, "lease_token");
        }

        public static HeartbeatRequest of(String leaseToken, Progress progress) {
            return new HeartbeatRequest(leaseToken, progress == null ? null : progress.stage(),
                    progress == null ? 0 : progress.percent());
        }

        /** The progress carried, or null when the worker had none yet. */
        public Progress progress() {
            return stage == null ? null : new Progress(stage, percent);
        }
    }

    /** The heartbeat's answer. */
    public record HeartbeatResponse(@JsonProperty("lease_until") Instant leaseUntil) {
    }

    /** {@code POST .../jobs/{id}/release}. */
    public record ReleaseRequest(@JsonProperty("lease_token") String leaseToken) {
        public ReleaseRequest {
            Objects.requireNonNull(leaseToken, "lease_token");
        }
    }

    /** {@code POST .../jobs/{id}/report}. */
    public record ReportRequest(@JsonProperty("lease_token") String leaseToken,
                                @JsonProperty("outcome") JobOutcome outcome) {
        public ReportRequest {
            Objects.requireNonNull(leaseToken, "lease_token");
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}
