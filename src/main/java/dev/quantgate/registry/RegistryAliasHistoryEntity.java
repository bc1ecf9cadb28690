package dev.quantgate.registry;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Optional;

/** One interval during which a version held an alias ({@code validTo} null: it still does). */
@Entity
@Table(name = "registry_alias_history")
public class RegistryAliasHistoryEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "model_id", nullable = false)
    public Long modelId;

    @Column(nullable = false, length = 256)
    public String alias;

    @Column(nullable = false)
    public int version;

    @Column(name = "valid_from", nullable = false)
    public Instant validFrom;

    @Column(name = "valid_to")
    public Instant validTo;

    @Column(name = "set_by", nullable = false, length = 200)
    public String setBy;

    @Column(name = "cleared_by", length = 200)
    public String clearedBy;

    public static Optional<RegistryAliasHistoryEntity> findOpen(long modelId, String alias) {
        return find("modelId = ?1 and alias = ?2 and validTo is null", modelId, alias).firstResultOptional();
    }
}
