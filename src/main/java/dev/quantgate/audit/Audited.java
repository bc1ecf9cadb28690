package dev.quantgate.audit;

import jakarta.enterprise.util.Nonbinding;
import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records an API write in the audit trail, with its outcome ({@code success} or {@code failure}
 * and the error code), once the method has returned or thrown. Put it on resource methods that
 * change something; the actor is the caller's token name.
 *
 * <p>Example: {@code @Audited(action = "token.revoke", subject = "token:{id}")}.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Audited {

    /** What was done, dotted lower case, e.g. {@code token.create}. */
    @Nonbinding
    String action();

    /**
     * What it was done to. {@code {param}} is replaced by the named method parameter's value and
     * {@code {param.component}} by a component of a record parameter; empty means {@code api}.
     */
    @Nonbinding
    String subject() default "";
}
