package dev.quantgate.evaluation.result;

import java.util.Locale;

/** Something a reader of the evidence must know; {@code code} says what kind, {@code message} says it for people. */
public record Warning(Code code, String message) {

    /** Kinds of warning. */
    public enum Code {
        /** A group below the minimum group size: reported, flagged {@code support: low}. */
        LOW_SUPPORT,
        /** A section with fewer than two groups of enough rows: its supported fairness metrics compare nothing. */
        NOTHING_TO_COMPARE,
        /** No intervals (bootstrap off). */
        NO_INTERVALS,
        /** The models output labels only. */
        LABELS_ONLY,
        /** The calibration set under-represents a group. */
        CALIBRATION,
        /** A dynamically quantized model evaluated at a batch size other than the deployment's. */
        BATCH_SIZE,
        /** An fp16 model ran with float32 activations (ONNX Runtime on CPU inserts casts). */
        FP16_ACTIVATIONS,
        /** Anything else about the inputs. */
        INPUT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
