package dev.quantgate.cli;

import java.io.PrintStream;

/**
 * A command-line tool packaged in the QuantGate application ({@code quantgate quantize ...},
 * {@code quantgate evaluate ...}). Tools run before, and instead of, the Quarkus application:
 * no HTTP server and no database are started. Implementations are found through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.quantgate.cli.Tool}).
 */
public interface Tool {

    /** Exit code for success. */
    int OK = 0;
    /** Exit code for bad input (a file, flag or spec the tool cannot use); the reason is printed. */
    int BAD_INPUT = 2;

    /** The first command-line argument that selects this tool, e.g. {@code quantize}. */
    String name();

    /** One line shown in the top-level usage text. */
    String summary();

    /**
     * Runs the tool.
     *
     * @param args the arguments after the tool's name
     * @param out where results go (one JSON line, a report)
     * @param err where problems and usage go
     * @return the process exit code
     */
    int run(String[] args, PrintStream out, PrintStream err);
}
