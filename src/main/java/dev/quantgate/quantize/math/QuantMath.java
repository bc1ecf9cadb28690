package dev.quantgate.quantize.math;

/**
 * Scales, zero points and rounding as ONNX Runtime's quantizer defines them: the range always
 * contains zero ({@code rmin = min(rmin, 0)}, {@code rmax = max(rmax, 0)}), the scale is computed
 * in double, and rounding is half to even ({@link Math#rint}) everywhere, with saturation to the range.
 */
public final class QuantMath {

    private QuantMath() {
    }

    /** Scale and zero point for values in {@code [rmin, rmax]}. */
    public static QuantParams params(double rmin, double rmax, QuantRange range, boolean symmetric) {
        if (Double.isNaN(rmin) || Double.isNaN(rmax) || Double.isInfinite(rmin) || Double.isInfinite(rmax)) {
            throw new IllegalArgumentException("range [" + rmin + ", " + rmax + "] is not finite");
        }
        double lo = Math.min(rmin, 0.0);
        double hi = Math.max(rmax, 0.0);
        int qmin = range.qmin();
        int qmax = range.qmax();
        if (symmetric) {
            double absMax = Math.max(Math.abs(lo), Math.abs(hi));
            lo = -absMax;
            hi = absMax;
        }
        double scale = (hi - lo) / (qmax - qmin);
        if (scale == 0.0 || (float) scale == 0.0f) {
            return new QuantParams(1.0f, symmetric ? midpoint(range) : range.clamp(0));
        }
        float stored = (float) scale;
        int zeroPoint = symmetric ? midpoint(range) : range.clamp((long) Math.rint(qmin - lo / stored));
        return new QuantParams(stored, zeroPoint);
    }

    private static int midpoint(QuantRange range) {
        return (int) Math.rint((range.qmin() + range.qmax()) / 2.0);
    }

    /** {@code saturate(rint(x / scale) + zeroPoint)}. */
    public static int quantize(float x, QuantParams p, QuantRange range) {
        double q = Math.rint(x / (double) p.scale()) + p.zeroPoint();
        if (Double.isNaN(q)) {
            return range.clamp(p.zeroPoint());
        }
        return range.clamp((long) Math.max(Math.min(q, Integer.MAX_VALUE), Integer.MIN_VALUE));
    }

    public static float dequantize(int q, QuantParams p) {
        return (q - p.zeroPoint()) * p.scale();
    }

    /** Min and max of each channel of a row-major tensor along {@code axis}. */
    public static double[][] channelMinMax(float[] data, long[] dims, int axis) {
        int channels = (int) dims[axis];
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        double[] min = new double[channels];
        double[] max = new double[channels];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < data.length; i++) {
            int c = (int) ((i / inner) % channels);
            float v = data[i];
            if (v < min[c]) {
                min[c] = v;
            }
            if (v > max[c]) {
                max[c] = v;
            }
        }
        return new double[][] {min, max};
    }

    /** Per-channel params along {@code axis}. */
    public static QuantParams[] perChannel(float[] data, long[] dims, int axis, QuantRange range, boolean symmetric) {
        double[][] mm = channelMinMax(data, dims, axis);
        QuantParams[] out = new QuantParams[mm[0].length];
        for (int c = 0; c < out.length; c++) {
            out[c] = params(mm[0][c], mm[1][c], range, symmetric);
        }
        return out;
    }

    /** Per-tensor params. */
    public static QuantParams perTensor(float[] data, QuantRange range, boolean symmetric) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : data) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (data.length == 0) {
            min = 0;
            max = 0;
        }
        return params(min, max, range, symmetric);
    }

    /** Quantizes a tensor with per-channel params along {@code axis} (one params entry = per tensor). */
    public static int[] quantize(float[] data, long[] dims, int axis, QuantParams[] params, QuantRange range) {
        int[] q = new int[data.length];
        if (params.length == 1) {
            for (int i = 0; i < data.length; i++) {
                q[i] = quantize(data[i], params[0], range);
            }
            return q;
        }
        int channels = (int) dims[axis];
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        for (int i = 0; i < data.length; i++) {
            q[i] = quantize(data[i], params[(int) ((i / inner) % channels)], range);
        }
        return q;
    }

    /** As {@link #quantize(float[], long[], int, QuantParams[], QuantRange)}, into bytes (8-bit ranges): a quarter of the memory. */
    public static byte[] quantizeBytes(float[] data, long[] dims, int axis, QuantParams[] params, QuantRange range) {
        byte[] q = new byte[data.length];
        if (params.length == 1) {
            for (int i = 0; i < data.length; i++) {
                q[i] = (byte) quantize(data[i], params[0], range);
            }
            return q;
        }
        int channels = (int) dims[axis];
        long inner = 1;
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        for (int i = 0; i < data.length; i++) {
            q[i] = (byte) quantize(data[i], params[(int) ((i / inner) % channels)], range);
        }
        return q;
    }
}
