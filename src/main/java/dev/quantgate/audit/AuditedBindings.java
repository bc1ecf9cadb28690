package dev.quantgate.audit;

import io.quarkus.arc.Arc;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

/**
 * Checks every {@link Audited} subject template at start-up: each {@code {param}} must name a parameter
 * of the annotated method, and each {@code {param.component}} a component of that record parameter. A
 * typo ({@code {nmae}}) would otherwise write a subject of {@code null} into the trail for ever; here it
 * stops the service from starting, with a message naming the method and the placeholder.
 */
@ApplicationScoped
public class AuditedBindings {

    void check(@Observes StartupEvent event) {
        Set<Class<?>> classes = new LinkedHashSet<>();
        for (Bean<?> bean : Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)) {
            classes.add(bean.getBeanClass());
        }
        List<String> problems = new ArrayList<>();
        for (Class<?> type : classes) {
            problems.addAll(problems(type));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid @Audited subject templates:\n  " + String.join("\n  ", problems));
        }
    }

    /** What is wrong with the {@link Audited} templates of one class (empty when nothing is). */
    static List<String> problems(Class<?> type) {
        List<String> problems = new ArrayList<>();
        Audited onType = type.getAnnotation(Audited.class);
        for (Method method : type.getDeclaredMethods()) {
            if (method.isSynthetic() || method.isBridge()) {
                continue;
            }
            Audited onMethod = method.getAnnotation(Audited.class);
            Audited audited = onMethod != null ? onMethod
                    : (onType != null && Modifier.isPublic(method.getModifiers()) ? onType : null);
            if (audited != null) {
                problems.addAll(problems(method, audited.subject()));
            }
        }
        return problems;
    }

    static List<String> problems(Method method, String template) {
        List<String> problems = new ArrayList<>();
        String where = method.getDeclaringClass().getSimpleName() + "." + method.getName();
        Parameter[] parameters = method.getParameters();
        Matcher m = AuditedInterceptor.PLACEHOLDER.matcher(template);
        while (m.find()) {
            Parameter parameter = Arrays.stream(parameters).filter(p -> p.getName().equals(m.group(1)))
                    .findFirst().orElse(null);
            if (parameter == null) {
                problems.add(where + ": subject '" + template + "' names {" + m.group(1) + "}, but the method's"
                        + " parameters are " + Arrays.stream(parameters).map(Parameter::getName)
                        .collect(Collectors.joining(", ", "(", ")")));
                continue;
            }
            if (m.group(2) != null) {
                Class<?> type = parameter.getType();
                boolean known = type.isRecord() && Arrays.stream(type.getRecordComponents())
                        .map(RecordComponent::getName).anyMatch(m.group(2)::equals);
                if (!known) {
                    problems.add(where + ": subject '" + template + "' names {" + m.group(1) + "." + m.group(2)
                            + "}, but " + type.getSimpleName() + " has no record component '" + m.group(2) + "'");
                }
            }
        }
        String rest = AuditedInterceptor.PLACEHOLDER.matcher(template).replaceAll("");
        if (rest.contains("{") || rest.contains("}")) {
            problems.add(where + ": subject '" + template + "' has a brace that is not a {param} or"
                    + " {param.component} placeholder");
        }
        return problems;
    }
}
