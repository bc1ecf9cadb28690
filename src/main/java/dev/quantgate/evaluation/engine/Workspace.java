package dev.quantgate.evaluation.engine;

import java.util.Arrays;

/** Per-thread scratch arrays for one metrics computation: sums per finest group, then per global group. */
final class Workspace {

    /** Bootstrap row multiplicities; bytes keep the array cache-resident (a count never nears 127 for n > 127). */
    final byte[] mult;
    final int kk;
    // per finest group (f) and per global group (g): counts, weights, confusion, loss, flips, regression, fidelity
    final double[] fCount, fWeight, fConfS, fConfV, fLossS, fLossV, fFlip, fAbsS, fSqS, fAbsV, fSqV, fCos, fMean, fMax;
    final double[] gCount, gWeight, gConfS, gConfV, gLossS, gLossV, gFlip, gAbsS, gSqS, gAbsV, gSqV, gCos, gMean, gMax;
    final double[] pairsS, pairsV, negBelow, blockPos, blockNeg;
    double[] bufS;
    double[] bufV;
    double[] out;

    Workspace(int rows, int finest, int groups, int classes) {
        this.mult = new byte[rows];
        this.kk = classes * classes;
        fCount = new double[finest]; fWeight = new double[finest];
        fConfS = new double[finest * kk]; fConfV = new double[finest * kk];
        fLossS = new double[finest]; fLossV = new double[finest]; fFlip = new double[finest];
        fAbsS = new double[finest]; fSqS = new double[finest]; fAbsV = new double[finest]; fSqV = new double[finest];
        fCos = new double[finest]; fMean = new double[finest]; fMax = new double[finest];
        gCount = new double[groups]; gWeight = new double[groups];
        gConfS = new double[groups * kk]; gConfV = new double[groups * kk];
        gLossS = new double[groups]; gLossV = new double[groups]; gFlip = new double[groups];
        gAbsS = new double[groups]; gSqS = new double[groups]; gAbsV = new double[groups]; gSqV = new double[groups];
        gCos = new double[groups]; gMean = new double[groups]; gMax = new double[groups];
        pairsS = new double[groups]; pairsV = new double[groups];
        negBelow = new double[groups]; blockPos = new double[groups]; blockNeg = new double[groups];
    }

    void clear() {
        for (double[] a : new double[][]{fCount, fWeight, fConfS, fConfV, fLossS, fLossV, fFlip, fAbsS, fSqS, fAbsV,
                fSqV, fCos, fMean, fMax, gCount, gWeight, gConfS, gConfV, gLossS, gLossV, gFlip, gAbsS, gSqS, gAbsV,
                gSqV, gCos, gMean, gMax, pairsS, pairsV}) {
            Arrays.fill(a, 0);
        }
    }
}
