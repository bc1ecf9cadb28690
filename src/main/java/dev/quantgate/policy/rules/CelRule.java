package dev.quantgate.policy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.quantgate.policy.model.Rule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cel: "<expression>"}: a Common Expression Language expression (cel-java, {@code dev.cel:cel}) that must
 * be {@code true}. Variables, each a map:
 * <ul>
 *   <li>{@code source}, {@code variant}: the report's overall figures of that model ({@code variant.accuracy},
 *       {@code variant.ci.accuracy}), its {@code by_attribute}, and {@code size_bytes} from
 *       {@code source_artifact.size_bytes} / {@code variant_artifact.size_bytes};</li>
 *   <li>{@code evidence}: the whole evidence content;</li>
 *   <li>{@code model}: {@code name}, {@code tags}; {@code version}: {@code name}, {@code version}, {@code tags}.</li>
 * </ul>
 * Every JSON number is a CEL {@code double} (so {@code source.size_bytes * 0.3} works) and comparisons across
 * numeric types are on ({@code variant.count > 100}). A missing member is a runtime error, not false.
 * Errors, each its own code, all deny: {@code cel_parse_error}, {@code cel_check_error} (e.g. an undeclared
 * variable), {@code cel_not_boolean}, {@code cel_runtime_error} (missing key, no matching overload, division by
 * zero, iteration budget of {@value #MAX_ITERATIONS} exceeded).
 */
final class CelRule implements RuleKind {

    static final int MAX_ITERATIONS = 10_000;
    private static final List<String> VARIABLES = List.of("source", "variant", "evidence", "model", "version");
    private static final Cel CEL = build();

    private static Cel build() {
        var b = CelFactory.standardCelBuilder()
                .setOptions(CelOptions.current().enableHeterogeneousNumericComparisons(true)
                        .comprehensionMaxIterations(MAX_ITERATIONS).build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
        for (String v : VARIABLES) {
            b.addVar(v, MapType.create(SimpleType.STRING, SimpleType.DYN));
        }
        return b.build();
    }

    @Override
    public String id() {
        return "cel";
    }

    @Override
    public boolean appliesTo(Rule rule) {
        return rule.cel() != null;
    }

    @Override
    public List<RuleResult> evaluate(Rule rule, RuleContext ctx) {
        String expr = rule.cel();
        CelValidationResult parsed = CEL.parse(expr);
        if (parsed.hasError()) {
            return error(rule, "cel_parse_error", "the expression '" + expr + "' does not parse: " + issues(parsed));
        }
        CelAbstractSyntaxTree ast;
        try {
            CelValidationResult checked = CEL.check(parsed.getAst());
            if (checked.hasError()) {
                return error(rule, "cel_check_error", "the expression '" + expr + "' does not type-check: " + issues(checked));
            }
            ast = checked.getAst();
        } catch (dev.cel.common.CelValidationException e) {
            return error(rule, "cel_check_error", "the expression '" + expr + "' does not type-check: " + e.getMessage());
        }
        SimpleType type = ast.getResultType() instanceof SimpleType t ? t : null;
        if (type != SimpleType.BOOL && type != SimpleType.DYN) {
            return error(rule, "cel_not_boolean", "the expression '" + expr + "' gives a " + ast.getResultType().name()
                    + ", not a bool");
        }
        Object value;
        try {
            value = CEL.createProgram(ast).eval(activation(ctx));
        } catch (CelEvaluationException e) {
            return error(rule, "cel_runtime_error", "the expression '" + expr + "' failed ("
                    + (e.getErrorCode() == null ? "error" : e.getErrorCode().name()) + "): " + e.getMessage());
        }
        if (!(value instanceof Boolean b)) {
            return error(rule, "cel_not_boolean", "the expression '" + expr + "' gave " + value + ", not true or false");
        }
        return List.of(RuleResult.plain(rule.id(), id(), "expression", b ? RuleStatus.PASS : RuleStatus.FAIL,
                "'" + expr + "' is " + b));
    }

    private List<RuleResult> error(Rule rule, String code, String message) {
        return List.of(RuleResult.error(rule.id(), id(), "expression", code, message));
    }

    private static String issues(CelValidationResult r) {
        return r.getErrors().stream().map(i -> i.getMessage()).reduce((a, b) -> a + "; " + b).orElse("unknown error");
    }

    static Map<String, Object> activation(RuleContext ctx) {
        JsonNode content = ctx.evidence().content();
        Map<String, Object> vars = new HashMap<>();
        vars.put("source", side(content, "source", EvidenceView.SOURCE_SIZE));
        vars.put("variant", side(content, "variant", EvidenceView.VARIANT_SIZE));
        vars.put("evidence", value(content));
        Candidate c = ctx.candidate();
        vars.put("model", Map.of("name", c.model(), "tags", c.modelTags()));
        vars.put("version", Map.of("name", c.model(), "version", c.version(), "tags", c.versionTags()));
        return vars;
    }

    private static Map<String, Object> side(JsonNode content, String side, String sizePointer) {
        JsonNode part = content.path(EvidenceView.EVALUATION).path(side);
        Map<String, Object> m = new HashMap<>();
        part.path("overall").fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
        if (part.has("by_attribute")) {
            m.put("by_attribute", value(part.get("by_attribute")));
        }
        JsonNode size = content.at(sizePointer);
        if (!size.isMissingNode()) {
            m.put("size_bytes", value(size));
        }
        return m;
    }

    /** JSON as CEL values: maps, lists, strings, booleans, doubles, null. */
    private static Object value(JsonNode n) {
        if (n.isObject()) {
            Map<String, Object> m = new HashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(value(x)));
            return l;
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        return NullValue.NULL_VALUE;
    }
}
