package dev.quantgate.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.ApiException;
import dev.quantgate.api.ErrorCode;
import dev.quantgate.gate.dto.ImpactItem;
import dev.quantgate.policy.PolicySelection;
import dev.quantgate.policy.PolicyVersion;
import dev.quantgate.policy.rules.Judgement;
import dev.quantgate.policy.rules.Outcome;
import dev.quantgate.policy.service.PolicyService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A policy's impact: the mirrored holders of its protected aliases, on models it governs, that it would not allow
 * there now (judged as a dry run: nothing is stored).
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class PolicyImpact {

    private final PolicyService policies;
    private final GateService gate;
    private final CandidateReader candidates;
    private final EntityManager em;
    private final ObjectMapper json;

    public PolicyImpact(PolicyService policies, GateService gate, CandidateReader candidates, EntityManager em,
                        ObjectMapper json) {
        this.policies = policies;
        this.gate = gate;
        this.candidates = candidates;
        this.em = em;
        this.json = json;
    }

    public List<ImpactItem> impact(String name) {
        PolicyVersion policy = policies.inForce(name).orElseThrow(() -> new ApiException(ErrorCode.POLICY_NOT_FOUND,
                "No policy named '" + name + "' is in force"));
        List<String> protectedAliases = policy.policy().protect().aliases();
        if (protectedAliases.isEmpty()) {
            return List.of();
        }
        List<?> rows = em.createNativeQuery("SELECT m.name, a.alias, a.version FROM registry_alias a"
                        + " JOIN registry_model m ON m.id = a.model_id WHERE m.deleted_at IS NULL AND a.alias IN (:aliases)"
                        + " ORDER BY m.name, a.alias")
                .setParameter("aliases", protectedAliases).getResultList();
        Instant now = gate.now();
        List<ImpactItem> out = new ArrayList<>();
        for (Object r : rows) {
            Object[] row = (Object[]) r;
            String model = (String) row[0];
            String version = row[2].toString();
            Map<String, String> tags = candidates.modelTags(model, version);
            if (!(policies.select(model, tags) instanceof PolicySelection.Selected s) || !s.version().name().equals(name)) {
                continue;
            }
            Judgement j = gate.judgeInForce(candidates.read(model, version, tags), now);
            if (j.outcome() != Outcome.ALLOW) {
                out.add(new ImpactItem(model, (String) row[1], version, j.outcome().id(),
                        json.valueToTree(j.toMap().get("reasons"))));
            }
        }
        return out;
    }
}
