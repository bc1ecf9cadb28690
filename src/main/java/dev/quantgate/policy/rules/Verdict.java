package dev.quantgate.policy.rules;

import dev.quantgate.policy.model.QuantizationPolicy;
import dev.quantgate.policy.model.SmallGroups;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How results combine into an outcome, in this order:
 * <ol>
 *   <li>waivers: a result that fails or lacks data, of a rule with a waiver in force ({@code expiresAt} after the
 *       time of judgement), becomes {@link RuleStatus#WAIVED}, naming the waiver (the latest-expiring one when
 *       several). Only when the policy has a {@code waivers} section; errors are never waived;</li>
 *   <li>effects: {@code ERROR}, {@code FAIL}, and {@code INSUFFICIENT_DATA} outside small groups deny; a
 *       small-group result does what {@code small_groups} says ({@code deny}, {@code needs_approval}, or nothing
 *       for {@code ignore}, still listed); {@code PASS}, {@code NOT_APPLICABLE} and {@code WAIVED} do nothing;</li>
 *   <li>outcome: the most severe effect ({@code DENY} over {@code NEEDS_APPROVAL} over {@code ALLOW}).</li>
 * </ol>
 */
final class Verdict {

    static final String DENY = "deny";
    static final String NEEDS_APPROVAL = "needs_approval";
    static final String NONE = "none";

    private Verdict() {
    }

    static List<RuleResult> applyWaivers(QuantizationPolicy policy, List<RuleResult> results, List<Candidate.Waiver> waivers,
                                         Instant now) {
        if (policy.waivers().isEmpty()) {
            return results;
        }
        Map<String, Candidate.Waiver> inForce = new TreeMap<>();
        waivers.stream().filter(w -> w.activeAt(now))
                .sorted(Comparator.comparing(Candidate.Waiver::expiresAt).thenComparing(Candidate.Waiver::id))
                .forEach(w -> inForce.put(w.ruleId(), w));
        List<RuleResult> out = new ArrayList<>();
        for (RuleResult r : results) {
            Candidate.Waiver w = inForce.get(r.ruleId());
            boolean waivable = r.status() == RuleStatus.FAIL || r.status() == RuleStatus.INSUFFICIENT_DATA;
            out.add(w != null && waivable ? r.waivedBy(w.id(), r.message() + "; waived by " + w.id() + " until " + w.expiresAt()) : r);
        }
        return out;
    }

    static String effect(RuleResult r, SmallGroups small) {
        return switch (r.status()) {
            case ERROR, FAIL -> DENY;
            case INSUFFICIENT_DATA -> !r.smallGroup() ? DENY : switch (small) {
                case DENY -> DENY;
                case NEEDS_APPROVAL -> NEEDS_APPROVAL;
                case IGNORE -> NONE;
            };
            default -> NONE;
        };
    }

    static Outcome outcome(List<RuleResult> results) {
        Outcome o = Outcome.ALLOW;
        for (RuleResult r : results) {
            if (DENY.equals(r.effect())) {
                o = o.and(Outcome.DENY);
            } else if (NEEDS_APPROVAL.equals(r.effect())) {
                o = o.and(Outcome.NEEDS_APPROVAL);
            }
        }
        return o;
    }

    static List<Judgement.Reason> reasons(List<RuleResult> results, SmallGroups small, int minGroupSize) {
        List<Judgement.Reason> out = new ArrayList<>();
        for (RuleResult r : results) {
            if (r.smallGroup() && r.status() == RuleStatus.INSUFFICIENT_DATA) {
                continue;
            }
            Optional<String> code = switch (r.status()) {
                case FAIL -> Optional.of("rule_failed");
                case INSUFFICIENT_DATA -> Optional.of("rule_insufficient_data");
                case ERROR -> Optional.of("rule_error");
                case WAIVED -> Optional.of("rule_waived");
                default -> Optional.empty();
            };
            code.ifPresent(c -> out.add(new Judgement.Reason(c, r.ruleId(), r.message())));
        }
        List<Judgement.SmallGroup> groups = smallGroups(results);
        if (!groups.isEmpty()) {
            out.add(new Judgement.Reason("small_groups", null, groups.size() + " group(s) below min_group_size "
                    + minGroupSize + " reached per-group rules (" + String.join(", ", groups.stream().map(Judgement.SmallGroup::group).toList())
                    + "); small_groups: " + small.id()));
        }
        return out;
    }

    /** The groups (not whole attributes) of small-group results, sorted, with the rules that reached them. */
    static List<Judgement.SmallGroup> smallGroups(List<RuleResult> results) {
        Map<String, Long> counts = new TreeMap<>();
        Map<String, TreeSet<String>> rules = new TreeMap<>();
        for (RuleResult r : results) {
            if (r.smallGroup() && r.group() != null && r.group().contains("=")) {
                counts.putIfAbsent(r.group(), r.count());
                rules.computeIfAbsent(r.group(), g -> new TreeSet<>()).add(r.ruleId());
            }
        }
        List<Judgement.SmallGroup> out = new ArrayList<>();
        counts.forEach((g, c) -> out.add(new Judgement.SmallGroup(g, c, new ArrayList<>(rules.get(g)))));
        return out;
    }
}
