package dev.quantgate.policy.service;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A stored policy version (insert-only; a trigger refuses updates and deletes). */
@Entity
@Table(name = "policy_version")
public class PolicyVersionEntity extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String sha256;

    @Column(nullable = false, length = 63)
    public String name;

    @Column(nullable = false, length = 255)
    public String file;

    @Column(name = "source_text", nullable = false, columnDefinition = "text")
    public String sourceText;

    @Column(name = "canonical_json", nullable = false, columnDefinition = "text")
    public String canonicalJson;

    @Column(name = "loaded_at", nullable = false)
    public Instant loadedAt;
}
