package dev.quantgate.audit;

import dev.quantgate.api.ApiException;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcInvocationContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.WebApplicationException;
import org.jboss.logging.Logger;

import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records one audit event per {@link Audited} call, atomically with what the call wrote: the call runs
 * in a transaction (the caller's, or a new one), and its {@code success} event is appended in that same
 * transaction, so the write and its event commit together or not at all. A call that fails (or whose
 * transaction does not commit) is rolled back, and its refusal is recorded in a transaction of its own,
 * so it is audited even though nothing else it did is kept.
 *
 * <p>It runs outside {@code @Transactional} (lower priority number) and manages the transaction itself:
 * the service's {@code @Transactional(REQUIRED)} then joins it.
 */
@Audited(action = "")
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class AuditedInterceptor {

    private static final Logger LOG = Logger.getLogger(AuditedInterceptor.class);
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)(?:\\.([A-Za-z0-9_]+))?}");

    private final AuditLog auditLog;

    public AuditedInterceptor(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @AroundInvoke
    Object audit(InvocationContext context) throws Exception {
        Audited audited = binding(context);
        String actor = actor();
        String subject = subject(audited.subject(), context);
        try {
            return QuarkusTransaction.joiningExisting().call(() -> {
                Object result = context.proceed();
                auditLog.append(actor, audited.action(), subject, Map.of("outcome", "success"));
                return result;
            });
        } catch (QuarkusTransactionException wrapped) {
            Throwable cause = wrapped.getCause() instanceof Exception e ? e : wrapped;
            recordRefusal(actor, audited, subject, cause);
            throw cause instanceof Exception e ? e : wrapped;
        } catch (Exception | Error e) {
            recordRefusal(actor, audited, subject, e);
            throw e;
        }
    }

    /** The refusal, in its own transaction: it is kept whatever happens to the caller's. */
    private void recordRefusal(String actor, Audited audited, String subject, Throwable failure) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("outcome", "failure");
        payload.put("error", errorCode(failure));
        try {
            QuarkusTransaction.requiringNew().run(() -> auditLog.append(actor, audited.action(), subject, payload));
        } catch (RuntimeException e) {
            // Never hide the call's own outcome behind an audit failure; but a lost event is an error.
            LOG.errorf(e, "Could not audit the refused %s", audited.action());
        }
    }

    private static Audited binding(InvocationContext context) {
        Audited fromBindings = context instanceof ArcInvocationContext arc
                ? arc.findIterceptorBinding(Audited.class) : null;
        if (fromBindings != null) {
            return fromBindings;
        }
        Audited onMethod = context.getMethod().getAnnotation(Audited.class);
        return onMethod != null ? onMethod : context.getMethod().getDeclaringClass().getAnnotation(Audited.class);
    }

    private static String actor() {
        try {
            SecurityIdentity identity = Arc.container().instance(SecurityIdentity.class).get();
            return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
        } catch (RuntimeException e) {
            return "system";
        }
    }

    private static String errorCode(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api.code().name();
        }
        if (failure instanceof WebApplicationException web && web.getResponse() != null) {
            return "HTTP_" + web.getResponse().getStatus();
        }
        if (failure instanceof jakarta.validation.ConstraintViolationException) {
            return "VALIDATION_FAILED";
        }
        return failure.getClass().getSimpleName();
    }

    static String subject(String template, InvocationContext context) {
        if (template.isEmpty()) {
            return "api";
        }
        Parameter[] parameters = context.getMethod().getParameters();
        Object[] values = context.getParameters();
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = null;
            for (int i = 0; i < parameters.length; i++) {
                if (parameters[i].getName().equals(m.group(1))) {
                    value = values[i];
                }
            }
            if (value != null && m.group(2) != null) {
                value = component(value, m.group(2));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf(value)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Object component(Object record, String name) {
        if (!record.getClass().isRecord()) {
            return null;
        }
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            if (c.getName().equals(name)) {
                try {
                    return c.getAccessor().invoke(record);
                } catch (ReflectiveOperationException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
