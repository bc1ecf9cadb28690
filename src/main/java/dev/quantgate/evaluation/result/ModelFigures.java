package dev.quantgate.evaluation.result;

import java.util.List;

/** One model's figures (or the difference, or fidelity): overall and per section. */
public record ModelFigures(GroupFigures overall, List<SectionFigures> sections) {

    public ModelFigures {
        sections = List.copyOf(sections);
    }

    public SectionFigures section(String attribute) {
        return sections.stream().filter(s -> s.attribute().equals(attribute)).findFirst().orElse(null);
    }
}
