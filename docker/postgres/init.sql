-- Runs once, when the PostgreSQL volume is created: MLflow's backend store lives beside QuantGate's database.
CREATE DATABASE mlflow OWNER quantgate;
