package dev.quantgate;

import dev.quantgate.cli.Tool;
import dev.quantgate.cli.Tools;
import dev.quantgate.db.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;
import java.util.Optional;

/**
 * Entry point of the packaged application. A first argument naming a tool ({@code quantize},
 * {@code evaluate}) runs that tool and exits without starting the server or any database.
 * In role {@code worker} ({@code QUANTGATE_ROLE=worker}) a worker process starts instead, with no database
 * (see {@link WorkerProcess}). Otherwise the service starts, on an embedded PostgreSQL unless a database URL is configured.
 */
@QuarkusMain
public final class QuantGateMain {

    private QuantGateMain() {
    }

    /**
     * Quarkus refuses a URI that {@code java.net.URI} cannot parse with an empty 400 before any route
     * runs; with its check off, {@code dev.quantgate.api.HttpEdgeGuard} makes the same check and
     * answers problem+json naming the problem. (Tests set the same property in the pom.)
     */
    static void disableQuarkusUriCheck() {
        if (System.getProperty(URI_CHECK_PROPERTY) == null) {
            System.setProperty(URI_CHECK_PROPERTY, "true");
        }
    }

    /** Read by Quarkus's HTTP root handler when the server starts. */
    public static final String URI_CHECK_PROPERTY = "vertx.disableURIValidation";

    public static void main(String... args) {
        if (args.length > 0 && !args[0].startsWith("-")) {
            Tools tools = new Tools(QuantGateMain.class.getClassLoader());
            Optional<Tool> tool = tools.find(args[0]);
            if (tool.isEmpty()) {
                System.err.println("quantgate: unknown command '" + args[0] + "'");
                tools.usage(System.err);
                System.exit(Tool.BAD_INPUT);
                return;
            }
            int code;
            try {
                code = tool.get().run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err);
            } catch (RuntimeException e) {
                System.err.println("quantgate " + args[0] + ": " + e.getMessage());
                code = Tool.BAD_INPUT;
            }
            System.out.flush();
            System.exit(code);
            return;
        }
        if (WorkerProcess.requested(System.getenv())) {
            System.exit(WorkerProcess.run(System.getenv()));
            return;
        }
        EmbeddedDatabase.startIfNoDatabaseConfigured();
        disableQuarkusUriCheck();
        Quarkus.run(args);
    }
}
