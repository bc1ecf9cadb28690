package dev.quantgate.gate;

import dev.quantgate.policy.PolicyFileException;
import dev.quantgate.policy.PolicyLoader;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.rules.Candidate;
import dev.quantgate.policy.rules.Judgement;
import dev.quantgate.policy.rules.Outcome;
import dev.quantgate.policy.rules.PolicyInForce;
import dev.quantgate.policy.rules.PolicyJudge;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The one way the gate turns inputs into a judgement, used alike to decide, to dry-run and to replay, so that a
 * replay of stored inputs gives the same bytes. Plain Java.
 */
final class Judging {

    private static final PolicyJudge JUDGE = PolicyJudge.withDefaults();
    private static final int POLICIES = 256;
    private static final java.util.Map<String, PolicyInForce> IN_FORCE = new java.util.concurrent.ConcurrentHashMap<>();

    private Judging() {
    }

    /** Under a policy's stored text: loaded again, so the judgement names exactly the bytes it was judged under. */
    static Judgement underText(String file, String text, Candidate candidate, Instant at) {
        PolicyInForce policy;
        try {
            policy = PolicyInForce.of(PolicyLoader.load(file, text.getBytes(StandardCharsets.UTF_8)));
        } catch (PolicyFileException e) {
            policy = PolicyInForce.unreadable(PolicyLoader.sha256(text.getBytes(StandardCharsets.UTF_8)), e.getMessage());
        }
        return JUDGE.judge(policy, candidate, at);
    }

    static Judgement under(PolicyVersion version, Candidate candidate, Instant at) {
        return JUDGE.judge(inForce(version), candidate, at);
    }

    /**
     * A policy version with its evaluation hash (a parse and a canonicalisation), kept per version's SHA-256: versions
     * are immutable, and a version's hash names its bytes. At most {@value #POLICIES} are kept.
     */
    private static PolicyInForce inForce(PolicyVersion version) {
        PolicyInForce known = IN_FORCE.get(version.sha256());
        if (known != null && known.policy() == version.policy()) {
            return known;
        }
        PolicyInForce p = PolicyInForce.of(version);
        if (IN_FORCE.size() >= POLICIES) {
            IN_FORCE.clear();
        }
        IN_FORCE.put(version.sha256(), p);
        return p;
    }

    /**
     * Fails closed without a policy: a deny naming why ({@code problem} is {@code <code>: <message>}, the code
     * {@code no_policy} or {@code policy_conflict}).
     */
    static Judgement withoutPolicy(String problem, Candidate candidate, Instant at) {
        int colon = problem.indexOf(": ");
        Judgement.Reason reason = new Judgement.Reason(problem.substring(0, colon), null, problem.substring(colon + 2));
        Candidate.Evidence e = candidate.evidence();
        return new Judgement(Outcome.DENY, at, null, null, null, candidate.model(), candidate.version(),
                candidate.modelTags(), candidate.versionTags(), e == null ? null : e.sha256(), candidate.waivers(),
                List.of(reason), List.of(), null, null, List.of());
    }
}
