package dev.quantgate.audit;

import dev.quantgate.mlflow.outbox.OutboxResource;
import dev.quantgate.mlflow.webhook.DeliveryResource;
import dev.quantgate.security.TokenResource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditedBindingsTest {

    record Request(String name) {
    }

    static class Typos {
        @Audited(action = "x.create", subject = "token:{nmae}")
        public void create(String name) {
        }

        @Audited(action = "x.update", subject = "token:{request.nmae}")
        public void update(Request request) {
        }

        @Audited(action = "x.delete", subject = "token:{id")
        public void delete(String id) {
        }

        @Audited(action = "x.ok", subject = "token:{request.name}/{id}")
        public void fine(Request request, String id) {
        }
    }

    @Test
    void shouldNameEveryPlaceholderTypoWithItsMethod() {
        List<String> problems = AuditedBindings.problems(Typos.class);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("Typos.create: subject 'token:{nmae}' names {nmae},"
                + " but the method's parameters are (name)")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("Request has no record component 'nmae'")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("Typos.delete") && p.contains("brace")), problems.toString());
    }

    @Test
    void shouldAcceptEveryTemplateInTheService() {
        assertEquals(List.of(), AuditedBindings.problems(TokenResource.class));
        assertEquals(List.of(), AuditedBindings.problems(DeliveryResource.class));
        assertEquals(List.of(), AuditedBindings.problems(OutboxResource.class));
        assertEquals(List.of(), AuditedBindings.problems(dev.quantgate.jobs.JobsResource.class));
    }
}
