package dev.quantgate.security;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

/** A stored API token: never its secret, only the secret's SHA-256. */
@Entity
@Table(name = "api_token")
public class ApiTokenEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, length = 100)
    public String name;

    /** Comma-separated, sorted. */
    @Column(nullable = false, length = 200)
    public String roles;

    @Column(name = "token_hash", nullable = false, length = 64)
    public String tokenHash;

    @Column(nullable = false, length = 16)
    public String prefix;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "created_by", nullable = false, length = 200)
    public String createdBy;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "revoked_by", length = 200)
    public String revokedBy;

    public Set<String> roleSet() {
        return Arrays.stream(roles.split(",")).filter(r -> !r.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    public void setRoleSet(Set<String> roleSet) {
        roles = String.join(",", new TreeSet<>(roleSet));
    }

    public boolean isRevoked() {
        return revokedAt != null;
    }

    public static Optional<ApiTokenEntity> findByHash(String tokenHash) {
        return find("tokenHash", tokenHash).firstResultOptional();
    }

    public static boolean liveNameExists(String name) {
        return count("name = ?1 and revokedAt is null", name) > 0;
    }
}
