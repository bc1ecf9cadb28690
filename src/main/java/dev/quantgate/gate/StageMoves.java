package dev.quantgate.gate;

import dev.quantgate.registry.RegistryChange;
import jakarta.transaction.TransactionScoped;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the stage guard saw in the current mirror transaction (one poll page: every change of a model's versions):
 * versions moved out of a stage into {@code Archived}, and the stage transitions it reverted. MLflow's
 * {@code archive_existing_versions} shows up in a poll as two such changes, in either order, so the guard matches
 * them here whichever comes first.
 */
@TransactionScoped
public class StageMoves implements Serializable {

    /** A stage transition the guard reverted, under {@code decision}. */
    record Revert(UUID decision, RegistryChange.StageChanged change) implements Serializable {
    }

    private final List<RegistryChange.StageChanged> archived = new ArrayList<>();
    private final List<Revert> reverts = new ArrayList<>();

    /** Records a version archived out of another stage; the reverts seen so far that it may belong to. */
    List<Revert> archived(RegistryChange.StageChanged change) {
        archived.add(change);
        return reverts.stream().filter(r -> pushedOut(change, r)).toList();
    }

    /** Records a revert; the archived versions seen so far that the reverted transition may have pushed out. */
    List<RegistryChange.StageChanged> reverted(Revert revert) {
        reverts.add(revert);
        return archived.stream().filter(a -> pushedOut(a, revert)).toList();
    }

    /** Same model, another version, archived out of the very stage the reverted transition entered. */
    private static boolean pushedOut(RegistryChange.StageChanged archived, Revert revert) {
        RegistryChange.StageChanged moved = revert.change();
        return archived.model().equals(moved.model()) && !archived.version().equals(moved.version())
                && moved.stage().equalsIgnoreCase(archived.previousStage());
    }
}
