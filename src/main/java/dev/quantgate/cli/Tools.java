package dev.quantgate.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the packaged command-line tools and dispatches to one by name. */
public final class Tools {

    private final Map<String, Tool> byName = new TreeMap<>();

    public Tools(ClassLoader loader) {
        for (Tool tool : ServiceLoader.load(Tool.class, loader)) {
            byName.put(tool.name(), tool);
        }
    }

    public Optional<Tool> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public void usage(PrintStream err) {
        err.println("usage: quantgate [COMMAND] [OPTIONS]");
        err.println("  (no command)  start the QuantGate service");
        byName.values().forEach(t -> err.printf("  %-12s  %s%n", t.name(), t.summary()));
    }
}
