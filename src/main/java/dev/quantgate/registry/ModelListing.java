package dev.quantgate.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quantgate.api.Page;

/**
 * A model's entry in the registry list as PostgreSQL keeps it ({@code registry_model.listing}, see
 * {@code V26__add_registry_model_listing.sql}): the JSON text Jackson would write for its
 * {@link dev.quantgate.registry.dto.ModelView}, so that a page is written out without parsing it.
 */
record ModelListing(String name, String json) {

    /** The page as {@code {"items":[...],"next":...}}, byte for byte what Jackson writes for a {@code Page<ModelView>}. */
    static String pageJson(Page<ModelListing> page, ObjectMapper mapper) {
        int length = 32;
        for (ModelListing item : page.items()) {
            length += item.json.length() + 1;
        }
        StringBuilder body = new StringBuilder(length).append("{\"items\":[");
        for (int i = 0; i < page.items().size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append(page.items().get(i).json);
        }
        try {
            return body.append("],\"next\":").append(mapper.writeValueAsString(page.next())).append('}').toString();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A cursor cannot be written as JSON", e);
        }
    }
}
