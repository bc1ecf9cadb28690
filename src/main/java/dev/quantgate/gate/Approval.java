package dev.quantgate.gate;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** One counted approval a decision was made with. */
public record Approval(String approver, String verdict, Instant at) {

    Map<String, Object> toMap() {
        Map<String, Object> m = new TreeMap<>();
        m.put("approver", approver);
        m.put("verdict", verdict);
        m.put("at", at.toString());
        return m;
    }
}
