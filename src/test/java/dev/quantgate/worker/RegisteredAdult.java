package dev.quantgate.worker;

import dev.quantgate.quantize.external.ExternalModels;
import dev.quantgate.testing.FakeMlflow;
import dev.quantgate.testing.FakeTracking;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

/**
 * The Adult MLP as a data scientist puts it in MLflow 3: logged with {@code mlflow.onnx.log_model} (a logged model,
 * tensors as external data), its evaluation and calibration CSVs logged as run artifacts, registered from the
 * {@code models:/m-…} source with the two dataset tags. Local copies of every file stay in {@code dir}.
 */
record RegisteredAdult(Path source, Path dataset, Path calibration, FakeTracking.LoggedModel logged,
                       FakeMlflow.VersionState version) {

    static RegisteredAdult register(FakeMlflow mlflow, String model, Path dir) throws IOException {
        return register(mlflow, model, dir, false);
    }

    /** @param allRows evaluate on all 48,842 Adult rows instead of 3,000 of the test split */
    static RegisteredAdult register(FakeMlflow mlflow, String model, Path dir, boolean allRows) throws IOException {
        FakeTracking.RunState training = mlflow.createRun("training", "train-adult-mlp");
        FakeTracking.LoggedModel logged = mlflow.logModel(training, "model");
        Path source = Files.createDirectories(dir.resolve("source"));
        ExternalModels.saveLikeMlflow(WorkerFixtures.model(), source);
        WorkerFixtures.finishModelDir(source, WorkerFixtures.featureColumns());
        try (Stream<Path> each = Files.list(source)) {
            for (Path f : each.toList()) {
                mlflow.putArtifact(logged.artifactUri() + "/" + f.getFileName(), Files.readAllBytes(f));
            }
        }
        // named as in MLflow: the evaluation report records the dataset's file name
        Path dataset = dir.resolve("adult.csv");
        if (allRows) {
            WorkerFixtures.writeAllRows(dataset);
        } else {
            WorkerFixtures.writeCsv(dataset, 0, WorkerFixtures.EVAL_ROWS);
        }
        Path calibration = dir.resolve("calibration.csv");
        WorkerFixtures.writeCsv(calibration, WorkerFixtures.EVAL_ROWS,
                WorkerFixtures.EVAL_ROWS + WorkerFixtures.CALIBRATION_ROWS);
        mlflow.putArtifact(training.artifactUri() + "/eval/adult.csv", Files.readAllBytes(dataset));
        mlflow.putArtifact(training.artifactUri() + "/eval/calibration.csv", Files.readAllBytes(calibration));
        FakeMlflow.VersionState version = mlflow.createVersionFrom(model, "models:/" + logged.id(), training.id);
        mlflow.setTag(model, version.version, "quantgate.eval_dataset", "eval/adult.csv");
        mlflow.setTag(model, version.version, "quantgate.calibration_dataset", "eval/calibration.csv");
        return new RegisteredAdult(source, dataset, calibration, logged, version);
    }

    /** The {@code model_version.created} delivery MLflow 3 sends for it: {@code run_id} null, no tags. */
    String createdDelivery() {
        return "{\"entity\": \"model_version\", \"action\": \"created\", \"timestamp\": \"" + Instant.now()
                + "\", \"data\": {\"name\": \"" + version.model + "\", \"version\": \"" + version.version
                + "\", \"source\": \"models:/" + logged.id() + "\", \"run_id\": null, \"tags\": {}, \"description\": null}}";
    }
}
