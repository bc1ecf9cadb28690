package dev.quantgate.registry.dto;

import java.util.List;

/**
 * The shape of a page of the registry model list, {@code Page<ModelView>}, for the API description:
 * the list itself is written from PostgreSQL's stored entries, never through this record.
 */
public record ModelPage(List<ModelView> items, String next) {
}
