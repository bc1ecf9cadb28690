package dev.quantgate.logging;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Escapes control characters in every log record before a handler writes it (configured on the
 * console handler as {@code quarkus.log.console.filter=quantgate-escape}), so no value from
 * outside can break a log line, whichever call site logged it:
 * <ul>
 *   <li>QuantGate's own records ({@code dev.quantgate.*}): the whole formatted message;</li>
 *   <li>everyone else's: each text parameter (their message templates stay as they are, some
 *       are multi-line on purpose);</li>
 *   <li>the exception of every record: its messages, down the cause chain.</li>
 * </ul>
 * It never drops a record.
 */
@LoggingFilter(name = EscapingLogFilter.NAME)
public final class EscapingLogFilter implements Filter {

    /** The name the handlers' {@code filter} property refers to. */
    public static final String NAME = "quantgate-escape";
    private static final String OWN_CATEGORY = "dev.quantgate";

    @Override
    public boolean isLoggable(LogRecord record) {
        try {
            escape(record);
        } catch (RuntimeException e) {
            // A record that cannot be rewritten is still written: losing it would be worse.
        }
        return true;
    }

    static void escape(LogRecord record) {
        String logger = record.getLoggerName();
        boolean own = logger != null && logger.startsWith(OWN_CATEGORY);
        if (own && record instanceof ExtLogRecord ext) {
            String formatted = ext.getFormattedMessage();
            if (LogText.needsEscaping(formatted)) {
                ext.setMessage(LogText.escape(formatted), ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        } else {
            Object[] params = record.getParameters();
            if (params != null) {
                Object[] escaped = null;
                for (int i = 0; i < params.length; i++) {
                    if (params[i] instanceof CharSequence text && LogText.needsEscaping(text)) {
                        if (escaped == null) {
                            escaped = params.clone();
                        }
                        escaped[i] = LogText.escape(text);
                    }
                }
                if (escaped != null) {
                    record.setParameters(escaped);
                }
            }
        }
        Throwable thrown = record.getThrown();
        if (thrown != null && EscapedThrowable.needed(thrown)) {
            record.setThrown(EscapedThrowable.of(thrown));
        }
    }
}
