package dev.quantgate.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers {@link FakeMlflow} for every {@code @QuarkusTest}: {@code quantgate.mlflow.url} points at it. */
@QuarkusTestResource(FakeMlflow.class)
public final class FakeMlflowEverywhere {
    private FakeMlflowEverywhere() {
    }
}
