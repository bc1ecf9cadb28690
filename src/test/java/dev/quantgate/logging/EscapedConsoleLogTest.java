package dev.quantgate.logging;

import io.quarkus.test.junit.QuarkusTest;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The running application's console handler passes every record through {@link EscapingLogFilter}. */
@QuarkusTest
class EscapedConsoleLogTest {

    @Test
    void shouldEscapeForgedLinesOnTheConsoleHandler() {
        List<Filter> filters = new ArrayList<>();
        collect(LogContext.getLogContext().getLogger("").getHandlers(), filters);

        // Quarkus combines a handler's filters into one (an AllFilter): apply each handler's filter as it runs.
        List<String> escaped = new ArrayList<>();
        for (Filter filter : filters) {
            ExtLogRecord record = forgedRecord();
            filter.isLoggable(record);
            escaped.add(record.getFormattedMessage());
        }

        assertTrue(escaped.contains("Token ci\\n2026-12-01 00:00:00,000 INFO  [io.quarkus] forged\\u0000 created"),
                "no console handler filter escaped the record: " + escaped + " from " + filters);
    }

    private static ExtLogRecord forgedRecord() {
        ExtLogRecord record = new ExtLogRecord(Level.WARNING, "Token %s created", ExtLogRecord.FormatStyle.PRINTF,
                "dev.quantgate.security.TokenResource");
        record.setLoggerName("dev.quantgate.security.TokenResource");
        record.setParameters(new Object[] {"ci\n2026-12-01 00:00:00,000 INFO  [io.quarkus] forged\u0000"});
        return record;
    }

    private static void collect(Handler[] handlers, List<Filter> into) {
        for (Handler handler : handlers) {
            if (handler.getFilter() != null) {
                into.add(handler.getFilter());
            }
            if (handler instanceof ExtHandler ext) {
                collect(ext.getHandlers(), into);
            }
        }
    }
}
