package dev.quantgate.gate.proxy;

import dev.quantgate.gate.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which calls the proxy decides, however the route is spelled, and how their bodies are read. */
class GuardedCallTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "POST, /api/2.0/mlflow/registered-models/alias, SET_ALIAS",
            "POST, /ajax-api/2.0/mlflow/registered-models/alias, SET_ALIAS",
            "POST, /api/2.0/mlflow/model-versions/transition-stage, TRANSITION_STAGE",
            "POST, /ajax-api/2.0/mlflow/model-versions/transition-stage, TRANSITION_STAGE",
            "POST, /api/2.0/mlflow//registered-models/alias, SET_ALIAS",
            "POST, //api/2.0/mlflow/registered-models/alias/, SET_ALIAS",
            "POST, /api/2.0/mlflow/x/../registered-models/./alias, SET_ALIAS",
            "POST, /api/2.0/mlflow/registered-models/%61lias, SET_ALIAS",
            "POST, /api/2.0/mlflow/registered-models%2Falias, SET_ALIAS",
            "POST, /api/3.0/mlflow/registered-models/alias, SET_ALIAS",
            "GET, /api/2.0/mlflow/registered-models/alias, NONE",
            "DELETE, /api/2.0/mlflow/registered-models/alias, NONE",
            "POST, /api/2.0/mlflow/registered-models/set-tag, NONE",
            "POST, /api/2.0/mlflow/registered-models/aliases, NONE",
            "POST, /api/2.0/mlflow-artifacts/artifacts/registered-models/alias, NONE",
            "POST, /api/2.0/mlflow/registered-models/%zzalias, NONE",
            "POST, /api/2.0/mlflow/registered-models/rename, RENAME",
            "POST, /ajax-api/2.0/mlflow/registered-models/%72ename/, RENAME",
            "PATCH, /api/2.0/mlflow/registered-models/rename, NONE",
            "POST, /api/2.0/mlflow/registered-models/renames, NONE",
    })
    void shouldDecideExactlyTheAliasAndStageWritesHoweverSpelled(String method, String path, String expected) {
        Optional<GuardedCall.Kind> kind = GuardedCall.match(method, path);
        assertEquals(expected, kind.map(Enum::name).orElse("NONE"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"name\": \"m\", \"alias\": \"champion\", \"version\": \"2\"}|SET_ALIAS|m|2|alias:champion",
            "{\"name\": \"m\", \"alias\": \"champion\", \"version\": 2}|SET_ALIAS|m|2|alias:champion",
            "{\"name\": \"m\", \"alias\": \"champion\", \"version\": \"002\"}|SET_ALIAS|m|2|alias:champion",
            "{\"name\": \"m\", \"version\": \"3\", \"stage\": \"production\"}|TRANSITION_STAGE|m|3|stage:Production",
            "{\"name\": \"m\", \"version\": \"3\", \"stage\": \"Prod\"}|TRANSITION_STAGE|m|3|stage:Prod",
    })
    void shouldReadTheCallAsMlflowDoes(String body, String kind, String model, String version, String target)
            throws GuardedCall.BadCall {
        GuardedCall call = GuardedCall.parse(GuardedCall.Kind.valueOf(kind), body.getBytes(StandardCharsets.UTF_8));
        assertEquals(new GuardedCall(model, version, Target.parse(target)), call);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "|'name'",
            "{\"name\": \"m\"|Malformed JSON",
            "[1]|JSON object",
            "{\"alias\": \"champion\", \"version\": \"2\"}|'name'",
            "{\"name\": \"m\", \"alias\": \"\", \"version\": \"2\"}|'alias'",
            "{\"name\": \"m\", \"alias\": {\"a\": 1}, \"version\": \"2\"}|'alias'",
            "{\"name\": \"m\", \"alias\": \"x\", \"alias\": \"champion\", \"version\": \"2\"}|Duplicate field",
    })
    void shouldRefuseABodyItCannotRead(String body, String says) {
        GuardedCall.BadCall e = assertThrows(GuardedCall.BadCall.class, () -> GuardedCall.parse(GuardedCall.Kind.SET_ALIAS,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void shouldReadARenameAsMlflowDoesAndRefuseOneWithoutItsNewName() throws GuardedCall.BadCall {
        assertEquals(new GuardedCall.Rename("m", "n"), GuardedCall.parseRename(
                "{\"name\": \"m\", \"new_name\": \"n\"}".getBytes(StandardCharsets.UTF_8)));
        GuardedCall.BadCall e = assertThrows(GuardedCall.BadCall.class, () -> GuardedCall.parseRename(
                "{\"name\": \"m\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("'new_name'"), e.getMessage());
    }
}
