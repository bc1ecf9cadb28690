package dev.quantgate.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers {@link PostgresTestResource} for every {@code @QuarkusTest} in the module. */
@QuarkusTestResource(PostgresTestResource.class)
public final class PostgresEverywhere {
    private PostgresEverywhere() {
    }
}
