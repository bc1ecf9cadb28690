-- Runs once, when the PostgreSQL volume is created: MLflow's backend store lives beside QuantGate's database.
CREATE DATABASE mlflow OWNER quantgate;

-- Least privilege: QuantGate's service connects as quantgate_app (no superuser, owns nothing: it cannot alter the
-- audit tables or disable their triggers); Flyway migrates as the owner, quantgate, and grants quantgate_app what
-- it needs after every migration (migrations/afterMigrate.sql). Demo passwords, like the others in docker-compose.yml.
CREATE ROLE quantgate_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'quantgate-app';
