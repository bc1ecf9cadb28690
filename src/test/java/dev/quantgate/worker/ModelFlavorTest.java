package dev.quantgate.worker;

import dev.quantgate.testing.MlflowFixtures;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ModelFlavorTest {

    @Test
    void shouldReadTheOnnxFlavorOfARecordedMlmodel() {
        String recorded = MlflowFixtures.rest("mlflow3/lm-artifacts-download-MLmodel").responseBodyRaw();
        assertEquals(Optional.of("onnx"), ModelFlavor.read(recorded));
    }

    @Test
    void shouldNameTheLibraryFlavorBesidePythonFunction() {
        assertEquals(Optional.of("xgboost"), ModelFlavor.read("""
                flavors:
                  python_function: {loader_module: mlflow.xgboost, data: model.xgb}
                  xgboost: {data: model.xgb, model_class: xgboost.sklearn.XGBClassifier}
                """));
        assertEquals(Optional.of("python_function"), ModelFlavor.read("""
                flavors:
                  python_function: {loader_module: my_model, python_model: python_model.pkl}
                """));
        assertEquals(Optional.of("none"), ModelFlavor.read("artifact_path: model\n"));
    }

    @Test
    void shouldFindNoFlavorInWhatIsNotAnMlmodel() {
        assertEquals(Optional.empty(), ModelFlavor.read("- just\n- a list\n"));
        assertEquals(Optional.empty(), ModelFlavor.read("flavors: [unclosed"));
    }
}
