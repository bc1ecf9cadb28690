package dev.quantgate.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Roles;
import dev.quantgate.registry.RegistryEvent.Carried;
import dev.quantgate.registry.RegistryEvent.Kind;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.StatementCounter;
import dev.quantgate.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The registry model list costs one query per page, however many models, aliases and tags it shows,
 * and writes each model exactly as the single-model endpoint (Jackson, {@code ModelView}) does.
 */
@QuarkusTest
class RegistryListQueriesTest {

    private static final Instant T1 = Instant.parse("2026-11-26T10:00:00.123456Z");

    @Inject
    RegistryEventSink sink;

    @Inject
    ObjectMapper json;

    @Test
    void shouldListAPageOfModelsInOneQuery() {
        FakeMlflow.get().reset();
        String prefix = "n1-" + TestTokens.shortId() + "-";
        for (int i = 0; i < 4; i++) {
            String model = prefix + i;
            Carried complete = new Carried(null, null, null, null, T1, Map.of("owner", "team-" + i), true);
            sink.apply(new RegistryEvent(Kind.MODEL_CREATED, model, null, null, "model " + i, T1, "poller", complete));
            sink.apply(new RegistryEvent(Kind.VERSION_CREATED, model, "1", null, null, T1, "poller",
                    new Carried("src", "run", "READY", "None", T1, Map.of(), true)));
            sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "1", "champion", null, T1, "poller", complete));
            sink.apply(new RegistryEvent(Kind.ALIAS_SET, model, "1", "challenger", null, T1, "poller", complete));
        }

        List<String> queries = StatementCounter.during(() -> TestTokens.as(Roles.AUDITOR)
                        .queryParam("after", prefix).queryParam("limit", 50).get("/api/v1/registry/models")
                        .then().statusCode(200)
                        .body("items.findAll { it.name.startsWith('" + prefix + "') }", hasSize(4))
                        .body("items[0].name", equalTo(prefix + "0"))
                        .body("items[0].versions", equalTo(1))
                        .body("items[0].aliases.alias", equalTo(List.of("challenger", "champion")))
                        .body("items[0].aliases[1].since", equalTo(T1.toString()))
                        .body("items[0].tags.owner", equalTo("team-0"))
                        .body("items[3].description", equalTo("model 3")),
                sql -> sql.contains("registry_"));

        assertEquals(1, queries.size(), "one query for the page, not two more per model: " + queries);

        List<String> one = StatementCounter.during(() -> TestTokens.as(Roles.AUDITOR)
                .get("/api/v1/registry/models/{name}", prefix + "2").then().statusCode(200)
                .body("aliases", hasSize(2)).body("createdAt", equalTo(T1.toString())), sql -> sql.contains("registry_"));
        assertEquals(1, one.size(), one.toString());
    }

    @Test
    void shouldWriteEachPageByteForByteAsJacksonWritesItsModels() throws Exception {
        FakeMlflow.get().reset();
        String prefix = "bytes-" + TestTokens.shortId() + "-";
        String odd = "tab\t quote\" back\\ \u0001\u000b\u001f nl\n cr\r \u00e9 \u65e5\u672c \uD83D\uDE00 </script> \u007f";
        String first = prefix + "a";
        String second = prefix + "b";
        String third = prefix + "c \uD83D\uDE00";
        Carried complete = new Carried(null, null, null, null, T1, Map.of("owner", "team", "k\u0003", odd), true);
        sink.apply(new RegistryEvent(Kind.MODEL_CREATED, first, null, null, odd, T1, "poller", complete));
        for (String version : List.of("1", "2")) {
            sink.apply(new RegistryEvent(Kind.VERSION_CREATED, first, version, null, null, T1, "poller",
                    new Carried("src", "run", "READY", "None", T1, Map.of(), true)));
        }
        sink.apply(new RegistryEvent(Kind.ALIAS_SET, first, "1", "champion", null, T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.ALIAS_SET, first, "1", "challenger\u0002", null, T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.ALIAS_SET, first, "2", "champion", null,
                Instant.parse("2026-11-26T11:00:00.100Z"), "poller", complete));
        sink.apply(new RegistryEvent(Kind.MODEL_TAG_SET, first, null, "owner", "other", T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.MODEL_TAG_SET, first, null, "gone", "soon", T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.MODEL_TAG_DELETED, first, null, "gone", null, T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.MODEL_CREATED, second, null, null, null, T1, "poller",
                new Carried(null, null, null, null, Instant.parse("2026-11-26T10:00:00Z"), Map.of(), true)));
        sink.apply(new RegistryEvent(Kind.MODEL_CREATED, third, null, null, "third", T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.VERSION_CREATED, third, "1", null, null, T1, "poller",
                new Carried("src", "run", "READY", "None", T1, Map.of(), true)));
        sink.apply(new RegistryEvent(Kind.ALIAS_SET, third, "1", "champion", null, T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.ALIAS_DELETED, third, null, "champion", null, T1, "poller", complete));
        sink.apply(new RegistryEvent(Kind.MODEL_DELETED, third, null, null, null, T1, "poller", complete));

        String page = TestTokens.as(Roles.AUDITOR).queryParam("after", prefix).queryParam("limit", 2)
                .get("/api/v1/registry/models").then().statusCode(200).extract().asString();
        assertEquals("{\"items\":[" + one(first) + "," + one(second) + "],\"next\":" + json.writeValueAsString(second)
                + "}", page);
        String next = TestTokens.as(Roles.AUDITOR).queryParam("after", second).queryParam("limit", 1)
                .get("/api/v1/registry/models").then().statusCode(200).extract().asString();
        assertEquals("{\"items\":[" + one(third) + "],\"next\":", next.substring(0, next.indexOf("],\"next\":") + 9));
    }

    /** A model as the single-model endpoint writes it through Jackson. */
    private static String one(String name) {
        return TestTokens.as(Roles.AUDITOR).get("/api/v1/registry/models/{name}", name).then().extract().asString();
    }
}
