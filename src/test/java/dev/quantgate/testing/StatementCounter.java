package dev.quantgate.testing;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.resource.jdbc.spi.StatementInspector;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records the SQL statements Hibernate prepares while a test asks it to, so that a test can assert
 * how many queries an endpoint costs (the N+1 check on the registry list).
 */
@PersistenceUnitExtension
@ApplicationScoped
public class StatementCounter implements StatementInspector {

    private static final List<String> RECORDED = new CopyOnWriteArrayList<>();
    private static volatile boolean recording;

    @Override
    public String inspect(String sql) {
        if (recording) {
            RECORDED.add(sql);
        }
        return sql;
    }

    /** Runs {@code action} and answers the statements prepared meanwhile that match {@code filter}. */
    public static List<String> during(Runnable action, Predicate<String> filter) {
        RECORDED.clear();
        recording = true;
        try {
            action.run();
        } finally {
            recording = false;
        }
        return RECORDED.stream().filter(filter).toList();
    }
}
