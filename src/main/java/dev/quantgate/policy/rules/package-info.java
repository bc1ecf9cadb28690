/**
 * Rule evaluation: a promotion candidate's evidence judged against its policy's rules, in Apicurio's rule
 * shape: one small interface ({@link dev.quantgate.policy.rules.RuleKind}), one class per rule kind
 * ({@code require}, {@code cel}, {@code value}, {@code change}), explicit precedence and combination
 * ({@link dev.quantgate.policy.rules.PolicyJudge}, {@link dev.quantgate.policy.rules.Verdict}), and a
 * deterministic, canonical {@link dev.quantgate.policy.rules.Judgement}. The evidence members read are named in
 * {@link dev.quantgate.policy.rules.EvidenceView}. Plain Java: no framework imports (an ArchUnit test keeps it so).
 */
package dev.quantgate.policy.rules;
