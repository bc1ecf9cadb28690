package dev.quantgate.mlflow.client;

import java.time.Duration;
import java.util.Optional;

/** An {@link MlflowConfig} for building adapters by hand in tests (other URL, auth, timeouts). */
public record TestMlflowConfig(String baseUrl, AuthMode authMode, String user, String secret, Duration readTimeoutValue)
        implements MlflowConfig {

    public static TestMlflowConfig of(String url) {
        return new TestMlflowConfig(url, AuthMode.none, null, null, Duration.ofSeconds(2));
    }

    @Override
    public Optional<String> url() {
        return Optional.ofNullable(baseUrl);
    }

    @Override
    public AuthMode auth() {
        return authMode;
    }

    @Override
    public Optional<String> username() {
        return Optional.ofNullable(user);
    }

    @Override
    public Optional<String> password() {
        return Optional.ofNullable(secret);
    }

    @Override
    public Optional<String> token() {
        return Optional.ofNullable(secret);
    }

    @Override
    public Duration connectTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration readTimeout() {
        return readTimeoutValue;
    }

    @Override
    public HttpVersion httpVersion() {
        return HttpVersion.HTTP_1_1;
    }

    @Override
    public Duration pollInterval() {
        return Duration.ZERO;
    }

    @Override
    public int pollPageSize() {
        return 2;
    }

    @Override
    public Outbox outbox() {
        throw new UnsupportedOperationException("not needed by the adapter");
    }
}
