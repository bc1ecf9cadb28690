package dev.quantgate.policy.model;

/** Model-name globs: {@code *} any run of characters (also none), {@code ?} exactly one; everything else literal. */
public final class Glob {

    private Glob() {
    }

    public static boolean matches(String glob, String name) {
        return intersects(glob, 0, name, 0, true, new Boolean[glob.length() + 1][name.length() + 1]);
    }

    /** Whether some string matches both globs. */
    public static boolean intersects(String a, String b) {
        return intersects(a, 0, b, 0, false, new Boolean[a.length() + 1][b.length() + 1]);
    }

    private static boolean intersects(String a, int i, String b, int j, boolean bLiteral, Boolean[][] memo) {
        if (memo[i][j] != null) {
            return memo[i][j];
        }
        boolean result;
        boolean aEnd = i == a.length();
        boolean bEnd = j == b.length();
        if (aEnd && bEnd) {
            result = true;
        } else if (!aEnd && a.charAt(i) == '*') {
            result = intersects(a, i + 1, b, j, bLiteral, memo) || (!bEnd && intersects(a, i, b, j + 1, bLiteral, memo));
        } else if (!bLiteral && !bEnd && b.charAt(j) == '*') {
            result = intersects(a, i, b, j + 1, bLiteral, memo) || (!aEnd && intersects(a, i + 1, b, j, bLiteral, memo));
        } else if (aEnd || bEnd) {
            result = false;
        } else {
            char x = a.charAt(i);
            char y = b.charAt(j);
            boolean one = x == '?' || (!bLiteral && y == '?') || x == y;
            result = one && intersects(a, i + 1, b, j + 1, bLiteral, memo);
        }
        memo[i][j] = result;
        return result;
    }
}
