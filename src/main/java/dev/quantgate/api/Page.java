package dev.quantgate.api;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a keyset-paginated list: {@code {"items": [...], "next": "<cursor>" | null}}.
 * A caller passes {@code next} back as {@code ?after=} to get the following page.
 *
 * <p>Typical use in a service: fetch {@code limit + 1} rows ordered by the key, after the cursor,
 * then {@code Page.of(rows, limit, row -> row.id().toString())}.
 */
public record Page<T>(List<T> items, String next) {

    /** Items per page when the caller does not say. */
    public static final int DEFAULT_LIMIT = 50;
    /** The most items a page holds, whatever the caller asks for. */
    public static final int MAX_LIMIT = 500;

    public Page {
        items = List.copyOf(items);
    }

    /**
     * Builds a page from up to {@code limit + 1} rows: when there are more than {@code limit}, the
     * extra row is dropped and the cursor of the last kept row becomes {@code next}.
     */
    public static <T> Page<T> of(List<T> rowsFetchedWithOneExtra, int limit, Function<T, String> cursorOf) {
        if (rowsFetchedWithOneExtra.size() <= limit) {
            return new Page<>(rowsFetchedWithOneExtra, null);
        }
        List<T> kept = rowsFetchedWithOneExtra.subList(0, limit);
        return new Page<>(kept, cursorOf.apply(kept.get(kept.size() - 1)));
    }

    /** The effective limit for a requested one: default when absent, at least 1, at most {@link #MAX_LIMIT}. */
    public static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1) {
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "limit must be at least 1, was " + requested);
        }
        return Math.min(requested, MAX_LIMIT);
    }

    /** Parses a numeric cursor (such as a sequence number); absent means "from the start" ({@code 0}). */
    public static long longCursor(String after) {
        if (after == null || after.isBlank()) {
            return 0L;
        }
        try {
            long value = Long.parseLong(after.trim());
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ApiException(ErrorCode.INVALID_CURSOR,
                    "after must be a cursor returned as 'next' by an earlier page, was '" + after + "'");
        }
    }
}
