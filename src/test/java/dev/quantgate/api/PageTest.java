package dev.quantgate.api;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PageTest {

    @Test
    void shouldDropTheExtraRowAndPointNextAtTheLastKeptOne() {
        Page<Integer> page = Page.of(List.of(1, 2, 3), 2, String::valueOf);
        assertEquals(List.of(1, 2), page.items());
        assertEquals("2", page.next());
    }

    @Test
    void shouldHaveNoNextOnTheLastPage() {
        assertNull(Page.of(List.of(1, 2), 2, String::valueOf).next());
        assertNull(Page.of(List.<Integer>of(), 2, String::valueOf).next());
    }

    @Test
    void shouldDefaultAndCapTheLimit() {
        assertEquals(Page.DEFAULT_LIMIT, Page.limit(null));
        assertEquals(Page.MAX_LIMIT, Page.limit(1_000_000));
        assertEquals(7, Page.limit(7));
        assertEquals(ErrorCode.VALIDATION_FAILED, assertThrows(ApiException.class, () -> Page.limit(0)).code());
    }

    @Test
    void shouldRefuseACursorThatIsNotANumber() {
        assertEquals(0L, Page.longCursor(null));
        assertEquals(42L, Page.longCursor("42"));
        assertEquals(ErrorCode.INVALID_CURSOR, assertThrows(ApiException.class, () -> Page.longCursor("-1")).code());
        assertEquals(ErrorCode.INVALID_CURSOR, assertThrows(ApiException.class, () -> Page.longCursor("abc")).code());
    }
}
