package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.Rule;

import java.util.List;

/**
 * One kind of rule (Apicurio's {@code RuleExecutor} shape): {@code require}, {@code cel}, {@code value} or
 * {@code change}. A rule written with several kinds ({@code value} and {@code change}) is judged by each.
 * Implementations are stateless; they never throw for bad evidence but report it as a result
 * ({@link RuleStatus#INSUFFICIENT_DATA} or {@link RuleStatus#ERROR}).
 */
public interface RuleKind {

    /** The kind's name as written in a policy file. */
    String id();

    /** Whether the rule asks for this kind. */
    boolean appliesTo(Rule rule);

    /** At least one result for a rule this kind applies to. */
    List<RuleResult> evaluate(Rule rule, RuleContext context);
}
