package dev.quantgate.policy.service.dto;

import java.util.List;
import java.util.Map;

/** A policy's selector: model-name globs and the tags a model must carry. */
public record SelectorView(List<String> models, Map<String, String> tags) {
}
